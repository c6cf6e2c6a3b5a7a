package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.array;
import static dev.portico.discovery.json.LenientJson.object;

import dev.portico.gateway.config.AdminConfig;
import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.DemoConfig;
import dev.portico.gateway.config.FabricBackendConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.Listeners;
import dev.portico.gateway.config.PolicySettings;
import dev.portico.gateway.config.RegistryConfig;
import dev.portico.gateway.config.ShutdownConfig;
import dev.portico.gateway.config.UpstreamConfig;
import dev.portico.gateway.document.SchemaCheck;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns a raw configuration (already checked against the schema) into a {@link GatewayConfig}: the
 * sections in the order they refer to each other (named values and certificates first, listeners
 * before the backends that must not loop back into them, backends before the APIs that name them),
 * each bound by the part for its concern. It is tolerant of values the schema already rejected
 * (they fall back to defaults) so that one run reports every problem.
 */
final class ConfigBinder extends Binding {

  private final JsonObject raw;
  private final RegistryBinder registry = new RegistryBinder(this);
  private final ObservabilityBinder observability = new ObservabilityBinder(this);
  private final BreakerBinder breakers = new BreakerBinder(this);
  private final ListenerBinder listeners = new ListenerBinder(this, breakers);
  private final BackendBinder backends =
      new BackendBinder(this, new FabricClusters(this), breakers);
  private final OpenApiBinder openApi = new OpenApiBinder(this);
  private final PolicyScopes policies = new PolicyScopes(this);
  private final ApiBinder apis = new ApiBinder(this, openApi, policies);

  public ConfigBinder(
      JsonObject raw,
      Map<String, String> env,
      Map<String, String> origins,
      LocalAddresses localAddresses) {
    super(new Problems(origins), env, localAddresses);
    this.raw = raw;
  }

  public List<SchemaCheck.FieldProblem> problems() {
    return problems.list();
  }

  /**
   * Where {@code apis[].openapi} documents are read from; without it an API naming one is a
   * problem.
   */
  public ConfigBinder openApi(OpenApiLoading loading) {
    openApi.loading(loading);
    return this;
  }

  /** {@code gateway}'s own fields; {@code eventLoops} defaults to the machine's cores. */
  private record GatewayFields(String id, Integer eventLoops, boolean nativeTransport) {}

  public GatewayConfig bind(String source) {
    JsonObject gw = object(raw, "gateway");
    GatewayFields g = sections.bindFields(gw, "gateway", GatewayFields.class);
    String gatewayId = g.id();
    if (gatewayId == null) {
      gatewayId =
          "portico-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    }
    // listeners and backends refer to named values and certificates
    namedValues.bind(array(raw, "namedValues"));
    certificates.bind(array(raw, "certificates"));
    Listeners listeners = this.listeners.listeners(object(raw, "listeners"));
    UpstreamConfig upstream =
        sections.bind(object(raw, "upstream"), "upstream", UpstreamConfig.class);
    RegistryConfig registry = this.registry.registry(object(raw, "registry"), listeners);
    List<BackendConfig> backends = this.backends.backends(array(raw, "backends"), listeners);
    // may add the implicit backends of set-backend-service base-urls
    List<ApiConfig> apis =
        this.apis.apis(
            array(raw, "apis"),
            new BackendReferences(this, this.backends.ids(), backends, listeners));
    DemoConfig demoConfig = sections.bind(object(raw, "demo"), "demo", DemoConfig.class);
    // one event loop per core, like nginx's worker_processes auto: more only adds context switches
    int eventLoops =
        g.eventLoops() != null ? g.eventLoops() : Runtime.getRuntime().availableProcessors();
    PolicyScopeConfig globalPolicies =
        policies.scope("policies", raw.getValue("policies"), null, true);
    PolicySettings policySettings =
        sections.bind(object(raw, "policySettings"), "policySettings", PolicySettings.class);
    return new GatewayConfig(
        source,
        gatewayId,
        eventLoops,
        listeners,
        upstream,
        registry,
        namedValues.values(),
        FabricBackendConfig.variants(backends),
        apis,
        demoConfig,
        observability.metrics(object(raw, "metrics")),
        observability.accessLog(object(raw, "accessLog")),
        admin(object(raw, "admin")),
        g.id() != null,
        g.nativeTransport(),
        shutdown(object(gw, "shutdown")),
        globalPolicies,
        policySettings,
        observability.tracing(object(raw, "tracing")));
  }

  private ShutdownConfig shutdown(JsonObject s) {
    // no delay (PT0S, the schema's default) is a valid choice: the listeners close at the signal
    ShutdownConfig bound =
        sections.bind(s, "gateway.shutdown", "gateway.shutdown", ShutdownConfig.class);
    Duration delay = bound.delay();
    Duration grace = bound.gracePeriod();
    if (delay.compareTo(grace) >= 0) {
      problem(
          s.containsKey("delay") ? "gateway.shutdown.delay" : "gateway.shutdown.gracePeriod",
          "the delay ("
              + delay
              + ") must be shorter than the grace period ("
              + grace
              + "), which counts from the signal");
    }
    return new ShutdownConfig(delay, grace);
  }

  private AdminConfig admin(JsonObject a) {
    String token = a.getValue("token") instanceof String t ? t : null;
    if (token == null) {
      return AdminConfig.OFF;
    }
    token = namedValues.substitute("admin.token", token);
    if (token.strip().length() < AdminConfig.MIN_TOKEN_LENGTH) {
      problem(
          "admin.token",
          "must be at least "
              + AdminConfig.MIN_TOKEN_LENGTH
              + " characters: the admin API can"
              + " take endpoints out of service (use a random secret, e.g. a named value from the environment)");
      return AdminConfig.OFF;
    }
    return new AdminConfig(token.strip());
  }
}
