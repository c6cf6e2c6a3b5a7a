package dev.portico.metrics;

/**
 * How many registry records one service has in each status: the values of {@code
 * portico_registry_instances}.
 */
public record ServiceInstanceCounts(int up, int down, int outOfService, int unknown) {

  public static final ServiceInstanceCounts ZERO = new ServiceInstanceCounts(0, 0, 0, 0);
}
