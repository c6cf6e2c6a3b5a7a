package dev.portico.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A backend's circuit breaker, in APIM's shape: rules that trip it, plus what APIM leaves
 * undocumented made explicit (probe requests in half-open, a cap on a backend's Retry-After).
 * The breaker is kept per resolved endpoint, so one bad instance is taken out alone.
 *
 * @param rules            tripping rules; any rule tripping opens the breaker. Empty: no breaker.
 * @param halfOpenRequests probe requests let through at once when the trip time is over
 * @param maxRetryAfter    cap on an open time taken from a backend's {@code Retry-After}
 */
public record CircuitBreakerConfig(List<BreakerRuleConfig> rules, int halfOpenRequests, Duration maxRetryAfter) {

  public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofMinutes(5);

  /** Applied to backends that do not configure a breaker: 5 connection failures or timeouts in 10 s trip it for 30 s. */
  public static final CircuitBreakerConfig DEFAULT = new CircuitBreakerConfig(List.of(new BreakerRuleConfig("default",
    5, null, Duration.ofSeconds(10), List.of(), Set.of("BackendConnectionFailure", "Timeout"), 0,
    Duration.ofSeconds(30), false)), 1, DEFAULT_MAX_RETRY_AFTER);

  public static final CircuitBreakerConfig NONE = new CircuitBreakerConfig(List.of(), 1, DEFAULT_MAX_RETRY_AFTER);

  public CircuitBreakerConfig {
    rules = List.copyOf(rules);
  }
}
