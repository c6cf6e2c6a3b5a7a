package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.support.GatewayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --import-openapi}: through the real launcher in a child JVM, as an operator runs it. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OpenApiCliTest {

  static final Path EXAMPLES = Path.of("..", "docs", "examples", "openapi");

  @TempDir Path dir;
  final List<GatewayProcess> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(GatewayProcess::close);
  }

  GatewayProcess run(String... args) {
    GatewayProcess p = GatewayProcess.run(List.of(args), Map.of());
    processes.add(p);
    return p;
  }

  @Test
  void theImportedConfigurationIsPrintedAndLoadsBackAsAValidConfiguration() throws Exception {
    assertThat(run("--help").stdout()).contains("--import-openapi FILE");

    Path doc = EXAMPLES.resolve("orders.yaml").toAbsolutePath().normalize();
    GatewayProcess p = run("--import-openapi", EXAMPLES.resolve("orders.yaml").toString());
    assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.log()).isZero();
    assertThat(p.stdout())
        .startsWith("# imported from " + doc + ": 4 operations, backend from servers[0]\n")
        .contains(
            """
        backends:
          - id: orders-backend
            url: http://127.0.0.1:8081/v1
        apis:
          - id: orders
            path: /orders
            backend: orders-backend
            operations:
              - id: listOrders
                method: GET
                path: /orders
        """)
        .contains(
            """
              - method: DELETE
                path: /orders/{id}
        """);
    Path config = dir.resolve("imported.yaml");
    Files.writeString(config, p.stdout());
    GatewayProcess valid = run("--config", config.toString(), "--validate");
    assertThat(valid.awaitExit(Duration.ofSeconds(60))).as(valid.log()).isZero();
    assertThat(valid.stdout()).startsWith("configuration valid: " + config + " (1 API, 1 backend");
  }

  @Test
  void aBrokenDocumentExitsWith2AndOneLinePerProblem() {
    GatewayProcess p = run("--import-openapi", "src/test/resources/openapi/bad-ref.yaml");
    assertThat(p.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(p.stdout()).isEmpty();
    assertThat(p.stderr().lines().filter(l -> l.contains("bad-ref.yaml#")).toList())
        .containsExactly(
            Path.of("src/test/resources/openapi/bad-ref.yaml").toAbsolutePath()
                + "#/paths/~1orders~1{id}/get/parameters/0/$ref:"
                + " '#/components/parameters/Nope' does not resolve: nothing at #/components/parameters/Nope");

    GatewayProcess missing = run("--import-openapi", dir.resolve("none.yaml").toString());
    assertThat(missing.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(missing.stderr()).contains(dir.resolve("none.yaml") + ": file not found");
  }
}
