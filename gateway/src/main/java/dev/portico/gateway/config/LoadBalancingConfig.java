package dev.portico.gateway.config;

/**
 * How a backend spreads requests over its pool members or its registry instances.
 *
 * @param strategy {@code ROUND_ROBIN} (smooth, weighted) or {@code LEAST_REQUESTS} (power of two
 *     choices on in-flight requests)
 * @param affinityCookie cookie carrying the chosen member/instance, or {@code null} for no session
 *     affinity
 */
public record LoadBalancingConfig(Strategy strategy, String affinityCookie) {

  public static final LoadBalancingConfig DEFAULT =
      new LoadBalancingConfig(Strategy.ROUND_ROBIN, null);

  public enum Strategy {
    ROUND_ROBIN,
    LEAST_REQUESTS
  }
}
