package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.LogCapture;
import dev.portico.gateway.support.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every admin write validates its body before anything changes, with raw requests over sockets:
 * unknown fields (typos), wrong types and missing fields are 422 problems naming the field, bodies
 * that are no JSON object 400, other media types 415, oversized bodies 413; none of it reaches the
 * router's "unhandled exception" path or leaves a stack trace in the log.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminInputTest {

  static final String TOKEN = "admin-token-7d1e0c";

  static Vertx vertx;
  static GatewayVerticle gw;
  static String recordId;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    int echo = Backends.echo(vertx, "orders-1").actualPort();
    gw =
        GatewayHarness.start(
            vertx,
            """
      admin: { token: "%s" }
      registry:
        instances: [ { service: orders, url: "http://127.0.0.1:%d" } ]
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
                .formatted(TOKEN, echo));
    recordId = gw.registry().instances().await().get(0).id();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static RawHttp.Response admin(String method, String path, String contentType, byte[] body)
      throws Exception {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(
        (method
                + " "
                + path
                + " HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    request.writeBytes(body);
    try (RawHttp http = new RawHttp(gw.managementPort())) {
      return http.send(request.toByteArray()).read();
    }
  }

  static RawHttp.Response admin(String method, String path, String json) throws Exception {
    return admin(method, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> invalidBodies() {
    String status = "/admin/registry/%s/status";
    return Stream.of(
        // a typo must not read as "no status given": nothing changes
        arguments(
            "PUT",
            status,
            "{\"stauts\": \"DOWN\"}",
            List.of("stauts", "status"),
            "did you mean 'status'?"),
        arguments("PUT", status, "{\"status\": 0}", List.of("status"), "string"),
        arguments(
            "PUT",
            status,
            "{\"status\": \"SIDEWAYS\"}",
            List.of("status"),
            "'SIDEWAYS' is not one of UP, DOWN"),
        arguments("PUT", status, "", List.of("status"), "required field is missing"),
        arguments(
            "POST",
            "/admin/registry",
            "{}",
            List.of("service", "url"),
            "required field is missing"),
        arguments(
            "POST",
            "/admin/registry",
            "{\"service\": \"orders\", \"url\": \"http://127.0.0.1:1\", \"stauts\": \"DOWN\"}",
            List.of("stauts"),
            "unknown field"),
        arguments(
            "POST",
            "/admin/registry",
            "{\"service\": 5, \"url\": true}",
            List.of("service", "url"),
            "string"),
        arguments(
            "POST",
            "/admin/registry",
            "{\"service\": \"orders\", \"url\": \"ftp://x\"}",
            List.of("url"),
            "scheme must be http or https"),
        arguments(
            "POST",
            "/admin/registry",
            "{\"service\": \"orders\", \"url\": \"http://127.0.0.1:1\","
                + " \"metadata\": {\"zone\": 3}}",
            List.of("metadata.zone"),
            "string"),
        arguments(
            "POST",
            "/admin/registry",
            "{\"service\": \"orders\", \"url\": \"http://127.0.0.1:1\","
                + " \"metadata\": {\"sf.source\": \"x\"}}",
            List.of("metadata.sf.source"),
            "Service Fabric importer"),
        arguments(
            "POST",
            "/admin/backends/orders/reconnect",
            "{\"after\": 5}",
            List.of("after"),
            "string"),
        arguments(
            "POST",
            "/admin/backends/orders/reconnect",
            "{\"after\": \"soon\"}",
            List.of("after"),
            "'soon' is not an ISO 8601 duration"),
        arguments(
            "POST",
            "/admin/backends/orders/reconnect",
            "{\"after\": \"-PT1S\"}",
            List.of("after"),
            "negative"),
        arguments(
            "POST",
            "/admin/backends/orders/reconnect",
            "{\"afetr\": \"PT0S\"}",
            List.of("afetr"),
            "did you mean 'after'?"),
        arguments(
            "POST", "/admin/config/reload", "{\"force\": true}", List.of("force"), "unknown field"),
        arguments(
            "DELETE",
            "/admin/registry/%s",
            "{\"force\": true}",
            List.of("force"),
            "unknown field"));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource
  void invalidBodies(String method, String path, String body, List<String> fields, String reason)
      throws Exception {
    int records = gw.registry().instances().await().size();
    try (LogCapture logs = new LogCapture()) {
      RawHttp.Response r = admin(method, path.formatted(recordId), body);
      assertThat(r.status()).as(r.body()).isEqualTo(422);
      assertThat(r.isProblem()).isTrue();
      JsonObject problem = new JsonObject(r.body());
      assertThat(problem.getString("type"))
          .isEqualTo("https://portico.dev/problems/admin-invalid-body");
      JsonArray problems = problem.getJsonArray("problems");
      assertThat(problems.stream().map(p -> ((JsonObject) p).getString("field")).toList())
          .containsExactlyInAnyOrderElementsOf(fields);
      assertThat(problem.getString("detail"))
          .contains(reason)
          .contains(fields.get(0) + ": ")
          .endsWith("nothing was changed");
      assertNoRouterFailure(logs);
    }
    // nothing changed: the record is still there and UP, no record was added, traffic flows
    List<ServiceInstance> now = gw.registry().instances().await();
    assertThat(now).hasSize(records);
    assertThat(gw.registry().instance(recordId).await().status()).isEqualTo(InstanceStatus.UP);
    assertThat(
            RawHttp.exchange(gw.trafficPort(), "GET /orders/1 HTTP/1.1\r\nHost: h\r\n\r\n")
                .status())
        .isEqualTo(200);
  }

  static Stream<Arguments> unreadableBodies() {
    byte[] deep = "[".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
    byte[] notUtf8 = {'{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    return Stream.of(
        arguments(
            "malformed JSON",
            "application/json",
            "{not json".getBytes(StandardCharsets.US_ASCII),
            400,
            "not valid JSON"),
        arguments(
            "a JSON array",
            "application/json",
            "[]".getBytes(StandardCharsets.US_ASCII),
            400,
            "a JSON object"),
        arguments(
            "JSON null",
            "application/json",
            "null".getBytes(StandardCharsets.US_ASCII),
            400,
            "a JSON object"),
        arguments(
            "a JSON string",
            null,
            "\"DOWN\"".getBytes(StandardCharsets.US_ASCII),
            400,
            "a JSON object"),
        arguments("arrays nested 20000 deep", "application/json", deep, 400, "not valid JSON"),
        arguments("bytes that are no UTF-8", "application/json", notUtf8, 400, "not valid JSON"),
        arguments(
            "binary bytes",
            "application/octet-stream",
            new byte[] {0, 1, 2, (byte) 0xff},
            415,
            "not application/octet-stream"),
        arguments(
            "a form",
            "application/x-www-form-urlencoded",
            "status=DOWN".getBytes(StandardCharsets.US_ASCII),
            415,
            "Content-Type: application/json"),
        arguments(
            "text",
            "text/plain; charset=utf-8",
            "{\"status\": \"DOWN\"}".getBytes(StandardCharsets.US_ASCII),
            415,
            "not text/plain"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void unreadableBodies(String name, String contentType, byte[] body, int status, String detail)
      throws Exception {
    try (LogCapture logs = new LogCapture()) {
      RawHttp.Response r =
          admin("PUT", "/admin/registry/" + recordId + "/status", contentType, body);
      assertThat(r.status()).as(r.body()).isEqualTo(status);
      assertThat(r.isProblem()).isTrue();
      assertThat(r.member("detail")).contains(detail);
      assertNoRouterFailure(logs);
    }
    assertThat(gw.registry().instance(recordId).await().status()).isEqualTo(InstanceStatus.UP);
  }

  @Test
  void oversizedBodiesAre413WithTheConnectionClosed() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      // announced by Content-Length: refused before it is read
      try (RawHttp http = new RawHttp(gw.managementPort())) {
        RawHttp.Response r =
            http.send(
                    "POST /admin/registry HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer "
                        + TOKEN
                        + "\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{\"service\": \"")
                .read();
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.isProblem()).isTrue();
        assertThat(r.member("detail")).contains("larger than 64 KiB");
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(http.closedByPeer()).isTrue();
      }
      // chunked: refused once it passes the limit
      try (RawHttp http = new RawHttp(gw.managementPort())) {
        http.send(
            "POST /admin/registry HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = "x".repeat(16 * 1024);
        for (int i = 0; i < 5; i++) {
          http.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
        }
        RawHttp.Response r = http.read();
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.isProblem()).isTrue();
      }
      assertNoRouterFailure(logs);
    }
    assertThat(gw.registry().instances().await()).hasSize(1);
  }

  @Test
  void aValidWriteStillWorks() throws Exception {
    RawHttp.Response r =
        admin("PUT", "/admin/registry/" + recordId + "/status", "{\"status\": \"up\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("status")).isEqualTo("UP");
    assertThat(admin("POST", "/admin/config/reload", "application/json", new byte[0]).status())
        .isEqualTo(409);
    assertThat(
            admin(
                    "POST",
                    "/admin/backends/orders/reconnect",
                    "application/json; charset=utf-8",
                    "{\"after\": \"PT0S\"}".getBytes(StandardCharsets.UTF_8))
                .status())
        .isEqualTo(200);
  }

  /** No input may end in vert.x-web's "Unhandled exception in router", nor leave a stack trace. */
  static void assertNoRouterFailure(LogCapture logs) {
    String log = String.join("\n", logs.lines());
    assertThat(log)
        .doesNotContain("Unhandled exception")
        .doesNotContain("\tat ")
        .doesNotContain("admin API: ");
  }
}
