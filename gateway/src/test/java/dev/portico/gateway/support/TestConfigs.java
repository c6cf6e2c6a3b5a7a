package dev.portico.gateway.support;

import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.BackendProtocol;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.BreakerRuleConfig;
import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.config.Credentials;
import dev.portico.gateway.config.LoadBalancingConfig;
import dev.portico.gateway.config.OperationConfig;
import dev.portico.gateway.config.RetryConfig;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.config.Timeouts;
import dev.portico.gateway.config.TlsConfig;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Configuration records for tests that build them in code: the fields a test does not care about
 * take the values a configuration file without them binds to (no fabric attributes, inherited
 * policies, no OpenAPI document, no WebSocket, no gRPC statuses, no probe timeout, HTTP/1.1).
 */
public final class TestConfigs {

  private TestConfigs() {}

  public static ApiConfig api(
      String id, String path, String backend, List<OperationConfig> operations, RetryConfig retry) {
    return new ApiConfig(
        id, path, backend, operations, retry, null, PolicyScopeConfig.INHERIT, null, null);
  }

  public static OperationConfig operation(String id, String method, String path, String backend) {
    return new OperationConfig(
        id, method, path, backend, null, PolicyScopeConfig.INHERIT, null, false);
  }

  /** A Single backend with the default credentials, TLS, timeouts, breaker and balancing. */
  public static SingleBackendConfig single(String id, BackendTarget target) {
    return new SingleBackendConfig(
        id,
        id,
        target,
        Credentials.NONE,
        TlsConfig.DEFAULT,
        Timeouts.DEFAULT,
        CircuitBreakerConfig.DEFAULT,
        LoadBalancingConfig.DEFAULT,
        BackendProtocol.HTTP1);
  }

  public static BreakerRuleConfig rule(
      String name,
      Integer count,
      Integer percentage,
      Duration interval,
      List<BreakerRuleConfig.StatusRange> statusCodeRanges,
      Set<String> errorReasons,
      int minimumRequests,
      Duration tripDuration,
      boolean acceptRetryAfter) {
    return new BreakerRuleConfig(
        name,
        count,
        percentage,
        interval,
        statusCodeRanges,
        errorReasons,
        minimumRequests,
        tripDuration,
        acceptRetryAfter,
        Set.of());
  }

  public static CircuitBreakerConfig breaker(
      List<BreakerRuleConfig> rules, int halfOpenRequests, Duration maxRetryAfter) {
    return new CircuitBreakerConfig(rules, halfOpenRequests, maxRetryAfter, null);
  }
}
