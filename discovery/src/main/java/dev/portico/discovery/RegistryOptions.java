package dev.portico.discovery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import io.vertx.servicediscovery.backend.redis.RedisBackendService;
import io.vertx.servicediscovery.impl.DefaultServiceDiscoveryBackend;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the registry.
 *
 * @param announceAddress event bus address of the registry's announcements: one per write through
 *     {@link Registry}, one per batch of writes
 * @param backendName the Vert.x Service Discovery backend ({@code null}: the local/cluster-wide
 *     map)
 * @param backendConfig configuration handed to the backend (e.g. the Redis connection)
 * @param refreshInterval how often the snapshot is rebuilt even without announcements (the safety
 *     net for a lost announcement and for writers that bypass {@link Registry})
 * @param callTimeout bound on every registry call: a registry that stops answering fails calls
 *     instead of stalling snapshot rebuilds and publications behind it
 */
public record RegistryOptions(
    String announceAddress,
    String backendName,
    JsonObject backendConfig,
    Duration refreshInterval,
    Duration callTimeout) {

  public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

  public RegistryOptions {
    Objects.requireNonNull(announceAddress, "announceAddress");
    backendConfig = backendConfig == null ? new JsonObject() : backendConfig.copy();
    refreshInterval = refreshInterval == null ? DEFAULT_REFRESH : refreshInterval;
    callTimeout = callTimeout == null ? DEFAULT_CALL_TIMEOUT : callTimeout;
  }

  public static RegistryOptions local() {
    return new RegistryOptions(
        ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS, null, null, DEFAULT_REFRESH, null);
  }

  /**
   * A registry kept in a Redis hash, shared by every process that names the same server and key.
   *
   * @param endpoint {@code redis://[user:password@]host[:port][/db]} or {@code rediss://…}
   * @param password the password when it is not in the endpoint; {@code null} for none
   * @param key the hash holding one field per record
   * @param maxPoolSize connections to Redis per process
   */
  public static RegistryOptions redis(
      String announceAddress,
      String endpoint,
      String password,
      String key,
      int maxPoolSize,
      Duration refreshInterval,
      Duration callTimeout) {
    JsonObject conf =
        new JsonObject()
            .put("endpoints", new JsonArray().add(endpoint))
            .put("key", key)
            .put("maxPoolSize", maxPoolSize)
            // a pool that waits without bound would hide an outage; calls are bounded by
            // callTimeout too
            .put("maxPoolWaiting", 64)
            .put(
                "netClientOptions",
                new JsonObject()
                    .put(
                        "connectTimeout",
                        (int)
                            Math.min(
                                Integer.MAX_VALUE,
                                callTimeout == null
                                    ? DEFAULT_CALL_TIMEOUT.toMillis()
                                    : callTimeout.toMillis())));
    if (password != null) {
      conf.put("password", password);
    }
    return new RegistryOptions(
        announceAddress, RedisBackendService.class.getName(), conf, refreshInterval, callTimeout);
  }

  /** Whether the records are in Redis (and announced across processes through it). */
  public boolean redis() {
    return RedisBackendService.class.getName().equals(backendName);
  }

  public RegistryOptions withRefreshInterval(Duration interval) {
    return new RegistryOptions(announceAddress, backendName, backendConfig, interval, callTimeout);
  }

  ServiceDiscoveryOptions toDiscoveryOptions() {
    JsonObject conf = backendConfig.copy();
    // Name the backend explicitly: Service Discovery otherwise takes whichever backend the
    // ServiceLoader finds first on the classpath, which silently changes with dependencies.
    conf.put(
        "backend-name",
        backendName == null ? DefaultServiceDiscoveryBackend.class.getName() : backendName);
    // Service Discovery announces every record it writes; Registry announces per write or per batch
    // itself, so the per-record announcements go where nobody listens
    return new ServiceDiscoveryOptions()
        .setAnnounceAddress(announceAddress + ".records")
        .setBackendConfiguration(conf);
  }

  @Override
  public String toString() {
    // the backend configuration may hold a password
    return "RegistryOptions[backend="
        + (backendName == null ? "local" : backendName)
        + ", announceAddress="
        + announceAddress
        + ", refreshInterval="
        + refreshInterval
        + ", callTimeout="
        + callTimeout
        + "]";
  }
}
