package dev.portico.gateway.config;

import dev.portico.fabric.importer.ImporterConfig;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated configuration of one gateway process. Built only by {@link ConfigLoader}; every
 * value has been checked and every default applied, so consumers never re-validate.
 *
 * @param source where it came from (a file path, or {@code <built-in default>})
 * @param gatewayId this gateway's hop marker id (the {@code Via} token that detects loops)
 * @param eventLoops event loops, and so routing verticles sharing the traffic port
 * @param listeners the traffic and management listeners
 * @param upstream connection pool settings towards backends
 * @param registry which registry to use and the instances to publish at start-up
 * @param namedValues named values, resolved
 * @param backends backends by declaration order
 * @param apis APIs by declaration order
 * @param demo whether to start the built-in demo backends
 * @param metrics what {@code /metrics} exposes
 * @param accessLog the structured access log
 * @param admin the admin API ({@link AdminConfig#OFF} unless a token is configured)
 * @param gatewayIdConfigured whether {@code gateway.id} was configured (else it was generated at
 *     load)
 * @param nativeTransport use Netty's native transport (epoll) when it loads on this platform
 * @param shutdown how a SIGTERM/SIGINT drains the gateway
 * @param policies the global scope's {@code policies}, bound (compiled with the routing state)
 * @param policySettings gateway-wide policy settings
 * @param tracing OpenTelemetry spans and their export ({@link TracingConfig#DEFAULT}: off)
 */
public record GatewayConfig(
    String source,
    String gatewayId,
    int eventLoops,
    Listeners listeners,
    UpstreamConfig upstream,
    RegistryConfig registry,
    List<NamedValue> namedValues,
    List<BackendConfig> backends,
    List<ApiConfig> apis,
    DemoConfig demo,
    MetricsConfig metrics,
    AccessLogConfig accessLog,
    AdminConfig admin,
    boolean gatewayIdConfigured,
    boolean nativeTransport,
    ShutdownConfig shutdown,
    PolicyScopeConfig policies,
    PolicySettings policySettings,
    TracingConfig tracing) {

  public GatewayConfig {
    namedValues = List.copyOf(namedValues);
    backends = List.copyOf(backends);
    apis = List.copyOf(apis);
    metrics = metrics == null ? MetricsConfig.DEFAULT : metrics;
    accessLog = accessLog == null ? AccessLogConfig.DEFAULT : accessLog;
    admin = admin == null ? AdminConfig.OFF : admin;
    shutdown = shutdown == null ? ShutdownConfig.DEFAULT : shutdown;
    policies = policies == null ? PolicyScopeConfig.INHERIT : policies;
    policySettings = policySettings == null ? PolicySettings.DEFAULT : policySettings;
    tracing = tracing == null ? TracingConfig.DEFAULT : tracing;
  }

  /**
   * The same configuration under another hop marker id (a reload keeps the running gateway's
   * generated id).
   */
  public GatewayConfig withGatewayId(String id) {
    return new GatewayConfig(
        source,
        id,
        eventLoops,
        listeners,
        upstream,
        registry,
        namedValues,
        backends,
        apis,
        demo,
        metrics,
        accessLog,
        admin,
        gatewayIdConfigured,
        nativeTransport,
        shutdown,
        policies,
        policySettings,
        tracing);
  }

  public Optional<BackendConfig> backend(String id) {
    return backends.stream().filter(b -> b.id().equals(id)).findFirst();
  }

  /**
   * One importer per distinct Service Fabric cluster, in declaration order: backends naming the
   * same management endpoints share it (the binder gave them one configuration and one name).
   */
  public List<ImporterConfig> fabricImporters() {
    Map<String, ImporterConfig> byName = new LinkedHashMap<>();
    for (BackendConfig b : backends) {
      if (b instanceof FabricBackendConfig sf && sf.cluster().importer() != null) {
        byName.putIfAbsent(sf.cluster().importer().name(), sf.cluster().importer());
      }
    }
    return new ArrayList<>(byName.values());
  }
}
