package dev.portico.gateway.config;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.RegistryOptions;
import dev.portico.discovery.sources.SourceOptions;
import java.time.Duration;
import java.util.List;

/**
 * The discovery registry and what to publish into it at start-up.
 *
 * @param backend {@code local}: the Vert.x shared map of this process; {@code redis}: a Redis hash
 *     shared by every gateway that names it ({@link #redis()})
 * @param redis the Redis connection when {@code backend} is {@code redis}, else {@code null}
 * @param announceAddress event bus address of the registry's announcements
 * @param refreshInterval periodic snapshot rebuild, in addition to announcements
 * @param timeout bound on each registry call
 * @param instances records published when the gateway starts; with a local registry they are
 *     unpublished when it stops, with a shared one they are declared (see docs)
 * @param sources systems whose instances are imported while the gateway runs (DNS SRV, Kubernetes)
 */
public record RegistryConfig(
    String backend,
    Redis redis,
    String announceAddress,
    Duration refreshInterval,
    Duration timeout,
    List<InstanceSpec> instances,
    List<SourceOptions> sources) {

  public static final String LOCAL = "local";
  public static final String REDIS = "redis";

  public RegistryConfig {
    instances = List.copyOf(instances);
    sources = sources == null ? List.of() : List.copyOf(sources);
  }

  public boolean shared() {
    return REDIS.equals(backend);
  }

  /** How the discovery module reaches this registry. */
  public RegistryOptions options() {
    if (redis == null) {
      return new RegistryOptions(announceAddress, null, null, refreshInterval, timeout);
    }
    return RegistryOptions.redis(
        announceAddress,
        redis.endpoint(),
        redis.password(),
        redis.key(),
        redis.maxPoolSize(),
        refreshInterval,
        timeout);
  }

  /** For logs: the backend and, for Redis, where (never a password). */
  public String describe() {
    return redis == null
        ? backend
        : backend + " at " + redis.safeEndpoint() + ", key " + redis.key();
  }

  /**
   * A Redis server holding the registry.
   *
   * @param endpoint {@code redis://} or {@code rediss://} URL; may carry a password, so it is shown
   *     only through {@link #safeEndpoint()}
   * @param password from a named value; {@code null} when none or when the endpoint carries it
   * @param key the Redis hash holding the records
   * @param maxPoolSize connections per gateway process
   */
  public record Redis(String endpoint, String password, String key, int maxPoolSize) {

    public static final String DEFAULT_KEY = "portico:registry";
    public static final int DEFAULT_POOL = 6;

    /** The endpoint without its user information. */
    public String safeEndpoint() {
      int scheme = endpoint.indexOf("://");
      if (scheme < 0) {
        return endpoint;
      }
      int authorityEnd = endpoint.indexOf('/', scheme + 3);
      int at = endpoint.lastIndexOf('@', authorityEnd < 0 ? endpoint.length() : authorityEnd);
      return at > scheme
          ? endpoint.substring(0, scheme + 3) + "***@" + endpoint.substring(at + 1)
          : endpoint;
    }

    @Override
    public String toString() {
      return "Redis[endpoint="
          + safeEndpoint()
          + ", password="
          + (password == null ? "none" : "***")
          + ", key="
          + key
          + ", maxPoolSize="
          + maxPoolSize
          + "]";
    }
  }
}
