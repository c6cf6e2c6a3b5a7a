package dev.portico.gateway.proxy;

import dev.portico.gateway.routing.RequestPaths;
import io.vertx.core.http.HttpServerRequest;

/**
 * What every listener settles before routing a request: its request id (kept or generated),
 * whether it has already passed through this gateway, and its normalized path.
 *
 * @param refusal why the request goes no further, or {@code null}
 */
record Admission(String requestId, String path, Failure refusal) {

  /** @param loopCause what would point a request back at this gateway, for the 508's detail */
  static Admission of(HttpServerRequest req, String hopMarker, String loopCause) {
    String requestId = req.getHeader(ProxyHeaders.X_REQUEST_ID);
    if (requestId == null || requestId.isEmpty() || requestId.length() > 200) {
      requestId = ProxyHeaders.newRequestId();
    }
    String via = req.getHeader(ProxyHeaders.VIA);
    if (via != null && via.contains(hopMarker)) {
      return new Admission(requestId, null, new Failure.LoopDetected("the request already passed through this gateway ("
        + hopMarker + "); " + loopCause + " points back at it"));
    }
    String path = RequestPaths.normalize(req.path());
    if (path == null) {
      return new Admission(requestId, null, new Failure.BadRequest("the request path is not a valid absolute path"));
    }
    return new Admission(requestId, path, null);
  }
}
