package dev.portico.gateway.config;

import dev.portico.gateway.problem.ErrorReason;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A backend's circuit breaker, in APIM's shape: rules that trip it, plus what APIM leaves
 * undocumented made explicit (probe requests in half-open, a cap on a backend's Retry-After). The
 * breaker is kept per resolved endpoint, so one bad instance is taken out alone.
 *
 * @param rules tripping rules; any rule tripping opens the breaker. Empty: no breaker.
 * @param halfOpenRequests probe requests let through at once when the trip time is over
 * @param maxRetryAfter cap on an open time taken from a backend's {@code Retry-After}
 * @param probeTimeout how long a probe may go without reporting before its slot is given to another
 *     (a probe whose request was lost must not keep the breaker half-open); {@code null}: the
 *     backend's connect plus response timeout, at most {@link #MAX_PROBE_TIMEOUT}
 */
public record CircuitBreakerConfig(
    List<BreakerRuleConfig> rules,
    int halfOpenRequests,
    Duration maxRetryAfter,
    Duration probeTimeout) {

  /**
   * Bound on the default probe timeout (a backend's timeouts may be far longer, e.g. the reverse
   * proxy's).
   */
  public static final Duration MAX_PROBE_TIMEOUT = Duration.ofMinutes(5);

  public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofMinutes(5);

  /**
   * Applied to backends that do not configure a breaker: 5 connection failures or timeouts in 10 s
   * trip it for 30 s. (The reasons are the error model's labels, {@code problem.ErrorReason};
   * configuration sits below every other package and names them as a configuration file does:
   * ErrorReasonTest holds them to the enum.)
   */
  public static final CircuitBreakerConfig DEFAULT =
      new CircuitBreakerConfig(
          List.of(
              new BreakerRuleConfig(
                  "default",
                  5,
                  null,
                  Duration.ofSeconds(10),
                  List.of(),
                  Set.of(
                      ErrorReason.BACKEND_CONNECTION_FAILURE.label(), ErrorReason.TIMEOUT.label()),
                  0,
                  Duration.ofSeconds(30),
                  false,
                  Set.of())),
          1,
          DEFAULT_MAX_RETRY_AFTER,
          null);

  public static final CircuitBreakerConfig NONE =
      new CircuitBreakerConfig(List.of(), 1, DEFAULT_MAX_RETRY_AFTER, null);

  public CircuitBreakerConfig {
    rules = List.copyOf(rules);
  }

  /**
   * The probe timeout of a backend with these timeouts: {@link #probeTimeout} when set, else
   * connect + response, bounded.
   */
  public Duration probeTimeout(Duration connect, Duration response) {
    if (probeTimeout != null) {
      return probeTimeout;
    }
    Duration both = connect.plus(response);
    return both.compareTo(MAX_PROBE_TIMEOUT) > 0 ? MAX_PROBE_TIMEOUT : both;
  }
}
