package dev.portico.gateway.resilience;

import dev.portico.gateway.config.RetryConfig;
import dev.portico.gateway.protocol.grpc.GrpcCalls;
import dev.portico.gateway.protocol.grpc.GrpcStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.ThreadLocalRandom;

/** An API's retry policy at run time, with its budget (shared by the API's event loops). */
public final class RetryPolicy {

  private final RetryConfig config;
  private final RetryBudget budget;
  private final long baseNanos;
  private final long maxNanos;

  public RetryPolicy(RetryConfig config) {
    this.config = config;
    this.budget = new RetryBudget(config.budgetRatio(), config.budgetMinPerSecond());
    this.baseNanos = config.backoffBase().toNanos();
    this.maxNanos = config.backoffMax().toNanos();
  }

  public int maxRetries() {
    return config.count();
  }

  public boolean enabled() {
    return config.count() > 0;
  }

  public boolean allowsMethod(HttpMethod method) {
    return config.methods().contains(method.name());
  }

  public static boolean idempotent(HttpMethod method) {
    return RetryConfig.IDEMPOTENT.contains(method.name());
  }

  /**
   * The API's cap on bodies held to be resent (also used by Service Fabric re-resolution resends).
   */
  public long bufferBodyLimit() {
    return config.bufferBodyLimit();
  }

  /** Whether a body of {@code contentLength} bytes is buffered so it can be resent. */
  public boolean buffers(long contentLength) {
    return contentLength >= 0 && contentLength <= config.bufferBodyLimit();
  }

  public boolean retriesOnStatus(int status) {
    return config.statusCodes().contains(status);
  }

  /** Whether the API names gRPC statuses to retry ({@code retry.grpcStatuses}, issue 14). */
  public boolean retriesOnGrpc() {
    return !config.grpcStatuses().isEmpty();
  }

  /**
   * Whether a gRPC response with these headers (a trailers-only response: its status in them) is
   * retried.
   */
  public boolean retriesOnGrpc(MultiMap responseHeaders) {
    if (config.grpcStatuses().isEmpty()) {
      return false;
    }
    GrpcStatus s = GrpcCalls.status(responseHeaders);
    return s != null && config.grpcStatuses().contains(s.name());
  }

  public boolean retriesOnReason(String reason) {
    return config.errorReasons().contains(reason);
  }

  public RetryBudget budget() {
    return budget;
  }

  /**
   * Full-jitter exponential back-off before retry number {@code retry} (1-based), in milliseconds
   * (at least 1).
   */
  public long backoffMillis(int retry) {
    long cap = Math.min(maxNanos, baseNanos << Math.min(20, retry - 1));
    long nanos = cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
    return Math.max(1, nanos / 1_000_000);
  }
}
