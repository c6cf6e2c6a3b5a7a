package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The defaults live in the configuration's schema: an empty configuration binds to the defaults the
 * records name for callers that build a configuration in code ({@code DEFAULT} constants), so the
 * two cannot drift apart.
 */
class SchemaDefaultsTest {

  private final GatewayConfig empty = ConfigLoader.fromJson("<empty>", new JsonObject(), Map.of());

  @Test
  void sectionsBoundFromTheSchemaEqualTheRecordsDefaults() {
    assertThat(empty.shutdown()).isEqualTo(ShutdownConfig.DEFAULT);
    assertThat(empty.metrics()).isEqualTo(MetricsConfig.DEFAULT);
    assertThat(empty.accessLog()).isEqualTo(AccessLogConfig.DEFAULT);
    assertThat(empty.policySettings()).isEqualTo(PolicySettings.DEFAULT);
    assertThat(empty.listeners().traffic().timeouts()).isEqualTo(ClientTimeouts.DEFAULT);
    assertThat(empty.listeners().management().timeouts()).isEqualTo(ClientTimeouts.DEFAULT);
    assertThat(empty.listeners().serviceFabricReverseProxy().timeouts())
        .isEqualTo(ClientTimeouts.DEFAULT);
    assertThat(empty.listeners().serviceFabricReverseProxy()).isEqualTo(ReverseProxyConfig.OFF);
    assertThat(empty.listeners().traffic().escapedSlashes()).isEqualTo(EscapedSlashes.REJECT);
    assertThat(empty.upstream()).isEqualTo(new UpstreamConfig(100, Duration.ofSeconds(60)));
    assertThat(empty.demo()).isEqualTo(new DemoConfig(false, 2, false));
    assertThat(empty.tracing()).isEqualTo(TracingConfig.DEFAULT);
    // the registry's defaults are the discovery module's and Vert.x's
    assertThat(empty.registry().backend()).isEqualTo(RegistryConfig.LOCAL);
    assertThat(empty.registry().announceAddress())
        .isEqualTo(io.vertx.servicediscovery.ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS);
    assertThat(empty.registry().refreshInterval())
        .isEqualTo(dev.portico.discovery.RegistryOptions.DEFAULT_REFRESH);
    assertThat(empty.registry().timeout())
        .isEqualTo(dev.portico.discovery.RegistryOptions.DEFAULT_CALL_TIMEOUT);
    GatewayConfig redis =
        ConfigLoader.fromJson(
            "<redis>",
            new JsonObject()
                .put(
                    "registry",
                    new JsonObject()
                        .put("backend", "redis")
                        .put("redis", new JsonObject().put("endpoint", "redis://127.0.0.1:6379"))),
            Map.of());
    assertThat(redis.registry().redis().key()).isEqualTo(RegistryConfig.Redis.DEFAULT_KEY);
    assertThat(redis.registry().redis().maxPoolSize()).isEqualTo(RegistryConfig.Redis.DEFAULT_POOL);
  }

  @Test
  void backendsAndApisBoundFromTheSchemaEqualTheRecordsDefaults() {
    GatewayConfig c =
        ConfigLoader.fromJson(
            "<test>",
            new JsonObject()
                .put(
                    "backends",
                    new io.vertx.core.json.JsonArray()
                        .add(new JsonObject().put("id", "b").put("url", "http://127.0.0.1:1"))
                        .add(
                            new JsonObject()
                                .put("id", "p")
                                .put("type", "Pool")
                                .put(
                                    "pool",
                                    new JsonObject()
                                        .put(
                                            "services",
                                            new io.vertx.core.json.JsonArray()
                                                .add(new JsonObject().put("id", "b"))))))
                .put(
                    "apis",
                    new io.vertx.core.json.JsonArray()
                        .add(
                            new JsonObject()
                                .put("id", "a")
                                .put("path", "/a")
                                .put("backend", "b")
                                .put("retry", new JsonObject().put("count", 1))
                                .put("websocket", new JsonObject()))),
            Map.of());
    SingleBackendConfig b = (SingleBackendConfig) c.backends().get(0);
    assertThat(b.tls()).isEqualTo(TlsConfig.DEFAULT);
    assertThat(b.timeouts()).isEqualTo(Timeouts.DEFAULT);
    assertThat(b.breaker()).isEqualTo(CircuitBreakerConfig.DEFAULT);
    assertThat(b.loadBalancing()).isEqualTo(LoadBalancingConfig.DEFAULT);
    assertThat(b.protocol()).isEqualTo(BackendProtocol.HTTP1);
    PoolBackendConfig p = (PoolBackendConfig) c.backends().get(1);
    assertThat(p.members()).containsExactly(new PoolBackendConfig.Member("b", 0, 1));
    ApiConfig a = c.apis().get(0);
    RetryConfig none = RetryConfig.NONE;
    assertThat(a.retry())
        .isEqualTo(
            new RetryConfig(
                1,
                none.statusCodes(),
                RetryConfig.DEFAULT_ERROR_REASONS,
                none.methods(),
                none.bufferBodyLimit(),
                none.backoffBase(),
                none.backoffMax(),
                none.budgetRatio(),
                none.budgetMinPerSecond(),
                none.grpcStatuses()));
    assertThat(a.websocket()).isEqualTo(WebSocketConfig.DEFAULT);
  }

  @Test
  void aServiceFabricClustersImporterBoundFromTheSchemaHasTheAdaptersDefaults() {
    GatewayConfig c =
        ConfigLoader.fromJson(
            "<test>",
            new JsonObject()
                .put(
                    "backends",
                    new io.vertx.core.json.JsonArray()
                        .add(
                            new JsonObject()
                                .put("id", "sf")
                                .put("url", "fabric:/App/Svc")
                                .put(
                                    "serviceFabricCluster",
                                    new JsonObject()
                                        .put(
                                            "managementEndpoints",
                                            new io.vertx.core.json.JsonArray()
                                                .add("http://127.0.0.1:19080"))
                                        .put("importer", new JsonObject())))),
            Map.of());
    FabricBackendConfig b = (FabricBackendConfig) c.backends().get(0);
    assertThat(b.cluster().maxPartitionResolutionRetries())
        .isEqualTo(ServiceFabricCluster.DEFAULT_MAX_PARTITION_RESOLUTION_RETRIES);
    dev.portico.fabric.importer.ImporterConfig i = b.cluster().importer();
    assertThat(i.interval()).isEqualTo(dev.portico.fabric.importer.ImporterConfig.DEFAULT_INTERVAL);
    assertThat(i.requestTimeout())
        .isEqualTo(dev.portico.fabric.importer.ImporterConfig.DEFAULT_REQUEST_TIMEOUT);
    assertThat(i.staleAfterFailures())
        .isEqualTo(dev.portico.fabric.importer.ImporterConfig.DEFAULT_STALE_AFTER_FAILURES);
    assertThat(i.parallelism())
        .isEqualTo(dev.portico.fabric.importer.ImporterConfig.DEFAULT_PARALLELISM);
    assertThat(i.batchSize())
        .isEqualTo(dev.portico.fabric.importer.ImporterConfig.DEFAULT_BATCH_SIZE);
    assertThat(i.reresolveInterval())
        .isEqualTo(dev.portico.fabric.importer.ImporterConfig.DEFAULT_RERESOLVE_INTERVAL);
  }

  @Test
  void aDnsSourceBoundFromTheSchemaHasTheDiscoveryModulesDefaults() {
    GatewayConfig c =
        ConfigLoader.fromJson(
            "<test>",
            new JsonObject()
                .put(
                    "registry",
                    new JsonObject()
                        .put(
                            "sources",
                            new io.vertx.core.json.JsonArray()
                                .add(
                                    new JsonObject()
                                        .put("type", "dns-srv")
                                        .put("service", "x")
                                        .put("name", "_x._tcp.x")))),
            Map.of());
    var dns = (dev.portico.discovery.sources.DnsSrvOptions) c.registry().sources().get(0);
    assertThat(dns.minInterval())
        .isEqualTo(dev.portico.discovery.sources.DnsSrvOptions.DEFAULT_MIN_INTERVAL);
    assertThat(dns.maxInterval())
        .isEqualTo(dev.portico.discovery.sources.DnsSrvOptions.DEFAULT_MAX_INTERVAL);
    assertThat(dns.timeout())
        .isEqualTo(dev.portico.discovery.sources.DnsSrvOptions.DEFAULT_TIMEOUT);
    assertThat(dns.ssl()).isFalse();
    assertThat(dns.resolveTargets()).isTrue();
  }

  @Test
  void aGivenFieldKeepsItsSectionsOtherDefaults() {
    GatewayConfig c =
        ConfigLoader.fromJson(
            "<test>",
            new JsonObject()
                .put(
                    "gateway",
                    new JsonObject().put("shutdown", new JsonObject().put("delay", "PT5S")))
                .put("upstream", new JsonObject().put("maxConnectionsPerEndpoint", 7))
                .put("metrics", new JsonObject().put("jvm", false)),
            Map.of());
    assertThat(c.shutdown())
        .isEqualTo(new ShutdownConfig(Duration.ofSeconds(5), ShutdownConfig.DEFAULT.gracePeriod()));
    assertThat(c.upstream()).isEqualTo(new UpstreamConfig(7, Duration.ofSeconds(60)));
    assertThat(c.metrics())
        .isEqualTo(new MetricsConfig(true, false, true, false, java.util.List.of()));
  }

  @Test
  void aWrongValueFallsBackToItsDefaultAndProblemsKeepTheirOrder() {
    ConfigException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            ConfigException.class,
            () ->
                ConfigLoader.fromJson(
                    "<test>",
                    new JsonObject()
                        .put(
                            "tracing",
                            new JsonObject()
                                .put("endpoint", "ftp://x")
                                .put("scheduleDelay", "soon")
                                .put("maxQueueSize", "many")),
                    Map.of()));
    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactly("tracing.maxQueueSize", "tracing.endpoint", "tracing.scheduleDelay");
    assertThat(e.problems().get(2).reason())
        .isEqualTo("'soon' is not an ISO 8601 duration (examples: PT30S, PT0.5S, PT2M, P1D)");
  }

  @Test
  void aValueOutsideItsEnumerationFallsBackAloneTheSectionsOtherFieldsStay() {
    ConfigException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            ConfigException.class,
            () ->
                ConfigLoader.fromJson(
                    "<test>",
                    new JsonObject()
                        .put(
                            "listeners",
                            new JsonObject()
                                .put(
                                    "traffic",
                                    new JsonObject()
                                        .put("port", 9090)
                                        .put("escapedSlashes", "sometimes"))),
                    Map.of()));
    // the traffic port is still 9090, so it still collides with the management listener's default
    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactly("listeners.traffic.escapedSlashes", "listeners.management.port");
  }

  @Test
  void aWholeNumberBeyondAnIntIsAProblemWhereTheSchemaSetsNoBound() {
    ConfigException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            ConfigException.class,
            () ->
                ConfigLoader.fromJson(
                    "<test>",
                    new JsonObject()
                        .put(
                            "policySettings",
                            new JsonObject().put("maxKeysPerLimit", 3_000_000_000L)),
                    Map.of()));
    assertThat(e.problems())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "<test>: policySettings.maxKeysPerLimit: must be at most 2147483647, got 3000000000");
  }
}
