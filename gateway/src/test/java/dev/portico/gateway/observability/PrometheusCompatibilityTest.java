package dev.portico.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.metrics.MetricsSettings;
import dev.portico.metrics.PorticoMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exposition as real Prometheus tooling sees it: {@code promtool check metrics} accepts it, and
 * a real Prometheus server scrapes the gateway and answers a {@code histogram_quantile} over the
 * request histogram with a number. The gateway runs as the launcher runs it: on a Vert.x built with
 * the metrics factory, so Vert.x's and the JVM's meters are in the exposition too.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrometheusCompatibilityTest {

  Vertx vertx;
  PorticoMetrics metrics;
  GatewayVerticle gw;
  WebClient web;

  @BeforeEach
  void start() {
    metrics = PorticoMetrics.create(MetricsSettings.DEFAULT);
    vertx =
        Vertx.builder()
            .with(new VertxOptions().setMetricsOptions(metrics.vertxMetricsOptions()))
            .withMetrics(metrics.vertxMetricsFactory())
            .build();
    int echo =
        Backends.http(
                vertx, req -> req.response().putHeader("content-type", "text/plain").end("ok"))
            .actualPort();
    int closed = Backends.closedPort();
    gw =
        new GatewayVerticle(
            GatewayHarness.config(
                """
      backends:
        - { id: echo, url: "http://127.0.0.1:%d" }
        - { id: gone, url: "http://127.0.0.1:%d" }
      apis:
        - { id: ok, path: /ok, backend: echo }
        - { id: broken, path: /broken, backend: gone }
      """
                    .formatted(echo, closed),
                Map.of()),
            2,
            ExchangeObserver.NONE,
            metrics);
    vertx.deployVerticle(gw).await();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
    metrics.close();
  }

  @Test
  void promtoolChecksTheExpositionWithoutProblems(@TempDir Path dir) throws Exception {
    PrometheusTools.require("promtool");
    traffic(50);
    // every kind of meter present: breaker gauges and counters, registry gauges, retries, Service
    // Fabric
    vertx
        .eventBus()
        .publish(
            BreakerEvents.ADDRESS,
            new JsonObject()
                .put("backend", "echo")
                .put("endpoint", "127.0.0.1:1")
                .put("from", "CLOSED")
                .put("to", "OPEN")
                .put("at", "2026-01-01T00:00:00Z")
                .put("retryAfterSeconds", 10));
    metrics.retried("ok", "echo", "BackendConnectionFailure");
    metrics.recordFabricResolution(
        "fabric:/App/Svc", dev.portico.metrics.FabricResolution.OK, 100_000);
    // the breaker event travels over the event bus: wait until the exposition shows it
    org.awaitility.Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                web.get(gw.managementPort(), "127.0.0.1", "/metrics")
                    .send()
                    .await()
                    .bodyAsString()
                    .contains("portico_circuit_breaker_transitions_total"));
    for (String accept :
        new String[] {"text/plain", "application/openmetrics-text;version=1.0.0"}) {
      HttpResponse<Buffer> res =
          web.get(gw.managementPort(), "127.0.0.1", "/metrics")
              .putHeader("accept", accept)
              .send()
              .await();
      String text = res.bodyAsString();
      assertThat(text)
          .contains("portico_circuit_breaker_state")
          .contains("portico_retries_total")
          .contains("portico_sf_resolutions_total")
          .contains("vertx_http_server_requests_total")
          .contains("vertx_http_client_requests_total")
          .contains("jvm_gc_")
          .contains("jvm_threads_live_threads");
      // Vert.x labels never carry the method verbatim (clients could mint series with made-up
      // methods)
      assertThat(text.lines().filter(line -> line.startsWith("vertx_http_server_requests_total")))
          .isNotEmpty()
          .noneMatch(line -> line.contains("method="));
      if (accept.equals("text/plain")) {
        // promtool parses the classic text format; OpenMetrics is checked by the real server below
        String out = PrometheusTools.checkMetrics(text, dir);
        assertThat(out).as("promtool output").doesNotContainIgnoringCase("error");
      }
    }
  }

  @Test
  void aRealPrometheusScrapesTheGatewayAndAnswersAHistogramQuantile(@TempDir Path dir)
      throws Exception {
    Path prometheus = PrometheusTools.require("prometheus");
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
      global:
        scrape_interval: 1s
        scrape_timeout: 1s
        evaluation_interval: 1s
      scrape_configs:
        - job_name: portico
          metrics_path: /metrics
          static_configs:
            - targets: ["127.0.0.1:%d"]
      """
            .formatted(gw.managementPort()));
    Path log = dir.resolve("prometheus.log");
    // port 0, read back from Prometheus's log (its "Listening on" line, at level info): a port
    // picked beforehand could be taken by something else before Prometheus binds it
    Process server =
        new ProcessBuilder(
                prometheus.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:0",
                "--log.level=info",
                "--log.format=logfmt")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      int port = listeningPort(server, log);
      String query =
          "histogram_quantile(0.99, sum by (le) (rate(portico_request_duration_seconds_bucket[1m])))";
      String perApi =
          "histogram_quantile(0.99, sum by (api, le) (rate(portico_request_duration_seconds_bucket[1m])))";
      AtomicReference<String> last = new AtomicReference<>("");
      Double p99 = null;
      try {
        p99 =
            Awaitility.await()
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(
                    () -> {
                      // traffic between Prometheus's scrapes (every 1 s), paced by the poll, so
                      // that rate() over the buckets has something to show
                      traffic(10);
                      if (!server.isAlive()) {
                        fail(
                            "prometheus exited with %d:%n%s",
                            server.exitValue(), Files.readString(log));
                      }
                      JsonObject answer = query(port, query);
                      last.set(String.valueOf(answer));
                      return number(answer);
                    },
                    Objects::nonNull);
      } catch (ConditionTimeoutException e) {
        fail(
            "no histogram_quantile answer within 90 s; last answer: %s%ntargets: %s%nprometheus log:%n%s",
            last.get(), get(port, "/api/v1/targets").orElse("-"), Files.readString(log));
      }
      assertThat(p99).isPositive().isLessThan(30.0);
      // per API too, as docs/metrics.md shows it
      JsonObject byApi = query(port, perApi);
      JsonArray result = byApi.getJsonObject("data").getJsonArray("result");
      List<String> apis = new ArrayList<>();
      result.forEach(r -> apis.add(((JsonObject) r).getJsonObject("metric").getString("api")));
      assertThat(apis).contains("ok", "broken");
      // the scrape itself was healthy
      JsonObject up = query(port, "up{job=\"portico\"}");
      assertThat(number(up)).isEqualTo(1.0);
    } finally {
      server.destroy();
      if (!server.waitFor(15, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Prometheus's web listener, as its log reports it: {@code msg="Listening on" address=...}. */
  private static final Pattern LISTENING =
      Pattern.compile("msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+)");

  /** The port Prometheus listens on, once its log says so; fails when it exits first. */
  private static int listeningPort(Process server, Path log) throws IOException {
    try {
      return Awaitility.await("prometheus logs the port it listens on")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                Matcher m = LISTENING.matcher(Files.readString(log));
                if (m.find()) {
                  return Integer.parseInt(m.group(1));
                }
                if (!server.isAlive()) {
                  fail("prometheus exited with %d:%n%s", server.exitValue(), Files.readString(log));
                }
                return null;
              },
              Objects::nonNull);
    } catch (ConditionTimeoutException e) {
      return fail("prometheus did not log where it listens:%n%s", Files.readString(log));
    }
  }

  private void traffic(int n) {
    List<Future<?>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(web.get(gw.trafficPort(), "127.0.0.1", i % 5 == 0 ? "/broken/x" : "/ok/" + i).send());
    }
    Future.join(all).await();
  }

  private JsonObject query(int port, String promql) {
    return get(
            port,
            "/api/v1/query?query=" + java.net.URLEncoder.encode(promql, StandardCharsets.UTF_8))
        .map(JsonObject::new)
        .orElse(new JsonObject());
  }

  private java.util.Optional<String> get(int port, String uri) {
    try {
      HttpResponse<Buffer> res = web.get(port, "127.0.0.1", uri).timeout(5_000).send().await();
      // a starting Prometheus answers 503 "Service Unavailable" (text) until it is ready
      return res.statusCode() == 200
          ? java.util.Optional.of(res.bodyAsString())
          : java.util.Optional.empty();
    } catch (RuntimeException e) {
      return java.util.Optional.empty(); // not up yet
    }
  }

  /** The single instant-vector value of a query answer, or {@code null} when absent or NaN. */
  private static Double number(JsonObject answer) {
    JsonObject data = answer.getJsonObject("data");
    if (!"success".equals(answer.getString("status")) || data == null) {
      return null;
    }
    JsonArray result = data.getJsonArray("result");
    if (result == null || result.size() != 1) {
      return null;
    }
    double v = Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
    return Double.isNaN(v) ? null : v;
  }
}
