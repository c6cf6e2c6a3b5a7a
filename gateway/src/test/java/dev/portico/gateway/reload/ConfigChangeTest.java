package dev.portico.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.support.GatewayHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigChangeTest {

  static final String BASE =
      """
    gateway: { id: gw-1 }
    admin: { token: "a-long-enough-admin-token" }
    namedValues: [ { name: k, value: v1 } ]
    registry: { instances: [ { service: s, url: "http://10.0.0.1:80" } ] }
    backends:
      - { id: one, url: "http://10.0.0.1:80", credentials: { header: { x-k: "{{k}}" } } }
      - { id: two, url: s }
    apis:
      - { id: a, path: /a, backend: one }
      - { id: b, path: /b, backend: two }
    """;

  static GatewayConfig config(String yaml) {
    return GatewayHarness.config(yaml, Map.of());
  }

  static ConfigChange change(String from, String to) {
    return ConfigChange.between(config(from), config(to));
  }

  @Test
  void theSameTextIsNoChange() {
    assertThat(change(BASE, BASE).isEmpty()).isTrue();
  }

  @Test
  void theComposeConfigurationReadTwiceIsNoChange() throws Exception {
    // every section, Service Fabric backends with an importer and the reverse proxy included:
    // nothing in the configuration may compare by identity, or every reload would be refused
    String compose =
        java.nio.file.Files.readString(java.nio.file.Path.of("../docker/config/gateway.yaml"));
    assertThat(ConfigChange.between(config(compose), config(compose)).isEmpty()).isTrue();
  }

  @Test
  void apisBackendsAndNamedValuesAreDiffedById() {
    ConfigChange c =
        change(
            BASE,
            BASE.replace("value: v1", "value: v2")
                .replace(
                    "- { id: b, path: /b, backend: two }", "- { id: c, path: /c, backend: two }")
                .replace(
                    "- { id: two, url: s }",
                    "- { id: two, url: s, timeouts: { response: PT9S } }"));
    assertThat(c.restartRequired()).isEmpty();
    assertThat(c.namedValues().changed()).containsExactly("k");
    assertThat(c.apis().added()).containsExactly("c");
    assertThat(c.apis().removed()).containsExactly("b");
    // the credential of 'one' carries the new value; 'two' has a new timeout
    assertThat(c.backends().changed()).containsExactlyInAnyOrder("one", "two");
    assertThat(c.retireBreakers()).as("neither target nor rules changed").isEmpty();
  }

  @Test
  void anotherTargetOrOtherRulesOrRemovalRestartTheBreakers() {
    ConfigChange c =
        change(
            BASE,
            BASE.replace(
                    "- { id: one, url: \"http://10.0.0.1:80\",",
                    "- { id: one, url: \"http://10.0.0.2:80\",")
                .replace(
                    "- { id: two, url: s }", "- { id: two, url: s, circuitBreaker: { rules: [] } }")
                .replace("apis:", "  - { id: three, url: s }\napis:"));
    assertThat(c.retireBreakers()).containsExactlyInAnyOrder("one", "two");
    ConfigChange removed = change(BASE.replace("apis:", "  - { id: three, url: s }\napis:"), BASE);
    assertThat(removed.backends().removed()).containsExactly("three");
    assertThat(removed.retireBreakers()).containsExactly("three");
  }

  @Test
  void processWideSectionsAreNamedAndOnlyThem() {
    assertThat(
            change(BASE, BASE.replace("gateway: { id: gw-1 }", "gateway: { id: gw-2 }"))
                .restartRequired())
        .containsExactly("gateway.id");
    assertThat(
            change(BASE, BASE.replace("a-long-enough-admin-token", "another-long-admin-token"))
                .restartRequired())
        .containsExactly("admin");
    assertThat(
            change(BASE, BASE.replace("10.0.0.1:80\" } ] }", "10.0.0.9:80\" } ] }"))
                .restartRequired())
        .containsExactly("registry");
    assertThat(
            change(
                    BASE,
                    "upstream: { keepAliveTimeout: PT5S }\nlisteners: { traffic: { port: 8181 } }\n"
                        + "accessLog: { enabled: true }\n"
                        + BASE)
                .restartRequired())
        .containsExactly("listeners", "upstream", "accessLog");
    assertThat(
            change(
                    BASE,
                    BASE.replace("- { id: two, url: s }", "- { id: two, url: \"fabric:/App/Svc\" }")
                        .replace(
                            "- { id: b, path: /b, backend: two }",
                            "- { id: b, path: /b, backend: two, set-backend-service: { sf-partition-key: \"segment:0\" } }"))
                .restartRequired())
        .containsExactly("Service Fabric backends (which backends resolve fabric:/ names)");
  }

  @Test
  void aGeneratedGatewayIdIsNotAChange() {
    String noId = BASE.replace("gateway: { id: gw-1 }\n", "");
    GatewayConfig running = config(noId);
    GatewayConfig again = config(noId);
    assertThat(again.gatewayId()).isNotEqualTo(running.gatewayId());
    assertThat(ConfigChange.between(running, again.withGatewayId(running.gatewayId())).isEmpty())
        .isTrue();
  }
}
