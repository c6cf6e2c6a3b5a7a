package dev.portico.gateway.config;

import dev.portico.fabric.FabricName;
import java.util.ArrayList;
import java.util.List;

/**
 * A Service Fabric backend ({@code url: fabric:/App/Service}): requests are resolved per request to
 * the partition owning their key, a replica and one of its listeners, not balanced over a list of
 * endpoints (so it has no {@code loadBalancing}, and no pool may hold it).
 *
 * @param service the service the URL names
 * @param cluster the {@code serviceFabricCluster} block ({@link ServiceFabricCluster#DEFAULT} when
 *     absent)
 * @param credentials credentials added to every request (named values already substituted)
 * @param tls certificate validation towards https replica endpoints
 * @param timeouts connect and response timeouts
 * @param breaker circuit breaker rules (per resolved endpoint)
 * @param protocol HTTP/1.1 or HTTP/2 towards the replicas (issue 14)
 */
public record FabricBackendConfig(
    String id,
    String title,
    FabricName service,
    ServiceFabricCluster cluster,
    Credentials credentials,
    TlsConfig tls,
    Timeouts timeouts,
    CircuitBreakerConfig breaker,
    BackendProtocol protocol)
    implements BackendConfig {

  public FabricBackendConfig {
    protocol = protocol == null ? BackendProtocol.HTTP1 : protocol;
  }

  /**
   * The configured backends with each Single backend whose URL names a Service Fabric service made
   * the Service Fabric variant: the one place the kind of a backend is decided from its URL.
   */
  public static List<BackendConfig> variants(List<BackendConfig> bound) {
    List<BackendConfig> out = new ArrayList<>(bound.size());
    for (BackendConfig b : bound) {
      if (b instanceof SingleBackendConfig s
          && s.target() instanceof BackendTarget.ServiceFabric sf) {
        out.add(
            new FabricBackendConfig(
                s.id(),
                s.title(),
                sf.service(),
                sf.cluster(),
                s.credentials(),
                s.tls(),
                s.timeouts(),
                s.breaker(),
                s.protocol()));
      } else {
        out.add(b);
      }
    }
    return out;
  }
}
