package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.reload.ConfigSource;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration reload: what changes live, what is refused whole, and that traffic never notices.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConfigReloadTest {

  static final String TOKEN = "reload-admin-token-5d2c9a";

  @TempDir Path dir;
  Path file;
  WebClient web;
  int one;
  int two;

  @BeforeEach
  void setUp(Vertx vertx) {
    file = dir.resolve("gateway.yaml");
    web = WebClient.create(vertx);
    one = Backends.echo(vertx, "one").actualPort();
    two = Backends.echo(vertx, "two").actualPort();
  }

  /** The fixed part of every version of the file: listeners, admin token, a secret from a file. */
  String config(String rest) {
    return """
      listeners: { traffic: { host: 127.0.0.1, port: 0 }, management: { host: 127.0.0.1, port: 0 } }
      admin: { token: "%s" }
      namedValues:
        - { name: key, file: "%s" }
      """
            .formatted(TOKEN, dir.resolve("key.secret"))
        + rest;
  }

  GatewayVerticle start(Vertx vertx, String yaml) throws Exception {
    Files.writeString(file, yaml);
    ConfigSource source = new ConfigSource(Optional.of(file), Map.of());
    GatewayConfig config = source.load(vertx).await();
    GatewayVerticle gw =
        new GatewayVerticle(config, 2, ExchangeObserver.NONE).reloadableFrom(source);
    vertx.deployVerticle(gw).await();
    return gw;
  }

  @Test
  void apisBackendsAndRotatedSecretsChangeLiveWithoutAFailedRequest(Vertx vertx) throws Exception {
    Files.writeString(dir.resolve("key.secret"), "secret-v1\n");
    GatewayVerticle gw =
        start(
            vertx,
            config(
                """
      backends:
        - { id: first, url: "http://127.0.0.1:%d", credentials: { header: { x-key: "{{key}}" } } }
      apis:
        - { id: a, path: /a, backend: first }
      """
                    .formatted(one)));
    assertThat(name(get(gw, "/a/1"))).isEqualTo("one");
    assertThat(get(gw, "/a/1").bodyAsJsonObject().getJsonObject("headers").getString("x-key"))
        .isEqualTo("secret-v1");
    String gatewayId = gw.gatewayConfig().gatewayId();

    // bounded load in flight while the configuration changes under it
    AtomicInteger failed = new AtomicInteger();
    Set<String> served = ConcurrentHashMap.newKeySet();
    List<Future<?>> load = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      load.add(loop(gw, 500, failed, served));
    }
    await().atMost(10, TimeUnit.SECONDS).until(() -> served.contains("one"));
    Files.writeString(dir.resolve("key.secret"), "secret-v2\n");
    Files.writeString(
        file,
        config(
            """
      backends:
        - { id: first, url: "http://127.0.0.1:%d", credentials: { header: { x-key: "{{key}}" } } }
        - { id: second, url: "http://127.0.0.1:%d" }
      apis:
        - { id: a, path: /a, backend: second }
        - { id: b, path: /b, backend: first }
      """
                .formatted(one, two)));
    HttpResponse<Buffer> r = reload(gw);
    Future.all(load).await();
    assertThat(failed.get()).as("requests failed across the reload").isZero();
    assertThat(served)
        .as("the load saw the old and the new backend of /a")
        .containsExactlyInAnyOrder("one", "two");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("outcome")).isEqualTo("applied");
    assertThat(body.getLong("generation")).isEqualTo(2);
    JsonObject changes = body.getJsonObject("changes");
    assertThat(changes.getJsonObject("apis").getJsonArray("added").getList()).containsExactly("b");
    assertThat(changes.getJsonObject("apis").getJsonArray("changed").getList())
        .containsExactly("a");
    assertThat(changes.getJsonObject("backends").getJsonArray("added").getList())
        .containsExactly("second");
    assertThat(changes.getJsonObject("backends").getJsonArray("changed").getList())
        .containsExactly("first");
    assertThat(changes.getJsonArray("breakersReset").getList())
        .as("credentials alone keep the breakers")
        .isEmpty();

    assertThat(name(get(gw, "/a/1"))).isEqualTo("two");
    assertThat(name(get(gw, "/b/1"))).isEqualTo("one");
    assertThat(get(gw, "/b/1").bodyAsJsonObject().getJsonObject("headers").getString("x-key"))
        .isEqualTo("secret-v2");
    assertThat(gw.gatewayConfig().gatewayId())
        .as("a generated hop id survives reloads")
        .isEqualTo(gatewayId);

    JsonObject shown =
        web.get(gw.managementPort(), "127.0.0.1", "/admin/config")
            .bearerTokenAuthentication(TOKEN)
            .send()
            .await()
            .bodyAsJsonObject();
    assertThat(shown.getLong("generation")).isEqualTo(2);
    assertThat(shown.getString("source")).isEqualTo(file.toString());
    assertThat(shown.getJsonObject("lastReload").getString("outcome")).isEqualTo("applied");
    assertThat(
            web.get(gw.managementPort(), "127.0.0.1", "/admin/apis")
                .bearerTokenAuthentication(TOKEN)
                .send()
                .await()
                .bodyAsJsonArray())
        .hasSize(2);
    String metrics =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
    assertThat(metrics)
        .contains("portico_config_reloads_total{result=\"applied\"} 1.0")
        .contains("portico_config_last_reload_successful 1.0");
  }

  @Test
  void anInvalidFileOrARestartOnlyChangeIsRefusedWholeAndNothingChanges(Vertx vertx)
      throws Exception {
    Files.writeString(dir.resolve("key.secret"), "k");
    String v1 =
        config(
            """
      backends: [ { id: first, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: first } ]
      """
                .formatted(one));
    GatewayVerticle gw = start(vertx, v1);

    Files.writeString(
        file,
        config(
            """
      backends: [ { id: first, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: ghost }, { id: b, path: /b, backend: first, tiemout: 1 } ]
      """
                .formatted(two)));
    HttpResponse<Buffer> invalid = reload(gw);
    assertThat(invalid.statusCode()).isEqualTo(422);
    assertThat(invalid.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(invalid.bodyAsJsonObject().getJsonArray("problems").getList())
        .contains(file + ": apis[0].backend: unknown backend 'ghost' (defined: first)");
    assertThat(invalid.bodyAsJsonObject().getJsonArray("problems").getList())
        .anyMatch(p -> p.toString().startsWith(file + ": apis[1].tiemout: unknown field"));
    assertThat(name(get(gw, "/a/1"))).isEqualTo("one");
    assertThat(get(gw, "/b/1").statusCode()).isEqualTo(404);

    // a valid file that also changes a section only a restart applies: refused whole
    Files.writeString(
        file,
        config(
            """
      upstream: { maxConnectionsPerEndpoint: 7 }
      backends: [ { id: first, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: first } ]
      """
                .formatted(two)));
    HttpResponse<Buffer> restart = reload(gw);
    assertThat(restart.statusCode()).isEqualTo(409);
    assertThat(restart.bodyAsJsonObject().getString("type")).endsWith("restart-required");
    assertThat(restart.bodyAsJsonObject().getJsonArray("sections").getList())
        .containsExactly("upstream");
    assertThat(name(get(gw, "/a/1")))
        .as("the API change came with it and was not applied")
        .isEqualTo("one");
    assertThat(web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await().bodyAsString())
        .contains("portico_config_last_reload_successful 0.0")
        .contains("portico_config_reloads_total{result=\"invalid\"} 1.0")
        .contains("portico_config_reloads_total{result=\"restart_required\"} 1.0");

    Files.writeString(file, v1);
    HttpResponse<Buffer> same = reload(gw);
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(same.bodyAsJsonObject().getString("outcome")).isEqualTo("unchanged");
    assertThat(same.bodyAsJsonObject().getLong("generation")).isEqualTo(1);

    Files.delete(file);
    HttpResponse<Buffer> gone = reload(gw);
    assertThat(gone.statusCode()).isEqualTo(422);
    assertThat(gone.bodyAsJsonObject().getJsonArray("problems").getList())
        .containsExactly(file + ": file not found");
    assertThat(name(get(gw, "/a/1"))).isEqualTo("one");
  }

  @Test
  void breakersStartOverOnlyForBackendsWhoseTargetOrRulesChanged(Vertx vertx) throws Exception {
    Files.writeString(dir.resolve("key.secret"), "k");
    int closed = Backends.closedPort();
    String breaker =
        "circuitBreaker: { rules: [ { failureCondition: { count: 1, interval: PT1M, errorReasons: [ BackendConnectionFailure ] }, tripDuration: %s } ] }";
    GatewayVerticle gw =
        start(
            vertx,
            config(
                """
      backends:
        - { id: down, url: "http://127.0.0.1:%d", %s }
        - { id: also-down, url: "http://127.0.0.1:%d", %s }
      apis:
        - { id: a, path: /a, backend: down }
        - { id: b, path: /b, backend: also-down }
      """
                    .formatted(
                        closed, breaker.formatted("PT5M"), closed, breaker.formatted("PT5M"))));
    assertThat(get(gw, "/a").statusCode()).isEqualTo(502);
    assertThat(get(gw, "/b").statusCode()).isEqualTo(502);
    assertThat(get(gw, "/a").statusCode()).as("tripped").isEqualTo(503);
    assertThat(get(gw, "/b").statusCode()).as("tripped").isEqualTo(503);

    // new rules for 'down'; only a credential for 'also-down'
    Files.writeString(
        file,
        config(
            """
      backends:
        - { id: down, url: "http://127.0.0.1:%d", %s }
        - { id: also-down, url: "http://127.0.0.1:%d", %s, credentials: { header: { x-k: v } } }
      apis:
        - { id: a, path: /a, backend: down }
        - { id: b, path: /b, backend: also-down }
      """
                .formatted(closed, breaker.formatted("PT10M"), closed, breaker.formatted("PT5M"))));
    HttpResponse<Buffer> r = reload(gw);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(
            r.bodyAsJsonObject().getJsonObject("changes").getJsonArray("breakersReset").getList())
        .containsExactly("down");
    assertThat(get(gw, "/a").statusCode())
        .as("a fresh breaker tries the backend again")
        .isEqualTo(502);
    assertThat(get(gw, "/a").statusCode()).isEqualTo(503);
    assertThat(get(gw, "/b").statusCode()).as("still open").isEqualTo(503);
  }

  @Test
  void aGatewayWithoutASourceFileSaysSo(Vertx vertx) {
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      admin: { token: "%s" }
      backends: [ { id: first, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: first } ]
      """
                .formatted(TOKEN, one));
    HttpResponse<Buffer> r = reload(gw);
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.bodyAsJsonObject().getString("detail")).contains("in-memory configuration");
    assertThat(
            web.post(gw.managementPort(), "127.0.0.1", "/admin/config/reload")
                .send()
                .await()
                .statusCode())
        .as("the admin token is required")
        .isEqualTo(401);
  }

  Future<Void> loop(GatewayVerticle gw, int requests, AtomicInteger failed, Set<String> served) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < requests; i++) {
      chain =
          chain.compose(
              v ->
                  web.get(gw.trafficPort(), "127.0.0.1", "/a/x")
                      .send()
                      .map(
                          res -> {
                            if (res.statusCode() != 200) {
                              failed.incrementAndGet();
                            } else {
                              served.add(res.bodyAsJsonObject().getString("name"));
                            }
                            return null;
                          }));
    }
    return chain;
  }

  HttpResponse<Buffer> reload(GatewayVerticle gw) {
    return web.post(gw.managementPort(), "127.0.0.1", "/admin/config/reload")
        .bearerTokenAuthentication(TOKEN)
        .send()
        .await();
  }

  HttpResponse<Buffer> get(GatewayVerticle gw, String path) {
    return web.get(gw.trafficPort(), "127.0.0.1", path).send().await();
  }

  static String name(HttpResponse<Buffer> r) {
    return r.statusCode() == 200
        ? r.bodyAsJsonObject().getString("name")
        : "status " + r.statusCode();
  }
}
