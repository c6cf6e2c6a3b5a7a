package dev.portico.gateway.config;

/**
 * A named target of APIs, as configured. A closed set: {@code Single} now; {@code Pool} and
 * Service Fabric backends join it as their own records.
 */
public sealed interface BackendConfig permits SingleBackendConfig {

  String id();
}
