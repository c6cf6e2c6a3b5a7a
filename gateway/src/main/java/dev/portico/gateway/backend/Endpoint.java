package dev.portico.gateway.backend;

import dev.portico.discovery.ServiceInstance;

/**
 * A concrete place to send a request, precomputed once per registry snapshot (or once per
 * configuration for fixed URLs) so the hot path allocates nothing to address a backend.
 *
 * @param key        {@code host:port}, the identity of the endpoint across registry updates
 * @param basePath   path prefix on the endpoint, {@code ""} or starting with {@code /}
 * @param authority  the value of the {@code Host} header sent to it
 * @param instanceId registry record id, or {@code null} for a fixed URL
 */
public record Endpoint(String key, String host, int port, boolean ssl, String basePath, String authority,
                       String instanceId) {

  public static Endpoint of(ServiceInstance i) {
    return new Endpoint(i.endpointKey(), i.host(), i.port(), i.ssl(), i.root(), i.authority(), i.id());
  }
}
