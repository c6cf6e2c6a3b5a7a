package dev.portico.gateway.proxy;

import dev.portico.gateway.edge.RequestRefused;
import dev.portico.gateway.policy.HeaderEdits;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import dev.portico.gateway.tracing.RequestSpan;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The hot path's front half, in this order: loop check and request id ({@link Admission}), the
 * server span (when tracing is on), API match against the current immutable {@link RoutingState},
 * OpenAPI request validation (when the API asks for it: {@link RequestValidation}), the route's
 * policies ({@link PolicyStage}, when it has any), and the route's {@link TargetSource}; then an
 * {@link Exchange} forwards the request. No registry query, lock or blocking call happens here.
 */
public final class ProxyHandler implements Handler<HttpServerRequest> {

  private final ProxyContext ctx;
  private final ExchangeObserver observer;

  public ProxyHandler(ProxyContext ctx) {
    this.ctx = ctx;
    this.observer = ctx.observer();
  }

  @Override
  public void handle(HttpServerRequest req) {
    long startNanos = System.nanoTime();
    Admission admission = Admission.of(req, ctx.hopMarker(), ctx.escapedSlashes(), "a backend or registry record");
    String requestId = admission.requestId();
    // tracing: the server span starts before anything can refuse the request (null when tracing is off)
    RequestSpan span = ctx.tracing() == null ? null : ctx.tracing().begin(req, requestId);
    if (admission.refusal() != null) {
      reject(req, admission.refusal(), null, null, requestId, startNanos, span);
      return;
    }
    String path = admission.path();
    RoutingState state = ctx.states().current();
    Route route = state.apis().match(req.method(), path);
    if (route == null) {
      String api = state.apis().apiId(path);
      Failure notFound = new Failure.OperationNotFound(api == null
        ? "no API matches the path " + path
        : "API '" + api + "' has no operation matching " + req.method() + " " + path);
      Route apiRoute = api == null || !isPreflight(req) ? null : preflightRoute(state, req, path);
      if (apiRoute != null && !apiRoute.policies().isEmpty()) {
        // a CORS preflight for an operation: the policies of the operation it asks about (else the
        // API's and global ones) answer it, as APIM's do; whatever they let through is still no operation
        observer.started(apiRoute.apiId());
        if (span != null) {
          span.routed(apiRoute.apiId(), apiRoute.operationId(), apiRoute.backend().id());
        }
        PolicyStage.run(ctx, state, req, apiRoute, path, path.substring(apiRoute.prefixLength()), requestId, startNanos,
          notFound, null, span);
        return;
      }
      reject(req, notFound, api, null, requestId, startNanos, span);
      return;
    }
    // --- apis[].openapi.validate (RequestValidation): checked before anything is forwarded ---
    if (route.validation() != null) {
      RequestValidation.check(ctx, req, route, path.substring(route.prefixLength()), requestId, startNanos,
        body -> forward(req, state, route, path, requestId, startNanos, body, span), span);
      return;
    }
    forward(req, state, route, path, requestId, startNanos, null, span);
  }

  /** @param body the request body already read whole (by request validation), or {@code null} to stream it */
  private void forward(HttpServerRequest req, RoutingState state, Route route, String path, String requestId,
                       long startNanos, Buffer body, RequestSpan span) {
    if (span != null) {
      span.routed(route.apiId(), route.operationId(), route.backend().id());
    }
    observer.started(route.apiId());
    String rest = path.substring(route.prefixLength());
    if (route.policies().isEmpty()) {
      forward(ctx, state, req, route, path, rest, req.query(), requestId, startNanos, PolicyStage.Passed.NONE, body, span);
    } else {
      PolicyStage.run(ctx, state, req, route, path, rest, requestId, startNanos, null, body, span);
    }
  }

  /** The route of the request a preflight announces (its method, this path), else the API's own route. */
  private static Route preflightRoute(RoutingState state, HttpServerRequest req, String path) {
    try {
      Route announced = state.apis().match(HttpMethod.valueOf(req.getHeader("Access-Control-Request-Method").trim()),
        path);
      if (announced != null) {
        return announced;
      }
    } catch (IllegalArgumentException notAMethod) {
      // the API's policies decide on a preflight announcing no valid method
    }
    return state.apis().apiRoute(path);
  }

  private static boolean isPreflight(HttpServerRequest req) {
    return req.method() == HttpMethod.OPTIONS && req.headers().contains("Origin")
      && req.headers().contains("Access-Control-Request-Method");
  }

  /**
   * Starts the exchange of a request the policies let through.
   *
   * @param forwardPath  what follows the backend's base path (the rest of the client's path, or the rewrite's)
   * @param forwardQuery the query to forward, or {@code null}
   */
  static void forward(ProxyContext ctx, RoutingState state, HttpServerRequest req, Route route, String path,
                      String forwardPath, String forwardQuery, String requestId, long startNanos,
                      PolicyStage.Passed policy) {
    forward(ctx, state, req, route, path, forwardPath, forwardQuery, requestId, startNanos, policy, null, null);
  }

  /**
   * @param body the request body request validation already read whole (forwarded as is), or {@code null}
   * @param span the request's spans, {@code null} when tracing is off
   */
  static void forward(ProxyContext ctx, RoutingState state, HttpServerRequest req, Route route, String path,
                      String forwardPath, String forwardQuery, String requestId, long startNanos,
                      PolicyStage.Passed policy, Buffer body, RequestSpan span) {
    new Exchange(ctx.vertx(), ctx.client(), ctx.observer(), state, req, route,
      // targets (a Service Fabric partition key) are chosen from the client's path, not a rewrite
      TargetSources.of(route, req, path.substring(route.prefixLength()), ctx.fabric()), path, forwardPath, forwardQuery, requestId, ctx.via(),
      startNanos, route.backend().affinityCookie(), policy).withBody(body).traced(span)
      .withProtocols(ctx.protocols()) // issue 14 hook: HTTP/2 backends, WebSocket, gRPC
      .start();
  }

  private void reject(HttpServerRequest req, Failure failure, String apiId, String backend, String requestId,
                      long startNanos, RequestSpan span) {
    reject(observer, req, failure, apiId, backend, requestId, startNanos, span);
  }

  /** Answers a request the gateway will not forward, and reports it as one exchange. */
  static void reject(ExchangeObserver observer, HttpServerRequest req, Failure failure, String apiId, String backend,
                     String requestId, long startNanos) {
    reject(observer, req, failure, apiId, backend, requestId, startNanos, null);
  }

  /** As above, ending the request's server {@code span} too ({@code null}: tracing off). */
  static void reject(ExchangeObserver observer, HttpServerRequest req, Failure failure, String apiId, String backend,
                     String requestId, long startNanos, RequestSpan span) {
    String api = apiId == null ? ExchangeObserver.UNMATCHED : apiId;
    observer.started(api);
    if (span != null) {
      span.routed(api, null, backend);
    }
    String traceId = span == null ? null : span.traceId();
    // the body will not be read: do not leave it in the connection for the next request
    boolean close = !req.isEnded();
    Problems.send(req, failure, backend, requestId, close, HeaderEdits.NONE, traceId).onComplete(ar -> {
      int status = ar.succeeded() ? failure.status() : 0;
      ExchangeObserver.Completion c = new ExchangeObserver.Completion(requestId, api, null, backend, null, null,
        req.method(), req.path(), status, failure.reason(), System.nanoTime() - startNanos,
        req.bytesRead(), req.response().bytesWritten(), 0, traceId);
      if (span != null) {
        span.completed(status, failure.reason(), 0, () -> observer.completed(c));
      } else {
        observer.completed(c);
      }
    });
  }

  /**
   * The server's handler of requests the edge refused while decoding them ({@link RequestRefused}
   * in the decoder result: a framing or syntax violation, a head too large or too slow): a problem
   * document, the connection closed after it, reported as one exchange of {@code api}.
   */
  public static Handler<HttpServerRequest> invalidRequests(ExchangeObserver observer, String api) {
    return req -> {
      long startNanos = System.nanoTime();
      Throwable cause = req.decoderResult().cause();
      Failure failure = cause instanceof RequestRefused r ? Failure.of(r)
        : new Failure.BadRequest("malformed request: " + (cause == null ? "unknown" : cause.getMessage()));
      String requestId = ProxyHeaders.newRequestId();
      String backend = api == null ? null : api;
      observer.started(api == null ? ExchangeObserver.UNMATCHED : api);
      Problems.send(req, failure, backend, requestId, true).onComplete(ar -> observer.completed(
        new ExchangeObserver.Completion(requestId, api == null ? ExchangeObserver.UNMATCHED : api, null, backend, null,
          null, req.method(), req.path(), ar.succeeded() ? failure.status() : 0, failure.reason(),
          System.nanoTime() - startNanos, req.bytesRead(), req.response().bytesWritten(), 0)));
    };
  }
}
