package dev.portico.gateway.pipeline;

import dev.portico.gateway.edge.RequestRefused;
import dev.portico.gateway.policy.HeaderEdits;
import dev.portico.gateway.tracing.RequestSpan;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/** The problem path of both listeners: requests the gateway answers itself before any exchange. */
public final class Rejections {

  private Rejections() {}

  /**
   * Answers a request the gateway will not forward, and reports it as one exchange, ending the
   * request's server {@code span} too ({@code null}: tracing off).
   */
  static void reject(
      ExchangeObserver observer,
      HttpServerRequest req,
      Failure failure,
      String apiId,
      String backend,
      String requestId,
      long startNanos,
      RequestSpan span) {
    String api = apiId == null ? ExchangeObserver.UNMATCHED : apiId;
    observer.started(api);
    if (span != null) {
      span.routed(api, null, backend);
    }
    String traceId = span == null ? null : span.traceId();
    // the body will not be read: do not leave it in the connection for the next request
    boolean close = !req.isEnded();
    Problems.send(req, failure, backend, requestId, close, HeaderEdits.NONE, traceId)
        .onComplete(
            ar -> {
              int status = ar.succeeded() ? failure.status() : 0;
              ExchangeObserver.Completion c =
                  new ExchangeObserver.Completion(
                      requestId,
                      api,
                      null,
                      backend,
                      null,
                      null,
                      req.method(),
                      req.path(),
                      status,
                      failure.reason(),
                      System.nanoTime() - startNanos,
                      req.bytesRead(),
                      req.response().bytesWritten(),
                      0,
                      traceId);
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
      Failure failure =
          cause instanceof RequestRefused r
              ? Failure.of(r)
              : new Failure.BadRequest(
                  "malformed request: " + (cause == null ? "unknown" : cause.getMessage()));
      String requestId = ProxyHeaders.newRequestId();
      String backend = api == null ? null : api;
      observer.started(api == null ? ExchangeObserver.UNMATCHED : api);
      Problems.send(req, failure, backend, requestId, true)
          .onComplete(
              ar ->
                  observer.completed(
                      new ExchangeObserver.Completion(
                          requestId,
                          api == null ? ExchangeObserver.UNMATCHED : api,
                          null,
                          backend,
                          null,
                          null,
                          req.method(),
                          req.path(),
                          ar.succeeded() ? failure.status() : 0,
                          failure.reason(),
                          System.nanoTime() - startNanos,
                          req.bytesRead(),
                          req.response().bytesWritten(),
                          0)));
    };
  }
}
