package dev.portico.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One APIM circuit breaker rule. Exactly one of {@code count} and {@code percentage} is set.
 *
 * @param count trip when this many failures happen within {@code interval}
 * @param percentage trip when this share (1-100) of requests within {@code interval} fail
 * @param interval the sliding window
 * @param statusCodeRanges responses counted as failures (inclusive ranges)
 * @param errorReasons gateway error reasons counted as failures ({@code BackendConnectionFailure},
 *     {@code Timeout})
 * @param minimumRequests for a percentage rule: requests needed in the window before it can trip
 * @param tripDuration how long the breaker stays open
 * @param acceptRetryAfter a backend's {@code Retry-After} on 429/503 sets the open time instead
 * @param grpcStatuses gRPC status names (e.g. {@code UNAVAILABLE}) of gRPC responses counted as
 *     failures (issue 14)
 */
public record BreakerRuleConfig(
    String name,
    Integer count,
    Integer percentage,
    Duration interval,
    List<StatusRange> statusCodeRanges,
    Set<String> errorReasons,
    int minimumRequests,
    Duration tripDuration,
    boolean acceptRetryAfter,
    Set<String> grpcStatuses) {

  public BreakerRuleConfig {
    statusCodeRanges = List.copyOf(statusCodeRanges);
    errorReasons = Set.copyOf(errorReasons);
    grpcStatuses = grpcStatuses == null ? Set.of() : Set.copyOf(grpcStatuses);
  }

  public record StatusRange(int min, int max) {
    public boolean contains(int status) {
      return status >= min && status <= max;
    }
  }
}
