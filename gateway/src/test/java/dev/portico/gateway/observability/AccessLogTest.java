package dev.portico.gateway.observability;

import static dev.portico.gateway.observability.Scrape.l;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log: one JSON object per line and request, the documented fields, and never a secret.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessLogTest {

  static final List<String> FIELDS =
      List.of(
          "time",
          "requestId",
          "api",
          "operation",
          "backend",
          "endpoint",
          "instance",
          "method",
          "path",
          "status",
          "durationMs",
          "bytesIn",
          "bytesOut",
          "attempts",
          "reason");

  @Test
  void oneJsonLinePerRequestWithTheDocumentedFieldsAndNoSecrets(Vertx vertx, @TempDir Path dir)
      throws Exception {
    int echo = Backends.echo(vertx, "e").actualPort();
    int closed = Backends.closedPort();
    Path file = dir.resolve("access.log");
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      accessLog: { enabled: true, output: "%s" }
      namedValues:
        - { name: key, env: ORDERS_KEY }
      registry:
        instances: [ { service: orders, url: "http://127.0.0.1:%d/api" } ]
      backends:
        - id: orders
          url: orders
          credentials:
            header: { x-backend-key: "{{key}}" }
            query: { backend_sig: "{{key}}" }
            authorization: { scheme: Bearer, parameter: "{{key}}" }
        - { id: gone, url: "http://127.0.0.1:%d" }
      apis:
        - id: orders
          path: /orders
          backend: orders
          operations: [ { id: get-order, method: GET, path: "/{id}" }, { method: POST, path: "/" } ]
        - { id: broken, path: /broken, backend: gone }
      """
                .formatted(file, echo, closed),
            Map.of("ORDERS_KEY", "backend-secret-123"));
    WebClient web = WebClient.create(vertx);
    int port = gw.trafficPort();
    assertThat(
            web.get(port, "127.0.0.1", "/orders/7?api_key=client-secret-456&page=2")
                .putHeader("authorization", "Bearer client-token-789")
                .putHeader("x-api-key", "client-key-000")
                .putHeader("x-request-id", "req-\"quoted\"-1")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(
            web.request(HttpMethod.POST, port, "127.0.0.1", "/orders/")
                .sendBuffer(io.vertx.core.buffer.Buffer.buffer("12345"))
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(
            web.get(port, "127.0.0.1", "/nope?password=client-pass-111")
                .send()
                .await()
                .statusCode())
        .isEqualTo(404);
    assertThat(web.get(port, "127.0.0.1", "/broken/x").send().await().statusCode()).isEqualTo(502);

    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> Files.exists(file) && Files.readAllLines(file).size() >= 4);
    // exactly one line per request: no fifth one follows for a while
    await()
        .during(java.time.Duration.ofMillis(300))
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> Files.readAllLines(file).size() == 4);
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(4);
    List<JsonObject> entries = lines.stream().map(JsonObject::new).toList();
    for (JsonObject e : entries) {
      assertThat(e.fieldNames()).containsExactlyInAnyOrderElementsOf(FIELDS);
      assertThat(java.time.Instant.parse(e.getString("time")))
          .isBeforeOrEqualTo(java.time.Instant.now());
      assertThat(e.getValue("durationMs")).isInstanceOf(Number.class);
      assertThat(e.getString("requestId")).isNotEmpty();
    }
    // Lines are written as exchanges complete, on whichever event loop served them: a line can land
    // after the client already sent its next request, so entries are found by what they describe.
    JsonObject get =
        only(
            entries,
            e -> "GET".equals(e.getString("method")) && "orders".equals(e.getString("api")));
    assertThat(get.getString("requestId")).isEqualTo("req-\"quoted\"-1");
    assertThat(get.getString("api")).isEqualTo("orders");
    assertThat(get.getString("operation")).isEqualTo("get-order");
    assertThat(get.getString("backend")).isEqualTo("orders");
    assertThat(get.getString("endpoint")).isEqualTo("127.0.0.1:" + echo);
    assertThat(get.getString("instance")).isNotEmpty();
    assertThat(get.getString("method")).isEqualTo("GET");
    assertThat(get.getString("path")).isEqualTo("/orders/7");
    assertThat(get.getInteger("status")).isEqualTo(200);
    assertThat(get.getLong("bytesOut")).isPositive();
    assertThat(get.getInteger("attempts")).isEqualTo(1);
    assertThat(get.getValue("reason")).isNull();
    JsonObject post = only(entries, e -> "POST".equals(e.getString("method")));
    assertThat(post.getString("method")).isEqualTo("POST");
    assertThat(post.getLong("bytesIn")).isEqualTo(5);
    JsonObject notFound = only(entries, e -> Integer.valueOf(404).equals(e.getInteger("status")));
    assertThat(notFound.getString("api")).isEqualTo("unmatched");
    assertThat(notFound.getValue("backend")).isNull();
    assertThat(notFound.getInteger("status")).isEqualTo(404);
    assertThat(notFound.getString("reason")).isEqualTo("OperationNotFound");
    JsonObject broken = only(entries, e -> "broken".equals(e.getString("api")));
    assertThat(broken.getInteger("status")).isEqualTo(502);
    assertThat(broken.getString("reason")).isEqualTo("BackendConnectionFailure");

    String all = Files.readString(file);
    assertThat(all)
        .doesNotContain("backend-secret-123")
        .doesNotContain("client-secret-456")
        .doesNotContain("client-token-789")
        .doesNotContain("client-key-000")
        .doesNotContain("client-pass-111")
        .doesNotContain("api_key")
        .doesNotContain("backend_sig")
        .doesNotContain("page=2")
        .doesNotContain("Bearer");
    // nothing dropped, and the counter is exposed
    assertThat(
            Scrape.get(vertx, gw.managementPort()).value("portico_access_log_dropped_total", l()))
        .isEqualTo(0);
  }

  private static JsonObject only(
      List<JsonObject> entries, java.util.function.Predicate<JsonObject> which) {
    List<JsonObject> found = entries.stream().filter(which).toList();
    assertThat(found).as("exactly one matching line in %s", entries).hasSize(1);
    return found.get(0);
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("a.log");
    AccessLog log = new AccessLog(file.toString(), 16);
    int total = 20_000;
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      log.completed(completion("/p" + i));
    }
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    log.close(10_000);
    long written = Files.readAllLines(file).size();
    assertThat(log.dropped()).isPositive();
    assertThat(written + log.dropped()).isEqualTo(total);
    assertThat(elapsedMs).as("offering never waits for the writer").isLessThan(5_000);
  }

  @Test
  void controlCharactersAndLongPathsStayOnOneLine() {
    StringBuilder b = new StringBuilder();
    AccessLog.format(new AccessLog.Entry(0, completion("/a\nb\"c\\d\u0001" + "x".repeat(5000))), b);
    String line = b.toString();
    assertThat(line).endsWith("}\n");
    assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
    JsonObject json = new JsonObject(line);
    assertThat(json.getString("path"))
        .startsWith("/a\nb\"c\\d\u0001x")
        .endsWith("...")
        .hasSizeLessThan(2100);
    assertThat(json.getString("time")).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(json.getDouble("durationMs")).isEqualTo(1.5);
  }

  @Test
  void anUnwritableOutputIsRefusedAtConfigurationTime(@TempDir Path dir) {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                GatewayHarness.config(
                    """
        accessLog: { enabled: true, output: "%s/missing/dir/access.log" }
        """
                        .formatted(dir),
                    Map.of()))
        .hasMessageContaining(
            "accessLog.output: the directory of '"
                + dir
                + "/missing/dir/access.log' does not exist");
  }

  static ExchangeObserver.Completion completion(String path) {
    return new ExchangeObserver.Completion(
        "rid",
        "api",
        null,
        "be",
        "127.0.0.1:1",
        "i-1",
        HttpMethod.GET,
        path,
        200,
        null,
        1_500_000,
        0,
        10,
        1);
  }
}
