package dev.portico.gateway.pipeline;

import dev.portico.gateway.config.EscapedSlashes;
import dev.portico.gateway.routing.RequestPaths;
import dev.portico.gateway.tracing.Tracing;
import io.vertx.core.http.HttpServerRequest;

/**
 * The stages every listener starts with, and the one that marks a routed request in flight. Framing
 * and syntax (RFC 9112) were checked before, as the request was decoded ({@code
 * dev.portico.gateway.edge}).
 */
final class FrontStages {

  private FrontStages() {}

  private static final Stage REQUEST_ID =
      rc -> {
        String requestId = rc.req.getHeader(ProxyHeaders.X_REQUEST_ID);
        if (requestId == null || requestId.isEmpty() || requestId.length() > 200) {
          requestId = ProxyHeaders.newRequestId();
        }
        rc.requestId = requestId;
        rc.next();
      };

  /** The request id: the client's {@code X-Request-ID} when it has a usable one, else a new one. */
  static Stage requestId() {
    return REQUEST_ID;
  }

  /** The request's server span, begun before anything can refuse the request. */
  static Stage serverSpan(Tracing tracing) {
    return rc -> {
      rc.span = tracing.begin(rc.req, rc.requestId);
      rc.next();
    };
  }

  /**
   * Whether the request has already passed through this gateway (its hop marker as the {@code
   * received-by} of any {@code Via} element, on any field line): 508; then its path, normalized
   * under the listener's rule for encoded slashes: 400 when it cannot be.
   *
   * @param loopCause what would point a request back at this gateway, for the 508's detail
   */
  static Stage admission(String hopMarker, EscapedSlashes slashes, String loopCause) {
    return rc -> {
      HttpServerRequest req = rc.req;
      // the common case (no Via) costs one lookup
      if (req.getHeader(ProxyHeaders.VIA) != null
          && ViaHeader.names(req.headers().getAll(ProxyHeaders.VIA), hopMarker)) {
        rc.reject(
            new Failure.LoopDetected(
                "the request already passed through this gateway ("
                    + hopMarker
                    + "); "
                    + loopCause
                    + " points back at it"));
        return;
      }
      try {
        rc.path = RequestPaths.normalize(req.path(), slashes);
      } catch (RequestPaths.InvalidPath e) {
        rc.reject(new Failure.BadRequest(e.getMessage()));
        return;
      }
      rc.next();
    };
  }

  /** The request is routed: its span names the route, and it counts as in flight for its API. */
  static Stage routed(ExchangeObserver observer) {
    return rc -> {
      if (rc.span != null) {
        rc.span.routed(rc.route.apiId(), rc.route.operationId(), rc.route.backend().id());
      }
      observer.started(rc.route);
      rc.next();
    };
  }
}
