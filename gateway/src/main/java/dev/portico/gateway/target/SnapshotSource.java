package dev.portico.gateway.target;

import dev.portico.gateway.backend.Selection;
import dev.portico.gateway.resilience.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;

/**
 * Targets of Single and Pool backends: chosen synchronously from the routing snapshot the exchange
 * started with (pool member by priority and weight, then an endpoint whose breaker grants a
 * permit), retried per the API's retry policy on another member or instance. Stateless: everything
 * per request lives in the exchange, so one instance serves all ({@link TargetChoice#SNAPSHOT}).
 */
final class SnapshotSource implements TargetSource {

  static final SnapshotSource INSTANCE = new SnapshotSource();

  private static final Future<Boolean> YES = Future.succeededFuture(true);
  private static final Future<Boolean> NO = Future.succeededFuture(false);

  private SnapshotSource() {}

  @Override
  public void started(AttemptContext x, long nowNanos) {
    if (x.retry().enabled()) {
      x.retry().budget().recordRequest(nowNanos);
    }
  }

  @Override
  public boolean buffers(AttemptContext x, HttpMethod method, long contentLength) {
    RetryPolicy retry = x.retry();
    return retry.enabled() && retry.allowsMethod(method) && retry.buffers(contentLength);
  }

  @Override
  public Selection first(AttemptContext x, long nowNanos) {
    return x.snapshot().select(x.backend(), nowNanos, x.tried(), x.affinityToken());
  }

  @Override
  public boolean complains(AttemptContext x, int status, String reason, MultiMap headers) {
    RetryPolicy retry = x.retry();
    // issue 14: a gRPC status in a trailers-only response's headers, when the API names it
    boolean wanted =
        status > 0
            ? retry.retriesOnStatus(status) || retry.retriesOnGrpc(headers)
            : retry.retriesOnReason(reason);
    return wanted && x.attempts() <= retry.maxRetries() && retry.allowsMethod(x.method());
  }

  @Override
  public Future<Boolean> reconsider(AttemptContext x, int status, String reason) {
    return x.retry().budget().tryRetry(System.nanoTime()) ? YES : NO;
  }

  @Override
  public Future<Selection> next(AttemptContext x) {
    Promise<Selection> next = Promise.promise();
    x.vertx()
        .setTimer(
            x.retry().backoffMillis(x.attempts()),
            t ->
                next.complete(
                    x.snapshot()
                        .select(x.backend(), System.nanoTime(), x.tried(), x.affinityToken())));
    return next.future();
  }
}
