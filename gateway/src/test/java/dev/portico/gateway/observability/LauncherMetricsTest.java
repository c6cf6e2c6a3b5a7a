package dev.portico.gateway.observability;

import static dev.portico.gateway.observability.Scrape.l;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.GatewayApplication;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real launcher in a child JVM builds Vert.x with the metrics factory: one scrape has the
 * gateway's meters, Vert.x's pool meters, and the JVM's (Vert.x's HTTP meters only on request).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherMetricsTest {

  @Test
  void theLaunchedGatewayExposesItsVertxAndJvmMeters(Vertx vertx) throws Exception {
    int traffic = freePort();
    int management = freePort();
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            GatewayApplication.class.getName());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("PORTICO_"));
    pb.environment().put("PORTICO_LISTENERS__TRAFFIC__PORT", String.valueOf(traffic));
    pb.environment().put("PORTICO_LISTENERS__TRAFFIC__HOST", "127.0.0.1");
    pb.environment().put("PORTICO_LISTENERS__MANAGEMENT__PORT", String.valueOf(management));
    pb.environment().put("PORTICO_LISTENERS__MANAGEMENT__HOST", "127.0.0.1");
    Path out = Files.createTempFile("launch", ".out");
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    Process p = pb.start();
    try {
      await()
          .atMost(60, TimeUnit.SECONDS)
          .until(
              () -> {
                assertThat(p.isAlive())
                    .as("gateway exited early: %s", Files.readString(out))
                    .isTrue();
                return Files.readString(out).contains("ready: traffic on");
              });
      WebClient web = WebClient.create(vertx);
      for (int i = 0; i < 4; i++) {
        assertThat(web.get(traffic, "127.0.0.1", "/demo/hello").send().await().statusCode())
            .isEqualTo(200);
      }
      await()
          .atMost(10, TimeUnit.SECONDS)
          .untilAsserted(
              () -> {
                Scrape s = Scrape.get(vertx, management);
                assertThat(
                        s.value(
                            "portico_request_duration_seconds_count",
                            l(
                                "api",
                                "demo",
                                "backend",
                                "demo",
                                "method",
                                "GET",
                                "status_class",
                                "2xx",
                                "reason",
                                "none")))
                    .isEqualTo(4);
                assertThat(
                        s.value(
                            "portico_registry_instances",
                            l("service", "demo-echo", "status", "up")))
                    .isEqualTo(2);
                assertThat(s.text())
                    .contains("jvm_memory_used_bytes")
                    .contains("jvm_gc_")
                    .contains("process_cpu_seconds_total")
                    .contains("vertx_pool_in_use{pool_name=\"vert.x-worker-thread\"");
                // Vert.x's per-request HTTP meters are off unless metrics.vertxHttp asks for them
                assertThat(s.text())
                    .doesNotContain("vertx_http_server_requests_total")
                    .doesNotContain("vertx_http_client_");
              });
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
