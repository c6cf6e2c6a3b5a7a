package dev.portico.gateway.backend;

import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.LoadBalancingConfig;
import dev.portico.gateway.config.SingleBackendConfig;

/**
 * A {@code Single} backend with a fixed URL or a registry service, compiled for the hot path: its
 * {@link Upstream} settings, and its balancing settings. Per-endpoint state (breakers, in-flight
 * counts) lives in {@link BackendStates}; the current endpoints come from the routing snapshot. (A
 * {@code Single} backend whose URL is a {@code fabric:/} name compiles to a {@link FabricBackend}.)
 */
public final class SingleBackend implements Backend {

  private final String id;
  private final BackendTarget target;
  private final Upstream upstream;
  private final Endpoint fixedEndpoint;
  private final LoadBalancingConfig loadBalancing;
  private final int slot;

  public SingleBackend(SingleBackendConfig config) {
    this(config, -1);
  }

  /**
   * @param slot its index among the Single backends of its configuration (0, 1, ...), where a
   *     routing state keeps its targets; -1 when it has none
   */
  public SingleBackend(SingleBackendConfig config, int slot) {
    this.slot = slot;
    this.id = config.id();
    this.target = config.target();
    this.upstream = Upstream.of(config);
    this.fixedEndpoint =
        target instanceof BackendTarget.FixedUrl f ? Endpoint.of(f.address(), null) : null;
    this.loadBalancing = config.loadBalancing();
  }

  @Override
  public String id() {
    return id;
  }

  /** Its index among the Single backends of its configuration, or -1 (see the constructor). */
  public int slot() {
    return slot;
  }

  public BackendTarget target() {
    return target;
  }

  @Override
  public Upstream upstream() {
    return upstream;
  }

  /** The endpoint of a fixed-URL backend, or {@code null} for a registry service. */
  public Endpoint fixedEndpoint() {
    return fixedEndpoint;
  }

  public LoadBalancingConfig loadBalancing() {
    return loadBalancing;
  }

  @Override
  public String affinityCookie() {
    return loadBalancing.affinityCookie();
  }

  /** The registry service this backend resolves through, or {@code null} for a fixed URL. */
  public String service() {
    return target instanceof BackendTarget.RegistryService s ? s.service() : null;
  }

  @Override
  public String toString() {
    return "SingleBackend[" + id + " -> " + target + "]";
  }
}
