package dev.portico.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.reload.ConfigSource;
import dev.portico.gateway.support.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code apis[].openapi.validate}: parameters and JSON bodies checked against the document before
 * the request is forwarded; a violation is a 400 problem naming the rule, a body over the cap a
 * 413; the backend never sees either; without validation the request goes through untouched.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RequestValidationTest {

  @TempDir Path dir;
  WebClient web;

  /** Method, URI and body of every request the backend received. */
  final List<String> seen = new CopyOnWriteArrayList<>();

  GatewayVerticle gw;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    web = WebClient.create(vertx);
    HttpServer backend =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              seen.add(
                                  req.method()
                                      + " "
                                      + req.uri()
                                      + (body.length() == 0 ? "" : " " + body)
                                      + (req.getHeader("X-Via-Policy") == null
                                          ? ""
                                          : " policy=" + req.getHeader("X-Via-Policy")));
                              req.response().end("ok");
                            }))
            .listen(0, "127.0.0.1")
            .await();
    int port = backend.actualPort();
    for (String f : List.of("orders.yaml", "common.yaml", "catalog.json")) {
      Files.writeString(
          dir.resolve(f),
          Files.readString(OpenApiImportTest.EXAMPLES.resolve(f))
              .replace("\"8081\"", "\"" + port + "\"")
              .replace("\"8082\"", "\"" + port + "\""));
    }
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(
        file,
        """
      listeners: { traffic: { host: 127.0.0.1, port: 0 }, management: { host: 127.0.0.1, port: 0 } }
      apis:
        - id: orders
          path: /shop
          openapi: { file: orders.yaml, validate: { parameters: true, content: true, maxBodySize: 1KiB } }
        - id: catalog
          path: /catalog
          openapi: { file: catalog.json }
        - id: orders-with-policies
          path: /shop2
          openapi: { file: orders.yaml, validate: { content: true } }
          policies:
            - set-header: { name: X-Via-Policy, value: "yes" }
      """);
    ConfigSource source = new ConfigSource(Optional.of(file), Map.of());
    GatewayConfig config = source.load(vertx).await();
    gw = new GatewayVerticle(config, 2, ExchangeObserver.NONE);
    vertx.deployVerticle(gw).await();
  }

  HttpRequest<Buffer> request(io.vertx.core.http.HttpMethod method, String uri) {
    return web.request(method, gw.trafficPort(), "127.0.0.1", uri);
  }

  static void assertViolation(HttpResponse<Buffer> r, String... detailContains) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.getHeader("content-type")).isEqualTo("application/problem+json");
    JsonObject p = r.bodyAsJsonObject();
    assertThat(p.getString("reason")).isEqualTo("RequestValidationFailed");
    assertThat(p.getString("type"))
        .isEqualTo("https://portico.dev/problems/request-validation-failed");
    assertThat(p.getString("detail")).contains(detailContains);
  }

  @Test
  void validRequestsAreForwardedWithTheirBodyIntact() {
    String body = "{\"item\":\"tea\",\"quantity\":2}";
    assertThat(
            request(io.vertx.core.http.HttpMethod.GET, "/shop/orders/7")
                .putHeader("X-Tenant", "acme")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(
            request(io.vertx.core.http.HttpMethod.GET, "/shop/orders?limit=10")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(
            request(io.vertx.core.http.HttpMethod.POST, "/shop/orders")
                .putHeader("content-type", "application/json")
                .sendBuffer(Buffer.buffer(body))
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(seen)
        .containsExactly("GET /v1/orders/7", "GET /v1/orders?limit=10", "POST /v1/orders " + body);
  }

  @Test
  void aValidatedBodyGoesThroughTheApisPoliciesToTheBackend() {
    String body = "{\"item\":\"tea\",\"quantity\":3}";
    assertThat(
            request(io.vertx.core.http.HttpMethod.POST, "/shop2/orders")
                .putHeader("content-type", "application/json")
                .sendBuffer(Buffer.buffer(body))
                .await()
                .statusCode())
        .isEqualTo(200);
    assertViolation(
        request(io.vertx.core.http.HttpMethod.POST, "/shop2/orders")
            .putHeader("content-type", "application/json")
            .sendBuffer(Buffer.buffer("{\"item\":\"\",\"quantity\":3}"))
            .await(),
        "#/item");
    assertThat(seen).containsExactly("POST /v1/orders " + body + " policy=yes");
  }

  @Test
  void aBadParameterIsA400NamingTheRuleAndTheBackendIsNotCalled() {
    assertViolation(
        request(io.vertx.core.http.HttpMethod.GET, "/shop/orders/abc").send().await(),
        "path parameter id",
        "getOrder");
    assertViolation(
        request(io.vertx.core.http.HttpMethod.GET, "/shop/orders/0").send().await(),
        "path parameter id",
        "[schema rule: minimum]");
    assertViolation(
        request(io.vertx.core.http.HttpMethod.GET, "/shop/orders?limit=500").send().await(),
        "query parameter limit",
        "[schema rule: maximum]");
    assertViolation(
        request(io.vertx.core.http.HttpMethod.GET, "/shop/orders/7")
            .putHeader("X-Tenant", "ACME!")
            .send()
            .await(),
        "header parameter X-Tenant",
        "[schema rule: pattern]");
    assertThat(seen).isEmpty();
  }

  @Test
  void aBadJsonBodyIsA400NamingThePointer() {
    assertViolation(
        request(io.vertx.core.http.HttpMethod.POST, "/shop/orders")
            .putHeader("content-type", "application/json")
            .sendBuffer(Buffer.buffer("{\"item\":\"tea\",\"quantity\":0}"))
            .await(),
        "request body",
        "/quantity",
        "[schema rule: minimum]");
    assertViolation(
        request(io.vertx.core.http.HttpMethod.POST, "/shop/orders")
            .putHeader("content-type", "application/json")
            .sendBuffer(Buffer.buffer("{\"item\":\"tea\""))
            .await(),
        "request body");
    assertViolation(
        request(io.vertx.core.http.HttpMethod.POST, "/shop/orders")
            .putHeader("content-type", "text/plain")
            .sendBuffer(Buffer.buffer("tea"))
            .await(),
        "text/plain",
        "application/json");
    assertViolation(
        request(io.vertx.core.http.HttpMethod.POST, "/shop/orders").send().await(),
        "body is required");
    assertThat(seen).isEmpty();
  }

  @Test
  void aBodyOverTheCapIsA413WhetherDeclaredOrChunked() throws Exception {
    String big = "{\"item\":\"" + "x".repeat(2000) + "\",\"quantity\":1}";
    HttpResponse<Buffer> declared =
        request(io.vertx.core.http.HttpMethod.POST, "/shop/orders")
            .putHeader("content-type", "application/json")
            .sendBuffer(Buffer.buffer(big))
            .await();
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(declared.bodyAsJsonObject().getString("reason")).isEqualTo("RequestTooLarge");
    assertThat(declared.bodyAsJsonObject().getString("title")).isEqualTo("Content too large");
    // chunked: no Content-Length to refuse up front, the count stops it
    String chunk = Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n";
    RawHttp.Response answer =
        RawHttp.exchange(
            gw.trafficPort(),
            "POST /shop/orders HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk);
    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.reason()).isEqualTo("RequestTooLarge");
    assertThat(seen).isEmpty();
  }

  @Test
  void withoutValidationRequestsGoThroughUntouched() {
    assertThat(
            request(io.vertx.core.http.HttpMethod.GET, "/catalog/items/not-a-sku")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(
            request(io.vertx.core.http.HttpMethod.POST, "/catalog/items")
                .putHeader("content-type", "application/json")
                .sendBuffer(Buffer.buffer("{\"price\":-1}"))
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(seen).containsExactly("GET /items/not-a-sku", "POST /items {\"price\":-1}");
    assertThat(gw.gatewayConfig().apis().get(1).operations()).isNotEmpty();
  }
}
