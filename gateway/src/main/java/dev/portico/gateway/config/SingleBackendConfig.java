package dev.portico.gateway.config;

/**
 * A {@code Single} backend: one URL, which is either an absolute {@code http(s)://} base URL or the
 * name of a service in the discovery registry.
 *
 * @param target what the URL names
 * @param credentials credentials added to every request (named values already substituted)
 * @param tls certificate validation towards an https target
 * @param timeouts connect and response timeouts
 * @param breaker circuit breaker rules (per endpoint)
 * @param loadBalancing how requests spread over a registry service's instances
 * @param protocol HTTP/1.1 or HTTP/2 towards the endpoints (issue 14: {@code protocol}, {@code
 *     maxConcurrentStreams})
 */
public record SingleBackendConfig(
    String id,
    String title,
    BackendTarget target,
    Credentials credentials,
    TlsConfig tls,
    Timeouts timeouts,
    CircuitBreakerConfig breaker,
    LoadBalancingConfig loadBalancing,
    BackendProtocol protocol)
    implements BackendConfig {

  public SingleBackendConfig {
    protocol = protocol == null ? BackendProtocol.HTTP1 : protocol;
  }
}
