package dev.portico.gateway.backend;

import dev.portico.discovery.HttpUrl;
import dev.portico.discovery.ServiceInstance;

/**
 * A concrete place to send a request, precomputed once per registry snapshot (or once per
 * configuration for fixed URLs) so the hot path allocates nothing to address a backend.
 *
 * @param key {@code host:port}, the identity of the endpoint across registry updates
 * @param basePath path prefix on the endpoint, {@code ""} or starting with {@code /}
 * @param authority the value of the {@code Host} header sent to it
 * @param instanceId registry record id, or {@code null} for a fixed URL
 * @param weight relative weight among a service's instances (metadata {@code weight}, default 1)
 * @param priority priority among a service's instances, lower preferred (metadata {@code priority},
 *     default 0)
 */
public record Endpoint(
    String key,
    String host,
    int port,
    boolean ssl,
    String basePath,
    String authority,
    String instanceId,
    int weight,
    int priority) {

  /**
   * An endpoint with the default weight and priority: a fixed URL, or a Service Fabric listener of
   * record {@code instanceId}.
   */
  public static Endpoint of(HttpUrl url, String instanceId) {
    return new Endpoint(
        url.host() + ":" + url.port(),
        url.host(),
        url.port(),
        url.ssl(),
        url.path(),
        url.authority(),
        instanceId,
        1,
        0);
  }

  public static Endpoint of(ServiceInstance i) {
    return new Endpoint(
        i.endpointKey(),
        i.host(),
        i.port(),
        i.ssl(),
        i.root(),
        i.authority(),
        i.id(),
        intMetadata(i, "weight", 1, 0, 1000),
        intMetadata(i, "priority", 0, 0, 1000));
  }

  private static int intMetadata(ServiceInstance i, String key, int def, int min, int max) {
    String v = i.metadata(key);
    if (v == null) {
      return def;
    }
    try {
      return Math.max(min, Math.min(max, (int) Double.parseDouble(v.trim())));
    } catch (NumberFormatException e) {
      return def;
    }
  }
}
