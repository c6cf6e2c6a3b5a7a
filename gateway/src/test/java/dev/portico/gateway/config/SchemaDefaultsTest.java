package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.discovery.RegistryOptions;
import dev.portico.discovery.sources.DnsSrvOptions;
import dev.portico.fabric.importer.ImporterConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The defaults live in the configuration's schema: an empty configuration binds to the defaults the
 * records name for callers that build a configuration in code ({@code DEFAULT} constants), so the
 * two cannot drift apart.
 */
class SchemaDefaultsTest {

  private final GatewayConfig empty = load("{}");

  /** Binds a configuration given as JSON text (a text block reads like the file a user writes). */
  private static GatewayConfig load(String json) {
    return ConfigLoader.fromJson("<test>", new JsonObject(json), Map.of());
  }

  private static ConfigException problemsOf(String json) {
    return catchThrowableOfType(ConfigException.class, () -> load(json));
  }

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
        .isEqualTo(ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS);
    assertThat(empty.registry().refreshInterval()).isEqualTo(RegistryOptions.DEFAULT_REFRESH);
    assertThat(empty.registry().timeout()).isEqualTo(RegistryOptions.DEFAULT_CALL_TIMEOUT);
    GatewayConfig redis =
        load(
            """
            {"registry": {"backend": "redis", "redis": {"endpoint": "redis://127.0.0.1:6379"}}}
            """);
    assertThat(redis.registry().redis().key()).isEqualTo(RegistryConfig.Redis.DEFAULT_KEY);
    assertThat(redis.registry().redis().maxPoolSize()).isEqualTo(RegistryConfig.Redis.DEFAULT_POOL);
  }

  @Test
  void backendsAndApisBoundFromTheSchemaEqualTheRecordsDefaults() {
    GatewayConfig c =
        load(
            """
            {"backends": [{"id": "b", "url": "http://127.0.0.1:1"},
                          {"id": "p", "type": "Pool", "pool": {"services": [{"id": "b"}]}}],
             "apis": [{"id": "a", "path": "/a", "backend": "b", "retry": {"count": 1},
                       "websocket": {}}]}
            """);
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
        load(
            """
            {"backends": [{"id": "sf", "url": "fabric:/App/Svc",
                           "serviceFabricCluster": {
                             "managementEndpoints": ["http://127.0.0.1:19080"], "importer": {}}}]}
            """);
    FabricBackendConfig b = (FabricBackendConfig) c.backends().get(0);
    assertThat(b.cluster().maxPartitionResolutionRetries())
        .isEqualTo(ServiceFabricCluster.DEFAULT_MAX_PARTITION_RESOLUTION_RETRIES);
    ImporterConfig i = b.cluster().importer();
    assertThat(i.interval()).isEqualTo(ImporterConfig.DEFAULT_INTERVAL);
    assertThat(i.requestTimeout()).isEqualTo(ImporterConfig.DEFAULT_REQUEST_TIMEOUT);
    assertThat(i.staleAfterFailures()).isEqualTo(ImporterConfig.DEFAULT_STALE_AFTER_FAILURES);
    assertThat(i.parallelism()).isEqualTo(ImporterConfig.DEFAULT_PARALLELISM);
    assertThat(i.batchSize()).isEqualTo(ImporterConfig.DEFAULT_BATCH_SIZE);
    assertThat(i.reresolveInterval()).isEqualTo(ImporterConfig.DEFAULT_RERESOLVE_INTERVAL);
  }

  @Test
  void aDnsSourceBoundFromTheSchemaHasTheDiscoveryModulesDefaults() {
    GatewayConfig c =
        load(
            """
            {"registry": {"sources": [{"type": "dns-srv", "service": "x", "name": "_x._tcp.x"}]}}
            """);
    var dns = (DnsSrvOptions) c.registry().sources().get(0);
    assertThat(dns.minInterval()).isEqualTo(DnsSrvOptions.DEFAULT_MIN_INTERVAL);
    assertThat(dns.maxInterval()).isEqualTo(DnsSrvOptions.DEFAULT_MAX_INTERVAL);
    assertThat(dns.timeout()).isEqualTo(DnsSrvOptions.DEFAULT_TIMEOUT);
    assertThat(dns.ssl()).isFalse();
    assertThat(dns.resolveTargets()).isTrue();
  }

  @Test
  void aGivenFieldKeepsItsSectionsOtherDefaults() {
    GatewayConfig c =
        load(
            """
            {"gateway": {"shutdown": {"delay": "PT5S"}},
             "upstream": {"maxConnectionsPerEndpoint": 7},
             "metrics": {"jvm": false}}
            """);
    assertThat(c.shutdown())
        .isEqualTo(new ShutdownConfig(Duration.ofSeconds(5), ShutdownConfig.DEFAULT.gracePeriod()));
    assertThat(c.upstream()).isEqualTo(new UpstreamConfig(7, Duration.ofSeconds(60)));
    assertThat(c.metrics()).isEqualTo(new MetricsConfig(true, false, true, false, List.of()));
  }

  @Test
  void aWrongValueFallsBackToItsDefaultAndProblemsKeepTheirOrder() {
    ConfigException e =
        problemsOf(
            """
            {"tracing": {"endpoint": "ftp://x", "scheduleDelay": "soon", "maxQueueSize": "many"}}
            """);
    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactly("tracing.maxQueueSize", "tracing.endpoint", "tracing.scheduleDelay");
    assertThat(e.problems().get(2).reason())
        .isEqualTo("'soon' is not an ISO 8601 duration (examples: PT30S, PT0.5S, PT2M, P1D)");
  }

  @Test
  void aValueOutsideItsEnumerationFallsBackAloneTheSectionsOtherFieldsStay() {
    ConfigException e =
        problemsOf(
            """
            {"listeners": {"traffic": {"port": 9090, "escapedSlashes": "sometimes"}}}
            """);
    // the traffic port is still 9090, so it still collides with the management listener's default
    assertThat(e.problems())
        .extracting(ConfigProblem::path)
        .containsExactly("listeners.traffic.escapedSlashes", "listeners.management.port");
  }

  @Test
  void aWholeNumberBeyondAnIntIsAProblemWhereTheSchemaSetsNoBound() {
    ConfigException e = problemsOf("{\"policySettings\": {\"maxKeysPerLimit\": 3000000000}}");
    assertThat(e.problems())
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "<test>: policySettings.maxKeysPerLimit: must be at most 2147483647, got 3000000000");
  }
}
