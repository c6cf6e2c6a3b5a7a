package dev.portico.gateway.config;

/**
 * A named target of APIs, as configured. A closed set: {@code Single} (a URL, a registry service)
 * and {@code Pool} (members with priority and weight); Service Fabric backends join it as their own record.
 */
public sealed interface BackendConfig permits SingleBackendConfig, PoolBackendConfig {

  String id();
}
