package dev.portico.gateway.proxy;

import dev.portico.gateway.edge.RequestRefused;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import dev.portico.gateway.tracing.RequestSpan;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * The hot path's front half: loop check, request id, API match against the current immutable
 * {@link RoutingState}, and the route's {@link TargetSource}; then an {@link Exchange} forwards
 * the request. No registry query, lock or blocking call happens here.
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
      reject(req, new Failure.OperationNotFound(api == null
        ? "no API matches the path " + path
        : "API '" + api + "' has no operation matching " + req.method() + " " + path), api, null, requestId, startNanos, span);
      return;
    }
    if (span != null) {
      span.routed(route.apiId(), route.operationId(), route.backend().id());
    }
    observer.started(route.apiId());
    String rest = path.substring(route.prefixLength());
    new Exchange(ctx.vertx(), ctx.client(), observer, state, req, route, TargetSources.of(route, req, rest, ctx.fabric()),
      path, rest, req.query(), requestId, ctx.via(), startNanos, route.backend().affinityCookie()).traced(span).start();
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
    Problems.send(req, failure, backend, requestId, close, traceId).onComplete(ar -> {
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
