package dev.portico.gateway.backend;

import dev.portico.fabric.FabricName;
import dev.portico.gateway.config.FabricBackendConfig;

/**
 * A Service Fabric backend ({@code url: fabric:/App/Service}): requests are not balanced over a
 * list of endpoints but resolved, per request, to the partition owning their key, a replica of the
 * kind asked for and one of its listeners, from the resolver's immutable index. Each resolved
 * listener endpoint gets its own circuit breaker in {@link BackendStates}, under this backend's id.
 */
public final class FabricBackend implements Backend {

  private final String id;
  private final FabricName service;
  private final Upstream upstream;
  private final int maxPartitionResolutionRetries;

  public FabricBackend(FabricBackendConfig config) {
    this.id = config.id();
    this.service = config.service();
    this.upstream =
        new Upstream(
            config.id(),
            config.credentials(),
            config.tls(),
            config.timeouts(),
            config.breaker(),
            config.protocol());
    this.maxPartitionResolutionRetries = config.cluster().maxPartitionResolutionRetries();
  }

  /**
   * The listener compatible with Service Fabric's reverse proxy: no service of its own, every
   * request names one.
   */
  public FabricBackend(String id, Upstream upstream, int maxRetries) {
    this.id = id;
    this.service = null;
    this.upstream = upstream;
    this.maxPartitionResolutionRetries = maxRetries;
  }

  @Override
  public String id() {
    return id;
  }

  /**
   * The service the backend's URL names ({@code null} for the reverse-proxy listener's backend).
   */
  public FabricName service() {
    return service;
  }

  @Override
  public Upstream upstream() {
    return upstream;
  }

  /** Re-resolutions, each followed by a resend, allowed per request. */
  public int maxPartitionResolutionRetries() {
    return maxPartitionResolutionRetries;
  }

  /** A resolved replica is chosen by key and replica type, never by a cookie. */
  @Override
  public String affinityCookie() {
    return null;
  }

  @Override
  public String toString() {
    return "FabricBackend[" + id + " -> " + service + "]";
  }
}
