package dev.portico.gateway.config;

import dev.portico.discovery.HttpUrl;
import dev.portico.fabric.FabricName;

/**
 * What a {@code Single} backend's URL names. Closed: a fixed URL, a registry service, or a Service
 * Fabric service ({@code fabric:/App/Service}), which makes the backend a Service Fabric backend.
 */
public sealed interface BackendTarget {

  /**
   * An absolute base URL, fixed at configuration time.
   *
   * @param url as configured (named values substituted)
   * @param address the URL parsed (no query or fragment: the binder refuses them)
   */
  record FixedUrl(String url, HttpUrl address) implements BackendTarget {
    public boolean ssl() {
      return address.ssl();
    }

    public String host() {
      return address.host();
    }

    public int port() {
      return address.port();
    }

    /**
     * Path prefix on the endpoint, {@code ""} or starting with {@code /}, no trailing {@code /}.
     */
    public String basePath() {
      return address.path();
    }

    public String authority() {
      return address.authority();
    }
  }

  /** A service of the discovery registry, resolved to one of its UP instances per request. */
  record RegistryService(String service) implements BackendTarget {}

  /**
   * A Service Fabric service, resolved per request to a partition (by key), a replica and a
   * listener from the registry's Service Fabric records.
   *
   * @param cluster the backend's {@code serviceFabricCluster} block ({@link
   *     ServiceFabricCluster#DEFAULT} when absent)
   */
  record ServiceFabric(FabricName service, ServiceFabricCluster cluster) implements BackendTarget {}
}
