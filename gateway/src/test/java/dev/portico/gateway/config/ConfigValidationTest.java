package dev.portico.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.gateway.support.ConfigTexts;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every configuration error is reported with the file, the field path and the reason; all at once.
 */
@ExtendWith(VertxExtension.class)
class ConfigValidationTest {

  static GatewayConfig load(String yaml) {
    return load(yaml, Map.of());
  }

  static GatewayConfig load(String yaml, Map<String, String> env) {
    return ConfigTexts.load(yaml, env);
  }

  static List<String> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  static List<String> problems(String yaml, Map<String, String> env) {
    return ConfigTexts.problems(yaml, env);
  }

  @Test
  void defaultsApplyToAMinimalConfig() {
    GatewayConfig c =
        load(
            """
      backends: [ { id: b, url: "http://10.1.2.3:8081/base/" } ]
      apis: [ { id: a, path: /a/, backend: b } ]
      """);
    assertThat(c.listeners().traffic().port()).isEqualTo(8080);
    assertThat(c.listeners().management().port()).isEqualTo(9090);
    assertThat(c.apis().get(0).path()).isEqualTo("/a");
    SingleBackendConfig b = (SingleBackendConfig) c.backends().get(0);
    assertThat(b.target())
        .isEqualTo(
            new BackendTarget.FixedUrl(
                "http://10.1.2.3:8081/base/",
                new dev.portico.discovery.HttpUrl(false, "10.1.2.3", 8081, "/base", null, null)));
    assertThat(b.timeouts())
        .isEqualTo(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(300)));
    assertThat(b.tls()).isEqualTo(TlsConfig.DEFAULT);
    assertThat(c.registry().refreshInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.gatewayId()).startsWith("portico-");
  }

  @Test
  void registryServiceNamesAndHttpsUrlsAreBackendTargets() {
    GatewayConfig c =
        load(
            """
      backends:
        - { id: r, url: orders-svc }
        - { id: s, url: "https://api.example.com" }
      apis: [ { id: a, path: /a, backend: r } ]
      """);
    assertThat(((SingleBackendConfig) c.backends().get(0)).target())
        .isEqualTo(new BackendTarget.RegistryService("orders-svc"));
    BackendTarget.FixedUrl s =
        (BackendTarget.FixedUrl) ((SingleBackendConfig) c.backends().get(1)).target();
    assertThat(s.ssl()).isTrue();
    assertThat(s.port()).isEqualTo(443);
  }

  @Test
  void unknownFieldsAreNamedWithASuggestion() {
    assertThat(
            problems(
                """
      listners: {}
      backends: [ { id: b, ur: "http://x" } ]
      apis: [ { id: a, path: /a, backend: b, timeout: PT1S } ]
      """))
        .contains(
            "gw.yaml: listners: unknown field (did you mean 'listeners'?)",
            "gw.yaml: backends[0].ur: unknown field (did you mean 'url'?)",
            "gw.yaml: backends[0].url: required for a Single backend")
        .anyMatch(p -> p.startsWith("gw.yaml: apis[0].timeout: unknown field"));
  }

  @Test
  void malformedUrlsAreRejected() {
    List<String> p =
        problems(
            """
      backends:
        - { id: a, url: "htp://host" }
        - { id: b, url: "http://" }
        - { id: c, url: "not a url" }
        - { id: d, url: "http://user:pw@host" }
        - { id: e, url: "http://host/base?x=1" }
        - { id: f, url: "http://host:99999" }
      apis: [ { id: api, path: /a, backend: a } ]
      """);
    assertThat(p)
        .anyMatch(
            s ->
                s.startsWith(
                    "gw.yaml: backends[0].url: malformed URL 'htp://host': scheme must be http or https"))
        .anyMatch(s -> s.startsWith("gw.yaml: backends[1].url: malformed URL 'http://'"))
        .anyMatch(
            s ->
                s.startsWith(
                    "gw.yaml: backends[2].url: 'not a url' is neither an absolute http(s):// URL nor a registry service name"))
        .anyMatch(s -> s.startsWith("gw.yaml: backends[3].url: URL carries user info"))
        .anyMatch(s -> s.startsWith("gw.yaml: backends[4].url: a base URL takes no query"))
        .anyMatch(s -> s.startsWith("gw.yaml: backends[5].url: malformed URL"));
  }

  @Test
  void danglingReferencesAndDuplicatesAreReported() {
    List<String> p =
        problems(
            """
      namedValues:
        - { name: k, value: one }
        - { name: k, value: two }
      backends:
        - { id: b, url: "http://h" }
        - { id: b, url: "http://h2" }
      apis:
        - { id: a, path: /a, backend: missing }
        - { id: a, path: /b, backend: b }
        - id: c
          path: /a
          backend: b
          operations:
            - { method: GET, path: "/x/{id}", backend: nope }
            - { method: GET, path: "/x/{other}" }
      """);
    assertThat(p)
        .contains(
            "gw.yaml: namedValues[1].name: duplicate named value 'k'",
            "gw.yaml: backends[1].id: duplicate backend id 'b'",
            "gw.yaml: apis[0].backend: unknown backend 'missing' (defined: b)",
            "gw.yaml: apis[1].id: duplicate API id 'a'",
            "gw.yaml: apis[2].path: path '/a' is already used by API 'a'",
            "gw.yaml: apis[2].operations[0].backend: unknown backend 'nope' (defined: b)",
            "gw.yaml: apis[2].operations[1]: duplicate operation GET /x/{other} in API 'c'");
  }

  @Test
  void configuredInstancesKeepTheirStatusAndMetadata() {
    GatewayConfig c =
        load(
            """
      registry:
        instances:
          - { service: orders, url: "http://10.0.0.1:80" }
          - { service: orders, url: "http://10.0.0.2:80", status: DOWN }
          - { service: orders, url: "https://10.0.0.3/v1/", status: OUT_OF_SERVICE,
              metadata: { zone: west, weight: 3, canary: true } }
          - { service: orders, url: "http://10.0.0.4:80", metadata: {} }
      backends: [ { id: b, url: orders } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """);
    List<InstanceSpec> in = c.registry().instances();
    assertThat(in)
        .containsExactly(
            new InstanceSpec("orders", "10.0.0.1", 80, false, "", InstanceStatus.UP, Map.of()),
            new InstanceSpec("orders", "10.0.0.2", 80, false, "", InstanceStatus.DOWN, Map.of()),
            new InstanceSpec(
                "orders",
                "10.0.0.3",
                443,
                true,
                "/v1",
                InstanceStatus.OUT_OF_SERVICE,
                Map.of("zone", "west", "weight", "3", "canary", "true")),
            new InstanceSpec("orders", "10.0.0.4", 80, false, "", InstanceStatus.UP, Map.of()));
    // a status the schema does not know is reported, with the instance's path
    assertThat(
            problems(
                """
      registry:
        instances:
          - { service: orders, url: "http://10.0.0.1:80" }
          - { service: orders, url: "http://10.0.0.2:80", status: SLEEPING }
      """))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("gw.yaml: registry.instances[1].status: ");
  }

  @Test
  void aBackendOrInstancePointingAtTheGatewaysOwnListenerIsRefused() {
    List<String> p =
        problems(
            """
      listeners: { traffic: { port: 8443 } }
      registry:
        instances: [ { service: me, url: "http://localhost:8443" } ]
      backends:
        - { id: self, url: "http://127.0.0.1:8443/api" }
        - { id: other-port, url: "http://127.0.0.1:8444/api" }
      apis: [ { id: a, path: /a, backend: other-port } ]
      """);
    assertThat(p)
        .contains(
            "gw.yaml: backends[0].url: points at this gateway's own traffic listener (127.0.0.1:8443); requests would loop back into the gateway",
            "gw.yaml: registry.instances[0].url: points at this gateway's own traffic listener (localhost:8443); requests would loop back into the gateway");
    assertThat(p).noneMatch(s -> s.contains("backends[1]"));
  }

  @Test
  void aSharedRedisRegistryIsValidatedWithoutShowingItsPassword() {
    List<String> p =
        problems(
            """
      registry: { backend: redis }
      """);
    assertThat(p)
        .contains(
            "gw.yaml: registry.redis.endpoint: required with 'backend: redis' (e.g. redis://redis:6379)");
    assertThat(
            problems(
                """
      registry: { redis: { endpoint: "redis://r:6379" } }
      """))
        .contains(
            "gw.yaml: registry.redis: is only used with 'backend: redis' (backend is 'local')");
    assertThat(
            problems(
                """
      registry: { backend: redis, redis: { endpoint: "http://:pw-123@r:6379" } }
      """))
        .contains(
            "gw.yaml: registry.redis.endpoint: 'http://***@r:6379' must start with redis:// or rediss://");
    assertThat(
            problems(
                """
      registry: { backend: redis, redis: { endpoint: "redis://:pw-123@r:6379/x?db=1" } }
      """))
        .contains(
            "gw.yaml: registry.redis.endpoint: 'redis://***@r:6379/x?db=1' has a path other than a database number (/0 to /99)");
    assertThat(
            problems(
                """
      registry: { backend: redis, redis: { endpoint: "redis://r:6379", password: "{{nope}}", maxPoolSize: 0 }, timeout: PT0S }
      """))
        .contains(
            "gw.yaml: registry.redis.password: unknown named value '{{nope}}'",
            "gw.yaml: registry.timeout: must be a positive duration, got 'PT0S'")
        .anyMatch(s -> s.startsWith("gw.yaml: registry.redis.maxPoolSize:"));

    GatewayConfig c =
        load(
            """
      backends: [ { id: b, url: "http://h:1" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """,
            Map.of(
                "PORTICO_REGISTRY__BACKEND",
                "redis",
                "PORTICO_REGISTRY__REDIS__ENDPOINT",
                "rediss://:pw-123@cache:6380/2"));
    assertThat(c.registry().shared()).isTrue();
    assertThat(c.registry().redis().endpoint()).isEqualTo("rediss://:pw-123@cache:6380/2");
    assertThat(c.registry().redis().key()).isEqualTo("portico:registry");
    assertThat(c.registry().refreshInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.registry().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.nativeTransport()).as("opt-in").isFalse();
    assertThat(c.registry().toString())
        .doesNotContain("pw-123")
        .contains("rediss://***@cache:6380/2");
    assertThat(c.registry().describe())
        .isEqualTo("redis at rediss://***@cache:6380/2, key portico:registry");
  }

  @Test
  void durationsNamedValuesPathsAndTemplatesAreChecked() {
    List<String> p =
        problems(
            """
      listeners: { traffic: { port: 7000 }, management: { port: 7000 } }
      namedValues:
        - { name: from-env, env: NOT_SET_ANYWHERE }
        - { name: from-file, file: /nonexistent/secret }
        - { name: both, value: x, env: Y }
      backends:
        - id: b
          url: "http://h"
          timeouts: { connect: 5s, response: PT0S }
          credentials: { header: { x-k: "{{undefined}}" } }
      apis:
        - { id: a, path: "no-slash", backend: b }
        - { id: c, path: "/c", backend: b, operations: [ { method: GET, path: "/x/*/y" }, { method: get, path: "/z" } ] }
      """);
    assertThat(p)
        .contains(
            "gw.yaml: listeners.management.port: must differ from listeners.traffic.port (7000): management and traffic are separate listeners",
            "gw.yaml: namedValues[0].env: environment variable 'NOT_SET_ANYWHERE' is not set",
            "gw.yaml: namedValues[2]: needs exactly one of 'value', 'env' or 'file' (has value, env)",
            "gw.yaml: backends[0].timeouts.connect: '5s' is not an ISO 8601 duration (examples: PT30S, PT0.5S, PT2M, P1D)",
            "gw.yaml: backends[0].timeouts.response: must be a positive duration, got 'PT0S'",
            "gw.yaml: backends[0].credentials.header.x-k: unknown named value '{{undefined}}'",
            "gw.yaml: apis[0].path: must start with '/'",
            "gw.yaml: apis[1].operations[0].path: operation path '/x/*/y': a wildcard must be the last segment");
    assertThat(p)
        .anyMatch(
            s -> s.startsWith("gw.yaml: namedValues[1].file: cannot read '/nonexistent/secret'"));
    assertThat(p).anyMatch(s -> s.startsWith("gw.yaml: apis[1].operations[1].method:"));
  }

  @Test
  void environmentOverridesFieldsAndIsNamedInErrors() {
    GatewayConfig c =
        load(
            """
      backends: [ { id: b, url: "http://h:1" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """,
            Map.of(
                "PORTICO_LISTENERS__TRAFFIC__PORT", "8181",
                "PORTICO_BACKENDS__0__URL", "http://other:2/x",
                "PORTICO_REGISTRY__REFRESHINTERVAL", "PT1S",
                "PORTICO_CONFIG", "/ignored/not/a/field",
                "PORTICO_LOG_LEVEL", "DEBUG",
                "UNRELATED", "1"));
    assertThat(c.listeners().traffic().port()).isEqualTo(8181);
    assertThat(
            ((BackendTarget.FixedUrl) ((SingleBackendConfig) c.backends().get(0)).target()).host())
        .isEqualTo("other");
    assertThat(c.registry().refreshInterval()).isEqualTo(Duration.ofSeconds(1));

    assertThat(
            problems(
                """
      backends: [ { id: b, url: "http://h:1" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """,
                Map.of(
                    "PORTICO_BACKENDS__0__URL",
                    "ftp://x",
                    "PORTICO_LISTENERS__TRAFFIC__PORT",
                    "eighty",
                    "PORTICO_APIS__5__PATH",
                    "/x")))
        .contains(
            "environment variable PORTICO_BACKENDS__0__URL: backends[0].url: malformed URL 'ftp://x': scheme must be http or https",
            "environment variable PORTICO_LISTENERS__TRAFFIC__PORT: listeners.traffic.port: string found, integer expected",
            "environment variable PORTICO_APIS__5__PATH: index 5 skips entries of apis (it has 1)");
  }

  @Test
  void aMisspeltOverrideIsTheVariablesProblemNotTheFiles() {
    assertThat(
            problems(
                """
      listeners: { traffic: { port: 8081 } }
      backends: [ { id: b, url: "http://h:1" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """,
                Map.of(
                    "PORTICO_LISTENERS__TRAFIC__PORT",
                    "8082",
                    "PORTICO_BACKENDS__0__TIMEOUTS__RESPNSE",
                    "PT1S")))
        .containsExactlyInAnyOrder(
            "environment variable PORTICO_LISTENERS__TRAFIC__PORT: listeners.trafic: unknown field (did you mean 'traffic'?)",
            "environment variable PORTICO_BACKENDS__0__TIMEOUTS__RESPNSE: backends[0].timeouts.respnse: unknown field (did you mean 'response'?)");
  }

  @Test
  void onlyVariablesWithDoubleUnderscoresAreOverrides() {
    // reserved names, a named value's source and other variables without '__' are left alone
    GatewayConfig c =
        load(
            """
      namedValues: [ { name: key, env: PORTICO_ORDERS_KEY } ]
      backends: [ { id: b, url: "http://h:1", credentials: { header: { x-key: "{{key}}" } } } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """,
            Map.of(
                "PORTICO_CONFIG",
                "/x.yaml",
                "PORTICO_LOG_LEVEL",
                "WARN",
                "PORTICO_HEALTHCHECK_SCHEME",
                "https",
                "PORTICO_ADMIN_TOKEN",
                "0123456789abcdef0123",
                "PORTICO_ORDERS_KEY",
                "k1",
                "PORTICO_SOMETHING",
                "else"));
    assertThat(c.namedValues().get(0).value()).isEqualTo("k1");
    // one that starts like a section is an override spelt with single underscores: refused, not
    // ignored
    assertThat(
            problems(
                """
      backends: [ { id: b, url: "http://h:1" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """,
                Map.of("PORTICO_LISTENERS_TRAFFIC_PORT", "8081")))
        .singleElement()
        .asString()
        .startsWith(
            "environment variable PORTICO_LISTENERS_TRAFFIC_PORT: not a configuration override: overrides separate"
                + " the path segments with '__' (PORTICO_LISTENERS__...");
  }

  @Test
  void shutdownSettingsHaveDefaultsAndMustLeaveTimeAfterTheDelay() {
    String base =
        """
      backends: [ { id: b, url: "http://h:1" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """;
    GatewayConfig d = load(base, Map.of());
    assertThat(d.shutdown().delay()).isZero();
    assertThat(d.shutdown().gracePeriod()).isEqualTo(Duration.ofSeconds(30));
    GatewayConfig c =
        load("gateway: { shutdown: { delay: PT5S, gracePeriod: PT20S } }\n" + base, Map.of());
    assertThat(c.shutdown().delay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.shutdown().gracePeriod()).isEqualTo(Duration.ofSeconds(20));
    assertThat(
            problems(
                "gateway: { shutdown: { delay: PT30S, gracePeriod: PT10S, dealy: PT1S } }\n" + base,
                Map.of()))
        .containsExactlyInAnyOrder(
            "gw.yaml: gateway.shutdown.dealy: unknown field (did you mean 'delay'?)",
            "gw.yaml: gateway.shutdown.delay: the delay (PT30S) must be shorter than the grace period (PT10S), which counts from the signal");
    assertThat(
            problems(
                "gateway: { shutdown: { delay: -PT1S, gracePeriod: soon } }\n" + base, Map.of()))
        .containsExactlyInAnyOrder(
            "gw.yaml: gateway.shutdown.delay: must be a positive duration, got '-PT1S'",
            "gw.yaml: gateway.shutdown.gracePeriod: 'soon' is not an ISO 8601 duration (examples: PT30S, PT0.5S, PT2M, P1D)");
  }

  @Test
  void fileLoadingReportsTheFileForSyntaxErrorsAndMissingFiles(Vertx vertx, @TempDir Path dir)
      throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "apis: [ { id: a\n  path: : :\n");
    assertThatThrownBy(() -> ConfigLoader.load(vertx, Optional.of(bad), Map.of()).await())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("cannot read yaml");
    Path missing = dir.resolve("missing.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(vertx, Optional.of(missing), Map.of()).await())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing + ": file not found");
    Path json = dir.resolve("gw.json");
    Files.writeString(
        json,
        """
      {"backends":[{"id":"b","url":"http://h:1"}],"apis":[{"id":"a","path":"/a","backend":"b"}]}
      """);
    assertThat(ConfigLoader.load(vertx, Optional.of(json), Map.of()).await().apis()).hasSize(1);
  }

  @Test
  void theLaunchersBlockingLoadReadsAndReportsAsTheLoaderDoes(Vertx vertx, @TempDir Path dir)
      throws Exception {
    // the launcher loads on its main thread, without a Vert.x: same files, same messages
    Path badYaml = dir.resolve("bad.yaml");
    Files.writeString(badYaml, "apis: [ { id: a\n  path: : :\n");
    Path badJson = dir.resolve("bad.json");
    Files.writeString(badJson, "{\"apis\": [ {\"id\": }");
    Path unknown = dir.resolve("gw.yaml");
    Files.writeString(unknown, "backends: [ { id: b, url: \"http://h:1\", colour: red } ]\n");
    Path missing = dir.resolve("missing.yaml");
    for (Path file : List.of(badYaml, badJson, unknown, missing)) {
      for (Map<String, String> env :
          List.of(Map.<String, String>of(), Map.of(ConfigLoader.MAX_CHARS_ENV, "lots"))) {
        String loaded =
            catchThrowableOfType(
                    () -> ConfigLoader.load(vertx, Optional.of(file), env).await(),
                    ConfigException.class)
                .getMessage();
        assertThatThrownBy(() -> ConfigLoader.loadBlocking(Optional.of(file), env))
            .isInstanceOf(ConfigException.class)
            .hasMessage(loaded);
      }
    }
    assertThatThrownBy(
            () ->
                ConfigLoader.loadBlocking(
                    Optional.of(badYaml), Map.of(ConfigLoader.MAX_CHARS_ENV, "10")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("exceeds the limit")
        .hasMessageContaining("PORTICO_CONFIG_MAX_CHARS sets the limit");
    // the built-in default
    GatewayConfig builtIn = ConfigLoader.loadBlocking(Optional.empty(), Map.of());
    assertThat(builtIn.source()).isEqualTo(ConfigLoader.BUILT_IN_SOURCE);
    assertThat(builtIn.apis())
        .isEqualTo(ConfigLoader.load(vertx, Optional.empty(), Map.of()).await().apis());
    Path json = dir.resolve("gw.json");
    Files.writeString(
        json,
        """
      {"backends":[{"id":"b","url":"http://h:1"}],"apis":[{"id":"a","path":"/a","backend":"b"}]}
      """);
    assertThat(ConfigLoader.loadBlocking(Optional.of(json), Map.of()).apis()).hasSize(1);
  }

  @Test
  void largeYamlFilesLoadAndTheirBoundIsASetting(Vertx vertx, @TempDir Path dir) throws Exception {
    // past SnakeYAML's own default of 3 Mi characters, as a gateway with tens of thousands of
    // instances is
    // (content, not comments: SnakeYAML counts a document's content only)
    StringBuilder yaml =
        new StringBuilder(
            "apis: [ { id: a, path: /a, backend: b0, operations: [ { method: GET, path: \"/{id}\" } ] } ]\n"
                + "backends:\n");
    String description = "x".repeat(2000);
    for (int i = 0; yaml.length() < 4 * 1024 * 1024; i++) {
      yaml.append("  - { id: b")
          .append(i)
          .append(", url: \"http://h:1\", description: ")
          .append(description)
          .append(" }\n");
    }
    Path big = dir.resolve("big.yaml");
    Files.writeString(big, yaml);
    GatewayConfig c = ConfigLoader.load(vertx, Optional.of(big), Map.of()).await();
    assertThat(c.apis()).hasSize(1);
    assertThat(c.apis().get(0).operations()).hasSize(1);
    // the bound is the operator's: a smaller one refuses the file and says how to change it
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                        vertx, Optional.of(big), Map.of(ConfigLoader.MAX_CHARS_ENV, "1000000"))
                    .await())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(big.toString())
        .hasMessageContaining("exceeds the limit")
        .hasMessageContaining("PORTICO_CONFIG_MAX_CHARS");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                        vertx, Optional.of(big), Map.of(ConfigLoader.MAX_CHARS_ENV, "lots"))
                    .await())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PORTICO_CONFIG_MAX_CHARS must be a positive whole number");
    // and it is not mistaken for a field override
    assertThat(
            ConfigLoader.load(
                    vertx, Optional.of(big), Map.of(ConfigLoader.MAX_CHARS_ENV, "8000000"))
                .await()
                .apis())
        .hasSize(1);
  }

  @Test
  void aKeyWrittenTwiceIsRefusedNotSilentlyOverwritten(Vertx vertx, @TempDir Path dir)
      throws Exception {
    Path yaml = dir.resolve("twice.yaml");
    Files.writeString(
        yaml,
        """
      backends: [ { id: b, url: "http://h:1" } ]
      apis:
        - id: a
          path: /a
          backend: b
          path: /b
      """);
    assertThatThrownBy(() -> ConfigLoader.load(vertx, Optional.of(yaml), Map.of()).await())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(yaml.toString())
        .hasMessageContaining("duplicate key path");
  }

  @Test
  void theBuiltInDefaultIsValid(Vertx vertx) {
    GatewayConfig c = ConfigLoader.load(vertx, Optional.empty(), Map.of()).await();
    assertThat(c.source()).isEqualTo(ConfigLoader.BUILT_IN_SOURCE);
    assertThat(c.demo().enabled()).isTrue();
    assertThat(c.apis()).extracting(ApiConfig::path).containsExactly("/demo");
  }

  @Test
  void poolsBreakersAndRetriesAreValidated() {
    List<String> p =
        problems(
            """
      backends:
        - { id: a, url: "http://h:1" }
        - id: b
          url: "http://h:2"
          circuitBreaker:
            rules:
              - failureCondition: { count: 3, percentage: 50, interval: PT10S, errorReasons: [Timeout] }
                tripDuration: PT1M
              - failureCondition: { count: 3, interval: PT10S, statusCodeRanges: [ { min: 599, max: 500 } ] }
                tripDuration: PT1M
              - failureCondition: { percentage: 20, interval: PT10S }
                tripDuration: PT1M
        - id: p
          type: Pool
          url: "http://nope"
          pool: { services: [ { id: a }, { id: a }, { id: ghost }, { id: q } ] }
        - { id: q, type: Pool, pool: { services: [ { id: a, weight: 101 } ] } }
        - { id: r, type: Pool }
      apis:
        - id: api
          path: /
          backend: p
          retry: { count: 2, methods: [GET, POST], backoff: { base: PT1S, max: PT0.1S } }
      """);
    assertThat(p)
        .contains(
            "gw.yaml: backends[1].circuitBreaker.rules[0].failureCondition: needs exactly one of 'count' and 'percentage'",
            "gw.yaml: backends[1].circuitBreaker.rules[1].failureCondition.statusCodeRanges[0]: min 599 is above max 500",
            "gw.yaml: backends[1].circuitBreaker.rules[2].failureCondition: counts nothing: give statusCodeRanges, errorReasons and/or grpcStatuses",
            "gw.yaml: backends[2].url: a Pool backend has no url: its members (Single backends) carry it",
            "gw.yaml: backends[2].pool.services[1].id: backend 'a' is already a member of this pool",
            "gw.yaml: backends[2].pool.services[3].id: 'q' is a Pool: pools cannot be nested",
            "gw.yaml: backends[4].pool: required for a Pool backend",
            "gw.yaml: apis[0].retry.methods: POST is not idempotent: it is retried only when its body is buffered; set bufferBodyLimit above 0 or leave POST out",
            "gw.yaml: apis[0].retry.backoff: base PT1S is above max PT0.1S");
    assertThat(p)
        .anyMatch(
            x -> x.startsWith("gw.yaml: backends[2].pool.services[2].id: unknown backend 'ghost'"));
    assertThat(p).anyMatch(x -> x.startsWith("gw.yaml: backends[3].pool.services[0].weight:"));
  }

  @Test
  void aRepeatedSectionIsReportedAtEachPathAndARepeatedValidOneBindsAlike() {
    // large configurations repeat their sections: equal ones bind once, but only when binding
    // them reported nothing
    List<String> p =
        problems(
            """
      backends:
        - { id: a, url: "http://h:1", timeouts: { connect: soon } }
        - { id: b, url: "http://h:2", timeouts: { connect: soon } }
      apis:
        - { id: x, path: /x, backend: a, retry: { count: 2, methods: [POST] } }
        - { id: y, path: /y, backend: b, retry: { count: 2, methods: [POST] } }
      """);
    assertThat(p)
        .anyMatch(x -> x.startsWith("gw.yaml: backends[0].timeouts.connect: "))
        .anyMatch(x -> x.startsWith("gw.yaml: backends[1].timeouts.connect: "))
        .anyMatch(x -> x.startsWith("gw.yaml: apis[0].retry.methods: POST is not idempotent"))
        .anyMatch(x -> x.startsWith("gw.yaml: apis[1].retry.methods: POST is not idempotent"));
    GatewayConfig c =
        load(
            """
      backends:
        - { id: a, url: "http://h:1", timeouts: { connect: PT2S } }
        - { id: b, url: "http://h:2", timeouts: { connect: PT2S } }
      apis:
        - { id: x, path: /x, backend: a, retry: { count: 2, statusCodes: [503] } }
        - { id: y, path: /y, backend: b, retry: { count: 2, statusCodes: [503] } }
      """);
    RetryConfig x = c.apis().get(0).retry();
    assertThat(x.count()).isEqualTo(2);
    assertThat(x.statusCodes()).containsExactly(503);
    assertThat(c.apis().get(1).retry()).isEqualTo(x).isSameAs(x);
    assertThat(((SingleBackendConfig) c.backends().get(1)).timeouts().connect())
        .isEqualTo(java.time.Duration.ofSeconds(2));
  }

  @Test
  void resilienceDefaultsAreExplicit() {
    GatewayConfig c =
        load(
            """
      backends:
        - { id: a, url: "http://h:1" }
        - { id: spare, url: "http://h:2", circuitBreaker: { rules: [] } }
        - { id: p, type: Pool, pool: { services: [ { id: a }, { id: spare, priority: 2, weight: 3 } ] },
            loadBalancing: { strategy: leastRequests, sessionAffinity: { cookieName: sticky } } }
      apis:
        - { id: x, path: /x, backend: p, retry: { count: 1 } }
        - { id: y, path: /y, backend: a }
      """);
    SingleBackendConfig a = (SingleBackendConfig) c.backends().get(0);
    assertThat(a.breaker()).isEqualTo(CircuitBreakerConfig.DEFAULT);
    assertThat(((SingleBackendConfig) c.backends().get(1)).breaker().rules()).isEmpty();
    PoolBackendConfig p = (PoolBackendConfig) c.backends().get(2);
    assertThat(p.members())
        .containsExactly(
            new PoolBackendConfig.Member("a", 0, 1), new PoolBackendConfig.Member("spare", 2, 3));
    assertThat(p.loadBalancing())
        .isEqualTo(new LoadBalancingConfig(LoadBalancingConfig.Strategy.LEAST_REQUESTS, "sticky"));
    RetryConfig retry = c.apis().get(0).retry();
    assertThat(retry.count()).isEqualTo(1);
    assertThat(retry.errorReasons())
        .containsExactlyInAnyOrder("BackendConnectionFailure", "Timeout");
    assertThat(retry.methods()).isEqualTo(RetryConfig.IDEMPOTENT);
    assertThat(c.apis().get(1).retry()).isEqualTo(RetryConfig.NONE);
  }
}
