package dev.portico.gateway.config;

import static dev.portico.gateway.config.ConfigValidationTest.load;
import static dev.portico.gateway.config.ConfigValidationTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.importer.ImporterConfig;
import dev.portico.fabric.resolve.ReplicaSelector;
import dev.portico.gateway.expression.PartitionKeyExpression;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Service Fabric configuration: every new field's errors name the file, the field and the reason.
 */
class ServiceFabricConfigTest {

  @Test
  void aFabricUrlMakesAServiceFabricBackendWithAPMsClusterBlock() {
    GatewayConfig c =
        load(
            """
      backends:
        - id: orders
          url: "fabric:/Shop/Orders"
          serviceFabricCluster:
            managementEndpoints: [ "https://sf.example.com:19080/", "https://sf2.example.com:19080" ]
            maxPartitionResolutionRetries: 7
            serverCertificateThumbprints: [ "0123456789abcdef0123456789abcdef01234567" ]
            serverX509Names: [ { name: sf.example.com } ]
            importer: { interval: PT30S, staleAfterFailures: 5, applications: [ "fabric:/Shop" ] }
        - id: local
          url: "fabric:/Shop/Local"
      listeners:
        serviceFabricReverseProxy: { enabled: true }
      apis:
        - id: orders
          path: /orders
          set-backend-service: { backend-id: orders, sf-partition-key: "header:X-Customer", sf-replica-type: secondary,
                                 sf-listener-name: api, sf-resolve-condition: "status >= 500 || Timeout",
                                 sf-service-instance-name: "fabric:/Shop/Orders2" }
        - id: local
          path: /local
          backend: local
      """);
    FabricBackendConfig sf = (FabricBackendConfig) c.backends().get(0);
    assertThat(sf.service()).isEqualTo(FabricName.of("Shop", "Orders"));
    assertThat(sf.cluster().maxPartitionResolutionRetries()).isEqualTo(7);
    assertThat(sf.cluster().serverCertificateThumbprints())
        .containsExactly("0123456789abcdef0123456789abcdef01234567");
    ImporterConfig importer = sf.cluster().importer();
    assertThat(importer.name()).isEqualTo("sf-orders");
    assertThat(importer.managementEndpoints())
        .containsExactly(
            URI.create("https://sf.example.com:19080"),
            URI.create("https://sf2.example.com:19080"));
    assertThat(importer.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(importer.staleAfter()).isEqualTo(Duration.ofMinutes(3));
    assertThat(importer.staleAfterFailures()).isEqualTo(5);
    assertThat(importer.applications()).containsExactly(FabricName.of("Shop"));
    // APIM's server pins secure the importer's connection
    assertThat(importer.tls().serverCertificateThumbprints())
        .containsExactly("0123456789ABCDEF0123456789ABCDEF01234567");
    assertThat(importer.tls().serverX509Names())
        .containsExactly(new ImporterConfig.ServerName("sf.example.com", null));
    assertThat(importer.tls().clientCertificate()).isNull();
    assertThat(c.fabricImporters()).containsExactly(importer);
    FabricBackendConfig local = (FabricBackendConfig) c.backends().get(1);
    assertThat(local.cluster()).isEqualTo(ServiceFabricCluster.DEFAULT);
    assertThat(local.cluster().maxPartitionResolutionRetries()).isEqualTo(3);

    ApiConfig api = c.apis().get(0);
    assertThat(api.backend()).isEqualTo("orders");
    assertThat(api.fabric().partitionKey())
        .isEqualTo(new PartitionKeyExpression.Header("X-Customer"));
    assertThat(api.fabric().replicaType()).isEqualTo(ReplicaSelector.RANDOM_SECONDARY);
    assertThat(api.fabric().listenerName()).isEqualTo("api");
    assertThat(api.fabric().resolveCondition().text()).isEqualTo("status >= 500 || Timeout");
    assertThat(api.fabric().serviceInstanceName()).isEqualTo(FabricName.of("Shop", "Orders2"));
    assertThat(c.apis().get(1).fabric()).isNull();

    ReverseProxyConfig rp = c.listeners().serviceFabricReverseProxy();
    assertThat(rp.enabled()).isTrue();
    assertThat(rp.port()).isEqualTo(19081);
    assertThat(rp.defaultTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(rp.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(rp.backoffMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(rp.attemptTimeout()).isNull();
    assertThat(load("apis: []").listeners().serviceFabricReverseProxy().enabled()).isFalse();
  }

  @Test
  void backendAndClusterErrorsAreNamed() {
    List<String> p =
        problems(
            """
      backends:
        - { id: app-only, url: "fabric:/Shop" }
        - { id: balanced, url: "fabric:/Shop/B", loadBalancing: { strategy: leastRequests } }
        - { id: plain, url: "http://h:1", serviceFabricCluster: { maxPartitionResolutionRetries: 1 } }
        - { id: too-many, url: "fabric:/Shop/C", serviceFabricCluster: { maxPartitionResolutionRetries: 11 } }
        - { id: ftp, url: "fabric:/Shop/D", serviceFabricCluster: { managementEndpoints: [ "ftp://sf:19080" ] } }
        - { id: no-endpoints, url: "fabric:/Shop/E", serviceFabricCluster: { importer: { interval: PT1S } } }
        - id: bad-importer
          url: "fabric:/Shop/F"
          serviceFabricCluster:
            managementEndpoints: [ "http://sf-f:19080" ]
            importer: { interval: soon, staleAfter: PT0.001S, applications: [ "Shop" ] }
        - id: thumb
          url: "fabric:/Shop/G"
          serviceFabricCluster: { serverCertificateThumbprints: [ "xyz" ] }
        - { id: pool, type: Pool, pool: { services: [ { id: balanced } ] } }
      apis: [ { id: a, path: /a, backend: plain } ]
      """);
    assertThat(p)
        .anyMatch(
            x ->
                x.startsWith("gw.yaml: backends[0].url: Invalid fabric name \"fabric:/Shop\"")
                    && x.contains("a service name (fabric:/App/Service) is required"))
        .contains(
            "gw.yaml: backends[1].loadBalancing: a Service Fabric backend is not balanced: the partition key and"
                + " sf-replica-type choose the replica")
        .contains(
            "gw.yaml: backends[2].serviceFabricCluster: applies only to a backend whose url is a fabric:/App/Service name")
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: backends[3].serviceFabricCluster.maxPartitionResolutionRetries:"))
        .anyMatch(
            x ->
                x.startsWith(
                        "gw.yaml: backends[4].serviceFabricCluster.managementEndpoints: managementEndpoints[0]")
                    && x.contains("http or https"))
        .contains(
            "gw.yaml: backends[5].serviceFabricCluster.importer: imports from managementEndpoints, and there are none")
        .contains(
            "gw.yaml: backends[6].serviceFabricCluster.importer.interval: 'soon' is not an ISO 8601 duration"
                + " (examples: PT30S, PT0.5S, PT2M, P1D)")
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: backends[6].serviceFabricCluster.importer.applications[0]: Invalid fabric name"))
        .anyMatch(
            x -> x.startsWith("gw.yaml: backends[6].serviceFabricCluster.importer: staleAfter"))
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: backends[7].serviceFabricCluster.serverCertificateThumbprints[0]:"))
        .contains(
            "gw.yaml: backends[8].pool.services[0].id: 'balanced' is a Service Fabric backend: a pool balances"
                + " interchangeable endpoints, a Service Fabric service is addressed by partition key; route to it directly");
  }

  @Test
  void clustersAreImportedOnceAndMayNotOverlapOrShareANameOrSettings() {
    List<String> p =
        problems(
            """
      backends:
        - { id: a, url: "fabric:/Shop/A", serviceFabricCluster: { managementEndpoints: [ "http://sf1:19080" ], importer: { interval: PT5S } } }
        - { id: b, url: "fabric:/Shop/B", serviceFabricCluster: { managementEndpoints: [ "http://SF1:19080/" ], importer: { interval: PT9S } } }
        - { id: c, url: "fabric:/Shop/C", serviceFabricCluster: { managementEndpoints: [ "http://sf1:19080", "http://sf2:19080" ] } }
        - { id: d, url: "fabric:/Shop/D", serviceFabricCluster: { managementEndpoints: [ "http://sf3:19080" ], importer: { name: sf-a } } }
      apis: [ { id: x, path: /x, backend: a } ]
      """);
    assertThat(p)
        .contains(
            "gw.yaml: backends[1].serviceFabricCluster.importer: the cluster is already imported with the settings of"
                + " backends[0] ('a'): give importer settings once",
            "gw.yaml: backends[2].serviceFabricCluster.managementEndpoints: shares a management endpoint with the cluster of"
                + " backends[0] ('a'): list the same endpoints (one cluster) or disjoint ones",
            "gw.yaml: backends[3].serviceFabricCluster.importer.name: importer name 'sf-a' is already used by the cluster of"
                + " backends[0]; each cluster's importer needs its own name");
  }

  @Test
  void backendAndSetBackendServiceSayTheSameThingOnce() {
    List<String> p =
        problems(
            """
      backends:
        - { id: sf, url: "fabric:/Shop/Orders" }
        - { id: plain, url: "http://h:1" }
      apis:
        - { id: both, path: /both, backend: plain, set-backend-service: { backend-id: sf } }
        - { id: none, path: /none }
        - { id: ghost, path: /ghost, set-backend-service: { backend-id: nope } }
        - { id: fabric-base, path: /fb, set-backend-service: { base-url: "fabric:/Shop/Orders" } }
        - { id: bad-base, path: /bb, set-backend-service: { base-url: "ftp://x" } }
        - { id: typo, path: /typo, backend: sf, set-backend-service: { sf-partition-kye: "{id}" } }
        - id: ops
          path: /ops
          backend: plain
          operations:
            - { method: GET, path: /a, backend: sf, set-backend-service: { base-url: "http://h:2" } }
      """);
    assertThat(p)
        .contains(
            "gw.yaml: apis[0]: names its backend more than once ('backend', set-backend-service 'backend-id' and 'base-url'"
                + " say the same thing): give one",
            "gw.yaml: apis[1].backend: required: give 'backend' (or set-backend-service with 'backend-id' or 'base-url')",
            "gw.yaml: apis[2].set-backend-service.backend-id: unknown backend 'nope' (defined: plain, sf)",
            "gw.yaml: apis[3].set-backend-service.base-url: a Service Fabric service is reached through a backend whose url is"
                + " its fabric:/ name (with its serviceFabricCluster settings): name that backend in backend-id",
            "gw.yaml: apis[4].set-backend-service.base-url: malformed URL 'ftp://x': scheme must be http or https",
            "gw.yaml: apis[5].set-backend-service.sf-partition-kye: unknown field (did you mean 'sf-partition-key'?)",
            "gw.yaml: apis[6].operations[0]: names its backend more than once ('backend', set-backend-service 'backend-id' and"
                + " 'base-url' say the same thing): give one");
  }

  @Test
  void aBaseUrlIsTheConfiguredBackendWithThatUrlOrAnImplicitOne() {
    GatewayConfig c =
        load(
            """
      backends:
        - { id: known, url: "http://orders.internal:8080/api/" }
      apis:
        - { id: a, path: /a, set-backend-service: { base-url: "http://ORDERS.internal:8080/api" } }
        - { id: b, path: /b, set-backend-service: { base-url: "https://other.internal/v2" } }
        - { id: c, path: /c, set-backend-service: { base-url: "https://other.internal:443/v2/" } }
      """);
    assertThat(c.apis())
        .extracting(ApiConfig::backend)
        .containsExactly("known", "https://other.internal:443/v2", "https://other.internal:443/v2");
    assertThat(c.backends())
        .extracting(BackendConfig::id)
        .containsExactly("known", "https://other.internal:443/v2");
  }

  @Test
  void sfAttributesAreValidatedAgainstTheirBackendAndTemplates() {
    List<String> p =
        problems(
            """
      backends:
        - { id: sf, url: "fabric:/Shop/Orders" }
        - { id: plain, url: "http://h:1" }
      apis:
        - { id: k1, path: /k1, backend: sf, set-backend-service: { sf-partition-key: "cookie:x" } }
        - { id: k2, path: /k2, backend: sf, set-backend-service: { sf-partition-key: "{*rest}" } }
        - { id: k3, path: /k3, backend: sf, set-backend-service: { sf-partition-key: "@(context.Request.Headers[\\"x\\"])" } }
        - { id: k4, path: /k4, backend: sf, set-backend-service: { sf-partition-key: "segment:x" } }
        - { id: k5, path: /k5, backend: sf, set-backend-service: { sf-partition-key: "header:bad header" } }
        - { id: k6, path: /k6, backend: sf, set-backend-service: { sf-partition-key: "{id}" } }
        - id: k7
          path: /k7
          backend: sf
          set-backend-service: { sf-partition-key: "{id}" }
          operations:
            - { method: GET, path: "/{id}" }
            - { method: GET, path: "/list" }
            - { method: GET, path: "/x/{key}", set-backend-service: { sf-partition-key: "{id}" } }
        - { id: c1, path: /c1, backend: sf, set-backend-service: { sf-resolve-condition: "status = 500" } }
        - { id: c2, path: /c2, backend: sf, set-backend-service: { sf-resolve-condition: "status != 900" } }
        - { id: c3, path: /c3, backend: sf, set-backend-service: { sf-resolve-condition: "Foo or Timeout" } }
        - { id: c4, path: /c4, backend: sf, set-backend-service: { sf-resolve-condition: "status >= 500 or" } }
        - { id: r1, path: /r1, backend: sf, set-backend-service: { sf-replica-type: tertiary } }
        - { id: n1, path: /n1, backend: sf, set-backend-service: { sf-service-instance-name: "fabric:/Shop" } }
        - { id: p1, path: /p1, backend: plain, set-backend-service: { sf-replica-type: primary } }
        - id: p2
          path: /p2
          backend: sf
          operations:
            - { method: GET, path: /x, set-backend-service: { backend-id: plain, sf-listener-name: api } }
      """);
    assertThat(p)
        .contains(
            "gw.yaml: apis[0].set-backend-service.sf-partition-key: 'cookie:x' is not a partition key expression; expected"
                + " {parameter}, segment:N, header:Name, query:name, literal:text, or hash(<one of them>)",
            "gw.yaml: apis[1].set-backend-service.sf-partition-key: '{*rest}' is a wildcard, which spans several segments;"
                + " name a single {parameter} or use segment:N",
            "gw.yaml: apis[4].set-backend-service.sf-partition-key: 'header:bad header': 'bad header' is not a valid HTTP header name",
            "gw.yaml: apis[5].set-backend-service.sf-partition-key: template parameter {id} needs an operation path template;"
                + " this API has no operations (use segment:N)",
            "gw.yaml: apis[6].operations[1]: inherits sf-partition-key '{id}' from its API, but the operation path '/list' has"
                + " no parameter {id}",
            "gw.yaml: apis[6].operations[2].set-backend-service.sf-partition-key: the operation path '/x/{key}' has no parameter {id}",
            "gw.yaml: apis[7].set-backend-service.sf-resolve-condition: 'status = 500': '=' is not a comparison (==, !=, <, <=, >, >=)",
            "gw.yaml: apis[8].set-backend-service.sf-resolve-condition: 'status != 900': status code 900 is outside 100-599",
            "gw.yaml: apis[9].set-backend-service.sf-resolve-condition: 'Foo or Timeout': unexpected 'Foo'; expected"
                + " 'status <op> <code>', BackendConnectionFailure or Timeout",
            "gw.yaml: apis[10].set-backend-service.sf-resolve-condition: 'status >= 500 or' ends where a condition was expected",
            "gw.yaml: apis[13].set-backend-service: sf-* attributes apply to Service Fabric backends; backend 'plain' is not one"
                + " (its url is no fabric:/ name)",
            "gw.yaml: apis[14].operations[0].set-backend-service: sf-* attributes apply to Service Fabric backends; backend"
                + " 'plain' is not one (its url is no fabric:/ name)")
        .anyMatch(
            x ->
                x.startsWith("gw.yaml: apis[2].set-backend-service.sf-partition-key: '@(context")
                    && x.contains("APIM policy expressions are not supported"))
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: apis[3].set-backend-service.sf-partition-key: 'segment:x': segment:N needs a segment number"))
        .anyMatch(x -> x.startsWith("gw.yaml: apis[11].set-backend-service.sf-replica-type:"))
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: apis[12].set-backend-service.sf-service-instance-name: Invalid fabric name"));
    assertThat(p).noneMatch(x -> x.startsWith("gw.yaml: apis[6].operations[0]"));
  }

  @Test
  void theReverseProxyListenerIsValidated() {
    List<String> p =
        problems(
            """
      listeners:
        traffic: { port: 8080 }
        serviceFabricReverseProxy: { enabled: true, port: 8080, defaultTimeout: 2m, maxRetries: 51, bufferBodyLimit: -1, tls: { validate: false } }
      apis: []
      """);
    assertThat(p)
        .contains(
            "gw.yaml: listeners.serviceFabricReverseProxy.port: must differ from the traffic (8080) and management (9090)"
                + " ports: it is a listener of its own",
            "gw.yaml: listeners.serviceFabricReverseProxy.defaultTimeout: '2m' is not an ISO 8601 duration (examples: PT30S,"
                + " PT0.5S, PT2M, P1D)")
        .anyMatch(x -> x.startsWith("gw.yaml: listeners.serviceFabricReverseProxy.maxRetries:"))
        .anyMatch(
            x -> x.startsWith("gw.yaml: listeners.serviceFabricReverseProxy.bufferBodyLimit:"))
        .anyMatch(
            x ->
                x.startsWith(
                    "gw.yaml: listeners.serviceFabricReverseProxy.tls.validate: unknown field"));
  }

  @Test
  void setBackendServiceCanBeOverriddenFromTheEnvironment() {
    GatewayConfig c =
        load(
            """
      backends: [ { id: sf, url: "fabric:/Shop/Orders" } ]
      apis: [ { id: a, path: /a, backend: sf } ]
      """,
            Map.of(
                "PORTICO_APIS__0__SET_BACKEND_SERVICE__SF_PARTITION_KEY",
                "query:tenant",
                "PORTICO_LISTENERS__SERVICEFABRICREVERSEPROXY__ENABLED",
                "true",
                "PORTICO_DEMO__SERVICEFABRIC",
                "true"));
    assertThat(c.apis().get(0).fabric().partitionKey())
        .isEqualTo(new PartitionKeyExpression.Query("tenant"));
    assertThat(c.listeners().serviceFabricReverseProxy().enabled()).isTrue();
    assertThat(c.demo().serviceFabric()).isTrue();
    assertThat(
            problems(
                """
      backends: [ { id: sf, url: "fabric:/Shop/Orders" } ]
      apis: [ { id: a, path: /a, backend: sf } ]
      """,
                Map.of("PORTICO_APIS__0__SET_BACKEND_SERVICE__SF_PARTITION_KEY", "nope")))
        .anyMatch(
            x ->
                x.startsWith(
                    "environment variable PORTICO_APIS__0__SET_BACKEND_SERVICE__SF_PARTITION_KEY: "
                        + "apis[0].set-backend-service.sf-partition-key: 'nope' is not a partition key expression"));
  }
}
