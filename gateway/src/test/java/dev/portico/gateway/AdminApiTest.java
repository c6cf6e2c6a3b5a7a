package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.InstanceSpec;
import dev.portico.fabric.registry.FabricRecords;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin API on the management listener, over real sockets, with real backends and registry. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminApiTest {

  static final String TOKEN = "admin-token-3c9e1f7a2b";

  Vertx vertx;
  WebClient web;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
  }

  HttpRequest<Buffer> admin(GatewayVerticle gw, HttpMethod method, String path) {
    return web.request(method, gw.managementPort(), "127.0.0.1", path)
        .bearerTokenAuthentication(TOKEN);
  }

  HttpResponse<Buffer> get(GatewayVerticle gw, String path) {
    return web.get(gw.trafficPort(), "127.0.0.1", path).send().await();
  }

  @Test
  void withoutATokenTheAdminApiIsOffAndSaysHowToTurnItOn() {
    GatewayVerticle gw = GatewayHarness.start(vertx, "apis: []");
    HttpResponse<Buffer> r = admin(gw, HttpMethod.GET, "/admin/backends").send().await();
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(r.bodyAsJsonObject().getString("detail")).contains("configure admin.token");
  }

  @Test
  void everyRequestNeedsTheBearerTokenAndRefusalsAreLoggedWithoutIt() {
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      namedValues: [ { name: admin-token, env: ADMIN_TOKEN } ]
      admin: { token: "{{admin-token}}" }
      apis: []
      """,
            Map.of("ADMIN_TOKEN", TOKEN));
    try (LogCapture logs = new LogCapture()) {
      HttpResponse<Buffer> none =
          web.get(gw.managementPort(), "127.0.0.1", "/admin/apis").send().await();
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.getHeader("www-authenticate")).isEqualTo("Bearer realm=\"portico-admin\"");
      HttpResponse<Buffer> wrong =
          web.get(gw.managementPort(), "127.0.0.1", "/admin/apis")
              .bearerTokenAuthentication(TOKEN + "x")
              .send()
              .await();
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(String.join("\n", logs.lines()))
          .contains("admin API: GET /admin/apis")
          .contains("wrong token")
          .doesNotContain(TOKEN);
    }
    assertThat(admin(gw, HttpMethod.GET, "/admin/apis").send().await().statusCode()).isEqualTo(200);
    assertThat(admin(gw, HttpMethod.GET, "/admin/nothing").send().await().statusCode())
        .isEqualTo(404);
    // health and metrics stay open
    assertThat(
            web.get(gw.managementPort(), "127.0.0.1", "/health/ready").send().await().statusCode())
        .isEqualTo(200);
  }

  @Test
  void backendsShowTheirBreakersAndReconnectClosesThem() {
    int echo = Backends.echo(vertx, "ok").actualPort();
    int dead = Backends.closedPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      admin: { token: "%s" }
      backends:
        - id: dead
          url: "http://127.0.0.1:%d"
          circuitBreaker: { rules: [ { failureCondition: { count: 1, interval: PT10S, errorReasons: [BackendConnectionFailure] }, tripDuration: PT1H } ] }
        - { id: ok, url: "http://127.0.0.1:%d" }
        - { id: pool, type: Pool, pool: { services: [ { id: dead, priority: 1 }, { id: ok, priority: 2 } ] } }
      apis:
        - { id: dead, path: /dead, backend: dead }
      """
                .formatted(TOKEN, dead, echo));
    assertThat(get(gw, "/dead/x").statusCode()).isEqualTo(502);
    assertThat(get(gw, "/dead/x").statusCode()).isEqualTo(503);

    JsonArray backends =
        admin(gw, HttpMethod.GET, "/admin/backends").send().await().bodyAsJsonArray();
    assertThat(backends).hasSize(3);
    JsonObject deadJson = backends.getJsonObject(0);
    assertThat(deadJson.getString("type")).isEqualTo("Single");
    assertThat(deadJson.getString("url")).isEqualTo("http://127.0.0.1:" + dead);
    assertThat(deadJson.getJsonArray("breakers").getJsonObject(0).getString("state"))
        .isEqualTo("OPEN");
    // a breaker never used (made on first use) is listed, closed
    JsonArray unused = backends.getJsonObject(1).getJsonArray("breakers");
    assertThat(unused).hasSize(1);
    assertThat(unused.getJsonObject(0))
        .isEqualTo(new JsonObject().put("endpoint", "127.0.0.1:" + echo).put("state", "CLOSED"));
    assertThat(backends.getJsonObject(2).getJsonArray("members").getJsonObject(0).getString("id"))
        .isEqualTo("dead");

    // APIM's default is two minutes later
    HttpResponse<Buffer> later =
        admin(gw, HttpMethod.POST, "/admin/backends/dead/reconnect").send().await();
    assertThat(later.statusCode()).isEqualTo(202);
    assertThat(later.bodyAsJsonObject().getString("after")).isEqualTo("PT2M");
    assertThat(later.bodyAsJsonObject().getString("closesAt")).isNotNull();
    assertThat(get(gw, "/dead/x").statusCode()).isEqualTo(503);

    HttpResponse<Buffer> now =
        admin(gw, HttpMethod.POST, "/admin/backends/pool/reconnect")
            .sendJsonObject(new JsonObject().put("after", "PT0S"))
            .await();
    assertThat(now.statusCode()).isEqualTo(200);
    assertThat(now.bodyAsJsonObject().getJsonArray("closed"))
        .containsExactlyInAnyOrder("dead 127.0.0.1:" + dead, "ok 127.0.0.1:" + echo);
    assertThat(
            admin(gw, HttpMethod.GET, "/admin/backends/dead")
                .send()
                .await()
                .bodyAsJsonObject()
                .getJsonArray("breakers")
                .getJsonObject(0)
                .getString("state"))
        .isEqualTo("CLOSED");
    // closed: the next request is tried again (and fails for real)
    assertThat(get(gw, "/dead/x").statusCode()).isEqualTo(502);

    assertThat(
            admin(gw, HttpMethod.POST, "/admin/backends/nope/reconnect")
                .send()
                .await()
                .statusCode())
        .isEqualTo(404);
    HttpResponse<Buffer> bad =
        admin(gw, HttpMethod.POST, "/admin/backends/dead/reconnect")
            .sendJsonObject(new JsonObject().put("after", "soon"))
            .await();
    assertThat(bad.statusCode()).isEqualTo(422);
    assertThat(bad.bodyAsJsonObject().getString("detail"))
        .contains("after: 'soon' is not an ISO 8601 duration");
  }

  @Test
  void registryRecordsArePublishedTakenDownAndRemovedWhileTrafficFlows() {
    int a = Backends.echo(vertx, "A").actualPort();
    int b = Backends.echo(vertx, "B").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      admin: { token: "%s" }
      registry:
        refreshInterval: PT30S
        instances: [ { service: orders, url: "http://127.0.0.1:%d" } ]
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
                .formatted(TOKEN, a));

    HttpResponse<Buffer> created =
        admin(gw, HttpMethod.POST, "/admin/registry")
            .sendJsonObject(
                new JsonObject()
                    .put("service", "orders")
                    .put("url", "http://127.0.0.1:" + b)
                    .put("metadata", new JsonObject().put("zone", "z2")))
            .await();
    assertThat(created.statusCode()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("id");
    assertThat(created.getHeader("location")).isEqualTo("/admin/registry/" + id);
    assertThat(created.bodyAsJsonObject().getJsonObject("metadata").getString("zone"))
        .isEqualTo("z2");
    await()
        .atMost(1, TimeUnit.SECONDS)
        .until(() -> "B".equals(get(gw, "/orders/x").bodyAsJsonObject().getString("name")));

    HttpResponse<Buffer> down =
        admin(gw, HttpMethod.PUT, "/admin/registry/" + id + "/status")
            .sendJsonObject(new JsonObject().put("status", "down"))
            .await();
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(down.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
    await()
        .pollDelay(1, TimeUnit.SECONDS)
        .atMost(3, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              for (int i = 0; i < 10; i++) {
                assertThat(get(gw, "/orders/x").bodyAsJsonObject().getString("name"))
                    .isEqualTo("A");
              }
            });

    assertThat(admin(gw, HttpMethod.GET, "/admin/registry").send().await().bodyAsJsonArray())
        .hasSize(2);
    assertThat(admin(gw, HttpMethod.DELETE, "/admin/registry/" + id).send().await().statusCode())
        .isEqualTo(204);
    assertThat(admin(gw, HttpMethod.GET, "/admin/registry/" + id).send().await().statusCode())
        .isEqualTo(404);
    assertThat(admin(gw, HttpMethod.DELETE, "/admin/registry/" + id).send().await().statusCode())
        .isEqualTo(404);

    // bad input: clear errors, nothing published
    HttpResponse<Buffer> badUrl =
        admin(gw, HttpMethod.POST, "/admin/registry")
            .sendJsonObject(new JsonObject().put("service", "orders").put("url", "ftp://x"))
            .await();
    assertThat(badUrl.statusCode()).isEqualTo(422);
    assertThat(badUrl.bodyAsJsonObject().getString("detail"))
        .contains("scheme must be http or https");
    assertThat(
            admin(gw, HttpMethod.POST, "/admin/registry")
                .sendBuffer(Buffer.buffer("{not json"))
                .await()
                .statusCode())
        .isEqualTo(400);
    HttpResponse<Buffer> badStatus =
        admin(gw, HttpMethod.PUT, "/admin/registry/whatever/status")
            .sendJsonObject(new JsonObject().put("status", "SIDEWAYS"))
            .await();
    assertThat(badStatus.bodyAsJsonObject().getString("detail"))
        .contains("'SIDEWAYS' is not one of UP, DOWN");
    assertThat(admin(gw, HttpMethod.GET, "/admin/registry").send().await().bodyAsJsonArray())
        .hasSize(1);

    // a Service Fabric importer's record is the importer's: the admin API does not fight it
    String imported =
        gw.registry()
            .publish(
                InstanceSpec.of("fabric:/Shop/Orders", "http://10.0.0.9:8080")
                    .withMetadata(Map.of(FabricRecords.SOURCE, "sf-orders")))
            .await()
            .id();
    HttpResponse<Buffer> owned =
        admin(gw, HttpMethod.DELETE, "/admin/registry/" + imported).send().await();
    assertThat(owned.statusCode()).isEqualTo(409);
    assertThat(owned.bodyAsJsonObject().getString("detail"))
        .contains("Service Fabric importer 'sf-orders'");
  }

  @Test
  void apisAndNamedValuesAreListedWithoutSecretValues() {
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      admin: { token: "%s" }
      namedValues:
        - { name: tenant, value: contoso }
        - { name: api-key, value: s3cr3t-value-9f, secret: true }
      backends: [ { id: b, url: "http://127.0.0.1:9", credentials: { header: { x-key: "{{api-key}}" } } } ]
      apis:
        - id: orders
          path: /orders
          backend: b
          operations: [ { method: GET, path: "/{id}" } ]
      """
                .formatted(TOKEN));
    JsonArray apis = admin(gw, HttpMethod.GET, "/admin/apis").send().await().bodyAsJsonArray();
    assertThat(apis.getJsonObject(0).getString("path")).isEqualTo("/orders");
    assertThat(
            apis.getJsonObject(0).getJsonArray("operations").getJsonObject(0).getString("method"))
        .isEqualTo("GET");
    HttpResponse<Buffer> nv = admin(gw, HttpMethod.GET, "/admin/named-values").send().await();
    assertThat(nv.bodyAsJsonArray().getJsonObject(0).getString("value")).isEqualTo("contoso");
    assertThat(nv.bodyAsJsonArray().getJsonObject(1).containsKey("value")).isFalse();
    assertThat(nv.bodyAsString()).doesNotContain("s3cr3t-value-9f");
    assertThat(admin(gw, HttpMethod.GET, "/admin/backends").send().await().bodyAsString())
        .doesNotContain("s3cr3t-value-9f");
  }
}
