package dev.portico.gateway.proxy;

import dev.portico.gateway.config.EscapedSlashes;
import dev.portico.gateway.routing.RequestPaths;
import io.vertx.core.http.HttpServerRequest;

/**
 * What every listener settles before routing a request: its request id (kept or generated),
 * whether it has already passed through this gateway (its hop marker as the {@code received-by}
 * of any {@code Via} element, on any field line), and its normalized path (the listener's rule for
 * encoded slashes applied). Framing and syntax (RFC 9112) were checked before, as the request was
 * decoded ({@code dev.portico.gateway.edge}).
 *
 * @param refusal why the request goes no further, or {@code null}
 */
record Admission(String requestId, String path, Failure refusal) {

  /** @param loopCause what would point a request back at this gateway, for the 508's detail */
  static Admission of(HttpServerRequest req, String hopMarker, EscapedSlashes slashes, String loopCause) {
    String requestId = req.getHeader(ProxyHeaders.X_REQUEST_ID);
    if (requestId == null || requestId.isEmpty() || requestId.length() > 200) {
      requestId = ProxyHeaders.newRequestId();
    }
    // the common case (no Via) costs one lookup
    if (req.getHeader(ProxyHeaders.VIA) != null && ViaHeader.names(req.headers().getAll(ProxyHeaders.VIA), hopMarker)) {
      return new Admission(requestId, null, new Failure.LoopDetected("the request already passed through this gateway ("
        + hopMarker + "); " + loopCause + " points back at it"));
    }
    try {
      return new Admission(requestId, RequestPaths.normalize(req.path(), slashes), null);
    } catch (RequestPaths.InvalidPath e) {
      return new Admission(requestId, null, new Failure.BadRequest(e.getMessage()));
    }
  }
}
