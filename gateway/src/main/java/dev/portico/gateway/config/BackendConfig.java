package dev.portico.gateway.config;

/**
 * A named target of APIs, as configured. A closed set: {@code Single} (a URL, a registry service),
 * {@code Pool} (members with priority and weight) and Service Fabric (a {@code fabric:/} service,
 * resolved per request by partition key).
 */
public sealed interface BackendConfig
    permits SingleBackendConfig, PoolBackendConfig, FabricBackendConfig {

  String id();
}
