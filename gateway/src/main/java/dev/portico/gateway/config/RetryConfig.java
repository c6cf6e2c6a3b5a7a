package dev.portico.gateway.config;

import dev.portico.gateway.problem.ErrorReason;
import java.time.Duration;
import java.util.Set;

/**
 * An API's retry policy. A retry goes to another member or instance when one is available.
 *
 * @param count retries after the first attempt (0: none)
 * @param statusCodes backend statuses that trigger a retry
 * @param errorReasons gateway error reasons that trigger a retry
 * @param methods methods that may be retried; a method that is not idempotent is retried only when
 *     its body was buffered
 * @param bufferBodyLimit request bodies with a Content-Length up to this many bytes are buffered so
 *     that they can be resent; larger or chunked bodies stream and are never resent
 * @param backoffBase first back-off; doubles each retry, with full jitter
 * @param backoffMax back-off cap
 * @param budgetRatio retries allowed as a share of requests over the last 10 s
 * @param budgetMinPerSecond retries always allowed per second, whatever the ratio (so low traffic
 *     can retry)
 * @param grpcStatuses gRPC status names (e.g. {@code UNAVAILABLE}) of a gRPC response that trigger
 *     a retry (issue 14); only statuses named here are retried
 */
public record RetryConfig(
    int count,
    Set<Integer> statusCodes,
    Set<String> errorReasons,
    Set<String> methods,
    long bufferBodyLimit,
    Duration backoffBase,
    Duration backoffMax,
    double budgetRatio,
    int budgetMinPerSecond,
    Set<String> grpcStatuses) {

  public static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

  /** The error reasons retried when a retry names neither statuses nor reasons. */
  public static final Set<String> DEFAULT_ERROR_REASONS =
      Set.of(ErrorReason.BACKEND_CONNECTION_FAILURE.label(), ErrorReason.TIMEOUT.label());

  public static final RetryConfig NONE =
      new RetryConfig(
          0,
          Set.of(),
          Set.of(),
          IDEMPOTENT,
          0,
          Duration.ofMillis(25),
          Duration.ofMillis(250),
          0.2,
          5,
          Set.of());

  public RetryConfig {
    statusCodes = Set.copyOf(statusCodes);
    errorReasons = Set.copyOf(errorReasons);
    methods = Set.copyOf(methods);
    grpcStatuses = grpcStatuses == null ? Set.of() : Set.copyOf(grpcStatuses);
  }
}
