package dev.portico.gateway.config;

import dev.portico.discovery.InstanceSpec;

import java.time.Duration;
import java.util.List;

/**
 * The discovery registry and what to publish into it at start-up.
 *
 * @param backend         {@code local}: the Vert.x shared map of this process (or of the cluster when clustered)
 * @param announceAddress event bus address of the registry's announcements
 * @param refreshInterval periodic snapshot rebuild, in addition to announcements
 * @param instances       records published when the gateway starts and unpublished when it stops
 */
public record RegistryConfig(String backend, String announceAddress, Duration refreshInterval,
                             List<InstanceSpec> instances) {
  public RegistryConfig {
    instances = List.copyOf(instances);
  }
}
