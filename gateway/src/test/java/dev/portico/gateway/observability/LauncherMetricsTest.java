package dev.portico.gateway.observability;

import static dev.portico.gateway.observability.Scrape.l;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.support.GatewayProcess;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
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
    try (GatewayProcess p = GatewayProcess.start(List.of(), GatewayProcess.LOOPBACK_ANY_PORTS)) {
      p.awaitReady();
      int traffic = p.trafficPort();
      int management = p.managementPort();
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
    }
  }
}
