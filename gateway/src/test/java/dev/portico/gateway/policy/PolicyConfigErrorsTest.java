package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.ConfigProblem;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.reload.ConfigSource;
import dev.portico.gateway.reload.ReloadResult;
import dev.portico.gateway.support.ConfigTexts;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.GatewayProcess;
import dev.portico.gateway.support.RecordingBackend;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad policy configuration is a configuration error naming the file, the field and the reason: at
 * load (shape and meaning), at start (what only compiling finds: templates, address ranges, keys, a
 * Redis store) and at reload, which is then refused whole while the old configuration serves.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PolicyConfigErrorsTest {

  static final String BACKEND =
      """
    backends: [ { id: b, url: "http://127.0.0.1:9/base" } ]
    """;

  @Test
  void policiesOfEveryScopeAreCheckedAtLoadWithFieldPaths() {
    List<String> problems =
        ConfigTexts.problems(
            BACKEND
                + """
      policies:
        - base
      policySettings: {trustedProxyDepth: 99}
      apis:
        - id: a
          path: /a
          backend: b
          policies:
            - rate-limit-by-key: {calls: 0, renewal-period: 60}
            - no-such-policy: {}
          operations:
            - id: op
              method: GET
              path: /x
              inheritPolicies: false
              policies:
                - base
                - set-header: {name: Content-Length, value: "1"}
      """,
            Map.of());
    assertThat(problems).anyMatch(p -> p.startsWith("gw.yaml: policies[0]") && p.contains("base"));
    assertThat(problems).anyMatch(p -> p.startsWith("gw.yaml: policySettings.trustedProxyDepth"));
    assertThat(problems)
        .anyMatch(p -> p.startsWith("gw.yaml: apis[0].policies[0].rate-limit-by-key.calls"));
    assertThat(problems)
        .anyMatch(
            p -> p.startsWith("gw.yaml: apis[0].policies[1]") && p.contains("no-such-policy"));
    // one problem per field: the policy binder's words, not the schema's alternatives as well
    assertThat(problems).filteredOn(p -> p.startsWith("gw.yaml: apis[0].policies[0]")).hasSize(1);
    assertThat(problems).noneMatch(p -> p.contains("must be the constant value 'base'"));
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith("gw.yaml: apis[0].operations[0].policies[0]")
                    && p.contains("inheritPolicies"));
    assertThat(problems)
        .anyMatch(p -> p.startsWith("gw.yaml: apis[0].operations[0].policies[1].set-header.name"));
  }

  @Test
  void whatOnlyCompilingFindsStopsTheStartNamingTheField(Vertx vertx) {
    ConfigException e =
        startFails(
            vertx,
            BACKEND
                + """
      apis:
        - id: a
          path: /a
          backend: b
          policies:
            - ip-filter: {action: allow, addresses: [10.0.0.1/8]}
            - set-header: {name: X-Key, value: "{{missing-named-value}}"}
            - rate-limit-by-key: {calls: 5, renewal-period: 1, store: {type: redis}}
          operations:
            - id: op
              method: GET
              path: /items/{id}
              policies:
                - set-header: {name: X-Other, value: "{other}"}
      """);
    List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith("test.yaml: apis[0].policies[0].ip-filter.addresses[0]:")
                    && p.contains("10.0.0.0/8"));
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith("test.yaml: apis[0].policies[1].set-header.value[0]:")
                    && p.contains("missing-named-value"));
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith("test.yaml: apis[0].policies[2].rate-limit-by-key.store.type:")
                    && p.contains("registry.backend: redis"));
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith("test.yaml: apis[0].operations[0].policies[0].set-header.value[0]:")
                    && p.contains("{other}"));
  }

  ConfigException startFails(Vertx vertx, String yaml) {
    GatewayConfig config = GatewayHarness.config(yaml, Map.of());
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                vertx
                    .deployVerticle(new GatewayVerticle(config, 1, ExchangeObserver.NONE))
                    .await());
    assertThat(e).as("the start must fail with a ConfigException").isNotNull();
    return e;
  }

  @Test
  void aReloadWithABadPolicyIsRefusedWholeAndTheRunningConfigurationKeepsServing(
      Vertx vertx, @TempDir Path dir) throws Exception {
    RecordingBackend backend = RecordingBackend.start(vertx);
    Path file = dir.resolve("gateway.yaml");
    String head =
        """
      listeners: { traffic: { host: 127.0.0.1, port: 0 }, management: { host: 127.0.0.1, port: 0 } }
      backends: [ { id: b, url: "http://127.0.0.1:%d/base" } ]
      """
            .formatted(backend.port());
    Files.writeString(
        file,
        head
            + """
      apis:
        - id: a
          path: /a
          backend: b
          policies:
            - set-header: {name: X-Version, value: one}
      """);
    ConfigSource source = new ConfigSource(Optional.of(file), Map.of());
    GatewayVerticle gw =
        new GatewayVerticle(source.load(vertx).await(), 1, ExchangeObserver.NONE)
            .reloadableFrom(source);
    vertx.deployVerticle(gw).await();
    WebClient web = WebClient.create(vertx);
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/a").send().await().statusCode())
        .isEqualTo(200);
    assertThat(backend.last().headers().get("X-Version")).isEqualTo("one");

    // a valid change (a new API, another header value) beside one that only compiling can refuse
    Files.writeString(
        file,
        head
            + """
      apis:
        - id: a
          path: /a
          backend: b
          policies:
            - set-header: {name: X-Version, value: two}
            - ip-filter: {action: forbid, addresses: [192.168.1.1/16]}
        - id: c
          path: /c
          backend: b
      """);
    ReloadResult result = gw.reload().await();
    assertThat(result).isInstanceOf(ReloadResult.Invalid.class);
    assertThat(((ReloadResult.Invalid) result).problems())
        .map(ConfigProblem::toString)
        .anyMatch(p -> p.startsWith(file + ": apis[0].policies[1].ip-filter.addresses[0]:"));
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/a").send().await().statusCode())
        .isEqualTo(200);
    assertThat(backend.last().headers().get("X-Version")).isEqualTo("one");
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/c").send().await().statusCode())
        .isEqualTo(404);

    // fixed: the reload applies, the global scope too
    Files.writeString(
        file,
        head
            + """
      policies:
        - set-header: {name: X-Global, value: "yes"}
      apis:
        - id: a
          path: /a
          backend: b
          policies:
            - set-header: {name: X-Version, value: two}
      """);
    assertThat(gw.reload().await()).isInstanceOf(ReloadResult.Applied.class);
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/a").send().await().statusCode())
        .isEqualTo(200);
    assertThat(backend.last().headers().get("X-Version")).isEqualTo("two");
    assertThat(backend.last().headers().get("X-Global")).isEqualTo("yes");

    // a change of the global policies alone is a change too
    Files.writeString(
        file,
        head
            + """
      policies:
        - set-header: {name: X-Global, value: again}
      apis:
        - id: a
          path: /a
          backend: b
          policies:
            - set-header: {name: X-Version, value: two}
      """);
    assertThat(gw.reload().await()).isInstanceOf(ReloadResult.Applied.class);
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/a").send().await().statusCode())
        .isEqualTo(200);
    assertThat(backend.last().headers().get("X-Global")).isEqualTo("again");

    // policySettings shape the process's policy environment: a restart applies them
    Files.writeString(
        file,
        head
            + """
      policySettings: {trustedProxyDepth: 2}
      policies:
        - set-header: {name: X-Global, value: again}
      apis:
        - id: a
          path: /a
          backend: b
          policies:
            - set-header: {name: X-Version, value: two}
      """);
    ReloadResult restart = gw.reload().await();
    assertThat(restart).isInstanceOf(ReloadResult.RestartRequired.class);
    assertThat(((ReloadResult.RestartRequired) restart).sections())
        .containsExactly("policySettings");
  }

  @Test
  void theLauncherValidatesAndRefusesToStartWithAPolicyThatDoesNotCompileExitStatus2(
      @TempDir Path dir) throws Exception {
    // listeners on port 0: the start is refused before either opens
    Path file = dir.resolve("bad-policy.yaml");
    Files.writeString(
        file,
        """
      listeners: { traffic: { host: 127.0.0.1, port: 0 }, management: { host: 127.0.0.1, port: 0 } }
      backends: [ { id: b, url: "http://127.0.0.1:9" } ]
      apis:
        - id: a
          path: /a
          backend: b
          policies:
            - ip-filter: {action: allow, addresses: [10.0.0.1/8]}
      """);
    try (GatewayProcess check =
        GatewayProcess.run(List.of("--validate", "--config", file.toString()), Map.of())) {
      assertThat(check.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(check.stderr()).contains(file + ": apis[0].policies[0].ip-filter.addresses[0]:");
      assertThat(check.stdout()).doesNotContain("configuration valid");
    }
    try (GatewayProcess start =
        GatewayProcess.run(List.of("--config", file.toString()), Map.of())) {
      assertThat(start.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(start.stderr()).contains(file + ": apis[0].policies[0].ip-filter.addresses[0]:");
    }
  }
}
