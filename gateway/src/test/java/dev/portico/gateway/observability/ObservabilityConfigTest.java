package dev.portico.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.AccessLogConfig;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.MetricsConfig;
import dev.portico.gateway.support.ConfigTexts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code metrics} and {@code accessLog} sections: defaults, overrides, and errors that name the
 * field.
 */
class ObservabilityConfigTest {

  static GatewayConfig load(String yaml, Map<String, String> env) {
    return ConfigTexts.load(yaml, env);
  }

  static List<String> problems(String yaml) {
    return ConfigTexts.problems(yaml, Map.of());
  }

  @Test
  void defaults() {
    GatewayConfig c = load("{}", Map.of());
    assertThat(c.metrics()).isEqualTo(new MetricsConfig(true, true, true, false, List.of()));
    assertThat(c.accessLog()).isEqualTo(new AccessLogConfig(false, "stdout"));
  }

  @Test
  void explicitValuesAndEnvironmentOverrides(@TempDir Path dir) {
    GatewayConfig c =
        load(
            """
      metrics: { jvm: false, latencyBuckets: [0.005, 0.05, 0.5, 5] }
      accessLog: { enabled: true, output: "%s/access.log" }
      """
                .formatted(dir),
            Map.of("PORTICO_METRICS__VERTX", "false", "PORTICO_METRICS__ENABLED", "false"));
    assertThat(c.metrics())
        .isEqualTo(new MetricsConfig(false, false, false, false, List.of(0.005, 0.05, 0.5, 5.0)));
    assertThat(c.accessLog()).isEqualTo(new AccessLogConfig(true, dir + "/access.log"));
  }

  @Test
  void badValuesAreReportedWithTheirFieldPath(@TempDir Path dir) {
    assertThat(
            problems(
                """
      metrics: { enable: true, jvm: "yes", latencyBuckets: [0.1, 0.05, 0.2, 0.2] }
      accessLog: { enabled: true, output: "%s" }
      """
                    .formatted(dir)))
        .containsExactlyInAnyOrder(
            "gw.yaml: metrics.enable: unknown field (did you mean 'enabled'?)",
            problem("metrics.jvm"),
            "gw.yaml: metrics.latencyBuckets[1]: must be greater than the bucket before it (0.1): bucket bounds are strictly increasing",
            "gw.yaml: metrics.latencyBuckets[3]: must be greater than the bucket before it (0.2): bucket bounds are strictly increasing",
            "gw.yaml: accessLog.output: '"
                + dir
                + "' is a directory; give a file path or 'stdout'");
    assertThat(problems("metrics: { latencyBuckets: [0, -1] }"))
        .allMatch(p -> p.startsWith("gw.yaml: metrics.latencyBuckets["))
        .hasSize(2);
    assertThat(problems("metrics: { latencyBuckets: [] }"))
        .singleElement()
        .asString()
        .startsWith("gw.yaml: metrics.latencyBuckets");
    assertThat(load("metrics: { vertxHttp: true }", Map.of()).metrics().vertxHttp()).isTrue();
    assertThat(problems("metrics: { vertx: false, vertxHttp: true }"))
        .containsExactly(
            "gw.yaml: metrics.vertxHttp: adds to Vert.x's meters, which metrics.vertx turns off");
  }

  /**
   * The schema's own wording for a type error, whatever it is: only the field path matters here.
   */
  private static String problem(String path) {
    List<String> p = problems("metrics: { jvm: \"yes\" }");
    assertThat(p).singleElement().asString().startsWith("gw.yaml: " + path + ": ");
    return p.get(0);
  }
}
