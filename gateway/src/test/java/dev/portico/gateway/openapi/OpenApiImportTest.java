package dev.portico.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.ConfigProblem;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.reload.ConfigSource;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * {@code apis[].openapi}: operations and backend imported from OpenAPI 3.0 (YAML, a relative-file
 * {@code $ref}) and 3.1 (JSON) documents, from a file and from a URL; broken documents named by
 * file and JSON pointer; reload re-reads the document.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OpenApiImportTest {

  static final String TOKEN = "openapi-admin-token-61c2";

  /** The worked example of docs/openapi.md. */
  static final Path EXAMPLES = Path.of("..", "docs", "examples", "openapi");

  static final Path BROKEN = Path.of("src", "test", "resources", "openapi");

  @TempDir Path dir;
  WebClient web;

  /** The URIs the backend was asked for. */
  final List<String> seen = new CopyOnWriteArrayList<>();

  int backendPort;

  @BeforeEach
  void setUp(Vertx vertx) {
    web = WebClient.create(vertx);
    HttpServer backend =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              seen.add(req.method() + " " + req.uri());
                              req.response()
                                  .putHeader("content-type", "application/json")
                                  .end(
                                      new JsonObject()
                                          .put("uri", req.uri())
                                          .put("body", body.toString())
                                          .encode());
                            }))
            .listen(0, "127.0.0.1")
            .await();
    backendPort = backend.actualPort();
  }

  /**
   * The example documents, copied beside the configuration with their server port variable set to
   * the backend's.
   */
  void copyExamples(int port) throws Exception {
    for (String f : List.of("orders.yaml", "common.yaml", "catalog.json")) {
      Files.writeString(
          dir.resolve(f),
          Files.readString(EXAMPLES.resolve(f))
              .replace("\"8081\"", "\"" + port + "\"")
              .replace("\"8082\"", "\"" + port + "\""));
    }
  }

  String config(String apis) {
    return """
      listeners: { traffic: { host: 127.0.0.1, port: 0 }, management: { host: 127.0.0.1, port: 0 } }
      admin: { token: "%s" }
      accessLog: { enabled: true, output: "%s" }
      """
            .formatted(TOKEN, dir.resolve("access.log"))
        + apis;
  }

  GatewayVerticle start(Vertx vertx, String yaml) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    ConfigSource source = new ConfigSource(Optional.of(file), Map.of());
    GatewayConfig config = source.load(vertx).await();
    GatewayVerticle gw =
        new GatewayVerticle(config, 2, ExchangeObserver.NONE).reloadableFrom(source);
    vertx.deployVerticle(gw).await();
    return gw;
  }

  List<String> problems(Vertx vertx, String yaml) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml);
    Throwable t =
        catchThrowableOfType(
            () -> new ConfigSource(Optional.of(file), Map.of()).load(vertx).await(),
            ConfigException.class);
    assertThat(t).as("the configuration is refused").isNotNull();
    return ((ConfigException) t).problems().stream().map(ConfigProblem::toString).toList();
  }

  HttpResponse<Buffer> get(GatewayVerticle gw, String path) {
    return web.get(gw.trafficPort(), "127.0.0.1", path).send().await();
  }

  @Test
  void operationsAndBackendComeFromA30YamlAndA31JsonDocument(Vertx vertx) throws Exception {
    copyExamples(backendPort);
    GatewayVerticle gw =
        start(
            vertx,
            config(
                """
      apis:
        - { id: orders, path: /shop, openapi: { file: orders.yaml } }
        - { id: catalog, path: /catalog, openapi: { file: catalog.json } }
      """));
    // servers[0] of orders.yaml is http://127.0.0.1:{port}/v1: its base path is the backend's
    HttpResponse<Buffer> order = get(gw, "/shop/orders/7?x=1");
    assertThat(order.statusCode()).isEqualTo(200);
    assertThat(order.bodyAsJsonObject().getString("uri")).isEqualTo("/v1/orders/7?x=1");
    assertThat(get(gw, "/catalog/items/ABC-1234").bodyAsJsonObject().getString("uri"))
        .isEqualTo("/items/ABC-1234");
    assertThat(
            web.delete(gw.trafficPort(), "127.0.0.1", "/shop/orders/7").send().await().statusCode())
        .isEqualTo(200);
    // only the document's operations are routed
    HttpResponse<Buffer> put =
        web.put(gw.trafficPort(), "127.0.0.1", "/shop/orders/7").send().await();
    assertThat(put.statusCode()).isEqualTo(404);
    assertThat(put.bodyAsJsonObject().getString("reason")).isEqualTo("OperationNotFound");
    assertThat(get(gw, "/shop/customers").statusCode()).isEqualTo(404);
    assertThat(seen)
        .containsExactly("GET /v1/orders/7?x=1", "GET /items/ABC-1234", "DELETE /v1/orders/7");
    // operationIds are the operations' ids (access log, metrics labels, policies); one without is
    // METHOD path
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(Files.readString(dir.resolve("access.log")))
                    .contains("\"operation\":\"getOrder\"")
                    .contains("\"operation\":\"getItem\"")
                    .contains("\"operation\":\"DELETE /orders/{id}\""));
    assertThat(gw.gatewayConfig().backends())
        .anyMatch(b -> b.id().equals("http://127.0.0.1:" + backendPort + "/v1"));
  }

  @Test
  void aDocumentByUrlAndItsRelativeServerResolveAgainstTheDocumentsUrl(Vertx vertx)
      throws Exception {
    String doc = Files.readString(BROKEN.resolve("relative-server.yaml"));
    String orders =
        Files.readString(EXAMPLES.resolve("orders.yaml"))
            .replace("\"8081\"", "\"" + backendPort + "\"");
    String common = Files.readString(EXAMPLES.resolve("common.yaml"));
    // one loopback server serves the documents and is the backend the relative server URL (/api)
    // names
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  switch (req.path()) {
                    case "/specs/ping.yaml" ->
                        req.response().putHeader("content-type", "application/yaml").end(doc);
                    case "/specs/orders.yaml" -> req.response().end(orders);
                    case "/specs/common.yaml" -> req.response().end(common);
                    default -> req.response().end("pong " + req.uri());
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
    String base = "http://127.0.0.1:" + server.actualPort() + "/specs/";
    GatewayVerticle gw =
        start(
            vertx,
            config(
                """
      apis:
        - { id: ping, path: /p, openapi: { url: "%sping.yaml" } }
        - { id: orders, path: /o, openapi: { url: "%sorders.yaml", validate: { content: true } } }
      """
                    .formatted(base, base)));
    assertThat(get(gw, "/p/ping").bodyAsString()).isEqualTo("pong /api/ping");
    assertThat(gw.gatewayConfig().apis().get(0).operations())
        .extracting(o -> o.id())
        .containsExactly("ping");
    // common.yaml, referred to relatively, came from beside the document's URL: its schema applies
    HttpResponse<Buffer> bad =
        web.post(gw.trafficPort(), "127.0.0.1", "/o/orders")
            .putHeader("content-type", "application/json")
            .sendBuffer(Buffer.buffer("{\"item\":\"tea\",\"quantity\":0}"))
            .await();
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("detail")).contains("#/quantity");
    assertThat(
            web.post(gw.trafficPort(), "127.0.0.1", "/o/orders")
                .putHeader("content-type", "application/json")
                .sendBuffer(Buffer.buffer("{\"item\":\"tea\",\"quantity\":1}"))
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(seen).containsExactly("POST /v1/orders");
  }

  @Test
  void aBrokenDocumentIsAConfigurationProblemNamingTheFileAndThePointer(Vertx vertx)
      throws Exception {
    for (String f :
        List.of(
            "not-openapi.yaml",
            "bad-ref.yaml",
            "bad-template.yaml",
            "bad-schema.yaml",
            "relative-server.yaml")) {
      Files.copy(BROKEN.resolve(f), dir.resolve(f));
    }
    Path file = dir.resolve("gateway.yaml");
    List<String> problems =
        problems(
            vertx,
            config(
                """
      apis:
        - { id: a, path: /a, openapi: { file: missing.yaml } }
        - { id: b, path: /b, openapi: { file: not-openapi.yaml } }
        - { id: c, path: /c, openapi: { file: bad-ref.yaml } }
        - { id: d, path: /d, openapi: { file: bad-template.yaml } }
        - { id: e, path: /e, openapi: { file: bad-schema.yaml } }
        - { id: f, path: /f, openapi: { file: relative-server.yaml } }
        - { id: g, path: /g, openapi: { file: relative-server.yaml }, backend: nowhere }
        - { id: h, path: /h, openapi: { url: "http://exa mple/x.yaml" } }
        - { id: i, path: /i, openapi: { url: "ftp://example/x.yaml", file: x.yaml } }
      """));
    assertThat(problems)
        .anyMatch(p -> p.startsWith(file + ": apis[0].openapi: missing.yaml: file not found"));
    assertThat(problems)
        .contains(
            file
                + ": apis[1].openapi: not-openapi.yaml#/openapi: missing: not an OpenAPI"
                + " document (3.0 or 3.1)");
    assertThat(problems)
        .contains(
            file
                + ": apis[2].openapi: bad-ref.yaml#/paths/~1orders~1{id}/get/parameters/0/$ref:"
                + " '#/components/parameters/Nope' does not resolve: nothing at #/components/parameters/Nope");
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith(
                    file + ": apis[3].openapi: bad-template.yaml#/paths/~1files~1{name}.json: "));
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith(
                    file + ": apis[4].openapi: bad-schema.yaml#/paths/~1orders/get/parameters/0"));
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith(
                    file
                        + ": apis[5].openapi: relative-server.yaml#/servers/0/url: the"
                        + " server URL '/api' is relative"));
    assertThat(problems)
        .contains(file + ": apis[6].backend: unknown backend 'nowhere' (no backends are defined)");
    assertThat(problems)
        .anyMatch(
            p -> p.startsWith(file + ": apis[7].openapi: http://exa mple/x.yaml: not a valid URL"));
    assertThat(problems)
        .contains(
            file
                + ": apis[8].openapi: needs exactly one of 'file' (a path) or 'url' (http or https)");
    assertThat(problems).hasSize(9);
  }

  @Test
  void operationsBesideOpenapiAreRefused(Vertx vertx) throws Exception {
    copyExamples(backendPort);
    Path file = dir.resolve("gateway.yaml");
    assertThat(
            problems(
                vertx,
                config(
                    """
      apis:
        - id: orders
          path: /shop
          openapi: { file: orders.yaml }
          operations: [ { method: GET, path: /other } ]
      """)))
        .containsExactly(
            file
                + ": apis[0].operations: an API imported from OpenAPI (openapi) takes its"
                + " operations from the document: drop 'operations', or drop 'openapi' and list them all");
  }

  @Test
  void reloadReadsTheDocumentAgainAndABrokenOneIsRefusedWhole(Vertx vertx) throws Exception {
    copyExamples(backendPort);
    GatewayVerticle gw =
        start(
            vertx,
            config(
                """
      apis:
        - { id: catalog, path: /catalog, openapi: { file: catalog.json } }
      """));
    assertThat(get(gw, "/catalog/brands").statusCode()).isEqualTo(404);
    Path doc = dir.resolve("catalog.json");
    String v1 = Files.readString(doc);
    JsonObject v2 = new JsonObject(v1);
    v2.getJsonObject("paths")
        .put(
            "/brands",
            new JsonObject()
                .put(
                    "get",
                    new JsonObject()
                        .put("operationId", "brands")
                        .put(
                            "responses",
                            new JsonObject()
                                .put("200", new JsonObject().put("description", "ok")))));
    Files.writeString(doc, v2.encodePrettily());
    String before = openapi(gw).getString("sha256");
    HttpResponse<Buffer> applied = reload(gw);
    assertThat(applied.statusCode()).as(applied.bodyAsString()).isEqualTo(200);
    assertThat(
            applied
                .bodyAsJsonObject()
                .getJsonObject("changes")
                .getJsonObject("apis")
                .getJsonArray("changed"))
        .containsExactly("catalog");
    assertThat(openapi(gw).getString("document")).isEqualTo("catalog.json");
    assertThat(openapi(gw).getString("sha256")).isNotEqualTo(before);
    assertThat(get(gw, "/catalog/brands").bodyAsJsonObject().getString("uri")).isEqualTo("/brands");

    Files.writeString(
        doc, v1.replace("\"#/components/schemas/Item\"", "\"#/components/schemas/Gone\""));
    HttpResponse<Buffer> refused = reload(gw);
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.bodyAsJsonObject().getJsonArray("problems").getList())
        .anyMatch(
            p ->
                p.toString()
                    .contains(
                        "apis[0].openapi: catalog.json#/paths/~1items/post/requestBody/content/application~1json/schema/$ref:"
                            + " '#/components/schemas/Gone' does not resolve"));
    // the old configuration keeps serving, the new operation included
    assertThat(get(gw, "/catalog/brands").statusCode()).isEqualTo(200);
    assertThat(get(gw, "/catalog/items/ABC-1234").statusCode()).isEqualTo(200);
  }

  JsonObject openapi(GatewayVerticle gw) {
    return web.get(gw.managementPort(), "127.0.0.1", "/admin/apis")
        .bearerTokenAuthentication(TOKEN)
        .send()
        .await()
        .bodyAsJsonArray()
        .getJsonObject(0)
        .getJsonObject("openapi");
  }

  HttpResponse<Buffer> reload(GatewayVerticle gw) {
    return web.post(gw.managementPort(), "127.0.0.1", "/admin/config/reload")
        .bearerTokenAuthentication(TOKEN)
        .send()
        .await();
  }
}
