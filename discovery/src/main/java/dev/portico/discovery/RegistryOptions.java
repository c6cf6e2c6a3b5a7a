package dev.portico.discovery;

import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import io.vertx.servicediscovery.impl.DefaultServiceDiscoveryBackend;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the registry.
 *
 * @param announceAddress event bus address of the registry's announcements
 * @param backendName     the Vert.x Service Discovery backend ({@code null}: the local/cluster-wide map)
 * @param backendConfig   configuration handed to the backend (e.g. the Redis connection)
 * @param refreshInterval how often the snapshot is rebuilt even without announcements (a safety net,
 *                        and the only signal for backends whose writers live in other processes)
 */
public record RegistryOptions(String announceAddress, String backendName, JsonObject backendConfig,
                              Duration refreshInterval) {

  public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);

  public RegistryOptions {
    Objects.requireNonNull(announceAddress, "announceAddress");
    backendConfig = backendConfig == null ? new JsonObject() : backendConfig.copy();
    refreshInterval = refreshInterval == null ? DEFAULT_REFRESH : refreshInterval;
  }

  public static RegistryOptions local() {
    return new RegistryOptions(ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS, null, null, DEFAULT_REFRESH);
  }

  public RegistryOptions withRefreshInterval(Duration interval) {
    return new RegistryOptions(announceAddress, backendName, backendConfig, interval);
  }

  ServiceDiscoveryOptions toDiscoveryOptions() {
    JsonObject conf = backendConfig.copy();
    // Name the backend explicitly: Service Discovery otherwise takes whichever backend the
    // ServiceLoader finds first on the classpath, which silently changes with dependencies.
    conf.put("backend-name", backendName == null ? DefaultServiceDiscoveryBackend.class.getName() : backendName);
    return new ServiceDiscoveryOptions().setAnnounceAddress(announceAddress).setBackendConfiguration(conf);
  }
}
