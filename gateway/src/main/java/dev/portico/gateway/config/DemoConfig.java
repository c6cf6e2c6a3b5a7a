package dev.portico.gateway.config;

/**
 * The built-in demo backends (service {@code demo-echo}), started in-process and published into the
 * registry.
 *
 * @param serviceFabric also start the partitioned Service-Fabric-style demo service {@code
 *     fabric:/Demo/Orders}
 */
public record DemoConfig(boolean enabled, int instances, boolean serviceFabric) {

  public DemoConfig(boolean enabled, int instances) {
    this(enabled, instances, false);
  }
}
