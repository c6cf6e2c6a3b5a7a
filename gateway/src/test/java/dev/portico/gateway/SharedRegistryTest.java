package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.DeclaredInstances;
import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.LogCapture;
import dev.portico.gateway.support.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out (DESIGN 7): gateways in separate Vert.x instances (separate event buses, as separate
 * processes) share one registry in a real Redis server.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedRegistryTest {

  @TempDir static Path dir;
  static RedisServer redis;

  final List<Vertx> processes = new ArrayList<>();
  String key;
  WebClient web;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @AfterEach
  void stopGateways() {
    for (Vertx v : processes) {
      v.close().await();
    }
  }

  String yaml(String instances) {
    return yaml(redis, instances, "PT0.2S");
  }

  String yaml(RedisServer server, String instances, String refreshInterval) {
    return """
      registry:
        backend: redis
        redis: { endpoint: "%s", key: "%s" }
        refreshInterval: %s
        timeout: PT1S
        instances: [ %s ]
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
        .formatted(server.endpoint(), key, refreshInterval, instances);
  }

  /** A gateway in its own Vert.x: nothing but the registry connects it to the others. */
  GatewayVerticle process(String yaml) {
    return process(yaml, Map.of());
  }

  GatewayVerticle process(String yaml, Map<String, String> env) {
    Vertx v = Vertx.vertx();
    processes.add(v);
    return GatewayHarness.start(v, yaml, env);
  }

  @Test
  void gatewaysInSeparateProcessesRouteByTheSameRecords(Vertx vertx) throws Exception {
    key = "t1";
    web = WebClient.create(vertx);
    int one = Backends.echo(vertx, "one").actualPort();
    int two = Backends.echo(vertx, "two").actualPort();
    // polling once a minute: what arrives within seconds came by the Redis announcements
    GatewayVerticle a =
        process(
            yaml(
                redis, "{ service: orders, url: \"http://127.0.0.1:%d\" }".formatted(one), "PT1M"));
    GatewayVerticle b = process(yaml(redis, "", "PT1M"));
    assertThat(name(get(b, "/orders/1"))).isEqualTo("one");

    // a record written through one gateway reaches the other by the registry alone
    ServiceInstance added =
        b.registry().publish(InstanceSpec.of("orders", "http://127.0.0.1:" + two)).await();
    await().atMost(3, TimeUnit.SECONDS).until(() -> names(a, 20).contains("two"));
    assertThat(names(a, 20)).containsExactlyInAnyOrder("one", "two");

    b.registry().setStatus(added.id(), InstanceStatus.DOWN).await();
    await().atMost(3, TimeUnit.SECONDS).until(() -> names(a, 20).equals(Set.of("one")));
    b.registry().setStatus(added.id(), InstanceStatus.UP).await();
    await().atMost(3, TimeUnit.SECONDS).until(() -> names(a, 20).contains("two"));

    b.registry().unpublish(added.id()).await();
    await().atMost(3, TimeUnit.SECONDS).until(() -> names(a, 20).equals(Set.of("one")));
    assertThat(redis.command("HLEN", key)).isEqualTo(":1");
    assertThat(ready(a).statusCode()).isEqualTo(200);
  }

  @Test
  void declaredInstancesAreAdoptedNotCopiedAndOutliveEachGateway(Vertx vertx) throws Exception {
    key = "t2";
    web = WebClient.create(vertx);
    int one = Backends.echo(vertx, "one").actualPort();
    String declared = "{ service: orders, url: \"http://127.0.0.1:%d\", metadata: { zone: %s } }";
    process(yaml(declared.formatted(one, "east")));
    GatewayVerticle b = process(yaml(declared.formatted(one, "east")));
    assertThat(redis.command("HLEN", key))
        .as("the second gateway adopts the record")
        .isEqualTo(":1");

    // a gateway that stops leaves the declared record to the others
    Vertx first = processes.remove(0);
    first.close().await();
    assertThat(name(get(b, "/orders/1"))).isEqualTo("one");
    assertThat(redis.command("HLEN", key)).isEqualTo(":1");

    // an operator takes the instance out; a restarting gateway keeps that status and applies its
    // metadata
    ServiceInstance record = b.registry().instances().await().get(0);
    b.registry().setStatus(record.id(), InstanceStatus.DOWN).await();
    await().atMost(5, TimeUnit.SECONDS).until(() -> get(b, "/orders/1").statusCode() == 503);
    GatewayVerticle again = process(yaml(declared.formatted(one, "west")));
    List<ServiceInstance> records = again.registry().instances().await();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).id()).isEqualTo(record.id());
    assertThat(records.get(0).status()).isEqualTo(InstanceStatus.DOWN);
    assertThat(records.get(0).metadata())
        .containsEntry("zone", "west")
        .containsEntry(DeclaredInstances.MARKER, "true");
    assertThat(get(again, "/orders/1").statusCode()).isEqualTo(503);

    // copies left by two gateways declaring at the same moment are cleaned up by the next one
    Map<String, String> marked = new HashMap<>(records.get(0).metadata());
    again
        .registry()
        .publish(new InstanceSpec("orders", "127.0.0.1", one, false, "", InstanceStatus.UP, marked))
        .await();
    assertThat(redis.command("HLEN", key)).isEqualTo(":2");
    process(yaml(declared.formatted(one, "west")));
    assertThat(redis.command("HLEN", key)).isEqualTo(":1");
  }

  @Test
  void aRegistryThatStopsAnsweringLeavesTrafficOnTheLastSnapshotAndShowsInReadiness(Vertx vertx)
      throws Exception {
    key = "t3";
    web = WebClient.create(vertx);
    int one = Backends.echo(vertx, "one").actualPort();
    GatewayVerticle gw =
        process(yaml("{ service: orders, url: \"http://127.0.0.1:%d\" }".formatted(one)));
    assertThat(ready(gw).statusCode()).isEqualTo(200);
    assertThat(metrics(gw)).contains("portico_readiness_degraded{check=\"registry\"} 0.0");
    redis.pause();
    try {
      // every replica sees the same outage: readiness stays 200 (the snapshot routes), degraded
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(() -> "DEGRADED".equals(ready(gw).bodyAsJsonObject().getString("status")));
      HttpResponse<Buffer> r = ready(gw);
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject check =
          r.bodyAsJsonObject().getJsonArray("checks").stream()
              .map(JsonObject.class::cast)
              .filter(c -> c.getString("name").equals("registry"))
              .findFirst()
              .orElseThrow();
      assertThat(check.getString("status")).isEqualTo("degraded");
      assertThat(check.getBoolean("ready")).isTrue();
      assertThat(check.getString("detail"))
          .contains("registry unreachable")
          .contains("did not answer within PT1S")
          .contains("serving the snapshot of");
      assertThat(r.bodyAsJsonObject().getJsonArray("degraded").getString(0))
          .startsWith("registry: registry unreachable");
      // the gauges are read when scraped, from the checks' latest results: wait for the scrape that
      // sees this one
      await()
          .atMost(10, TimeUnit.SECONDS)
          .untilAsserted(
              () ->
                  assertThat(metrics(gw))
                      .contains("portico_readiness_degraded{check=\"registry\"} 1.0")
                      .contains("portico_ready 1.0"));
      for (int i = 0; i < 20; i++) {
        assertThat(name(get(gw, "/orders/" + i))).isEqualTo("one");
      }
    } finally {
      redis.resume();
    }
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> "UP".equals(ready(gw).bodyAsJsonObject().getString("status")));
  }

  String metrics(GatewayVerticle gw) {
    return web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
  }

  @Test
  void announcementsResumeWhenRedisComesBack(Vertx vertx) throws Exception {
    key = "t6";
    web = WebClient.create(vertx);
    int one = Backends.echo(vertx, "one").actualPort();
    int two = Backends.echo(vertx, "two").actualPort();
    try (RedisServer own = RedisServer.start(dir)) {
      GatewayVerticle a =
          process(
              yaml(
                  own, "{ service: orders, url: \"http://127.0.0.1:%d\" }".formatted(one), "PT1M"));
      GatewayVerticle b = process(yaml(own, "", "PT1M"));
      assertThat(name(get(b, "/orders/1"))).isEqualTo("one");
      // an empty Redis replaces the old one: the subscriptions drop and come back, and the gateway
      // that declares 'one' declares it again
      own.restart();
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(
              () ->
                  "one".equals(name(get(b, "/orders/1"))) && own.command("HLEN", key).equals(":1"));
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(
              () -> {
                ServiceInstance added =
                    a.registry()
                        .publish(InstanceSpec.of("orders", "http://127.0.0.1:" + two))
                        .await();
                try {
                  await()
                      .atMost(1, TimeUnit.SECONDS)
                      .until(() -> "two".equals(name(get(b, "/orders/1"))));
                  return true;
                } catch (org.awaitility.core.ConditionTimeoutException notYet) {
                  a.registry().unpublish(added.id()).await();
                  return false;
                }
              });
      assertThat(names(b, 10)).containsExactlyInAnyOrder("one", "two");
    }
  }

  @Test
  void anUnreachableRegistryFailsTheStartNamingItWithoutThePassword() {
    key = "t4";
    int closed = Backends.closedPort();
    String yaml =
        """
      registry:
        backend: redis
        redis: { endpoint: "redis://:s3cret-pw@127.0.0.1:%d" }
        timeout: PT2S
        instances: [ { service: orders, url: "http://127.0.0.1:1" } ]
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
            .formatted(closed);
    try (LogCapture logs = new LogCapture()) {
      assertThatThrownBy(() -> process(yaml))
          .hasMessageContaining(
              "the registry (redis at redis://***@127.0.0.1:"
                  + closed
                  + ", key portico:registry) could not be")
          .hasMessageNotContaining("s3cret-pw");
      assertThat(String.join("\n", logs.lines())).doesNotContain("s3cret-pw");
    }
  }

  @Test
  void aPasswordFromANamedValueOpensAProtectedRegistry(Vertx vertx) throws Exception {
    key = "t5";
    web = WebClient.create(vertx);
    int one = Backends.echo(vertx, "one").actualPort();
    try (RedisServer locked = RedisServer.start(dir, "pw-from-env-123");
        LogCapture logs = new LogCapture()) {
      String yaml =
          """
        namedValues: [ { name: redis-password, env: REDIS_PASSWORD } ]
        registry:
          backend: redis
          redis: { endpoint: "%s", password: "{{redis-password}}" }
          instances: [ { service: orders, url: "http://127.0.0.1:%d" } ]
        backends: [ { id: orders, url: orders } ]
        apis: [ { id: orders, path: /orders, backend: orders } ]
        """
              .formatted(locked.endpoint(), one);
      GatewayVerticle gw = process(yaml, Map.of("REDIS_PASSWORD", "pw-from-env-123"));
      assertThat(name(get(gw, "/orders/1"))).isEqualTo("one");
      assertThat(locked.command("HLEN", "portico:registry")).isEqualTo(":1");
      assertThatThrownBy(() -> process(yaml, Map.of("REDIS_PASSWORD", "wrong-password-456")))
          .hasMessageContaining(
              "the registry (redis at "
                  + locked.endpoint()
                  + ", key portico:registry) could not be")
          .hasMessageNotContaining("wrong-password-456");
      assertThat(String.join("\n", logs.lines()))
          .doesNotContain("pw-from-env-123")
          .doesNotContain("wrong-password-456");
    }
  }

  HttpResponse<Buffer> get(GatewayVerticle gw, String path) {
    return web.get(gw.trafficPort(), "127.0.0.1", path).send().await();
  }

  HttpResponse<Buffer> ready(GatewayVerticle gw) {
    return web.get(gw.managementPort(), "127.0.0.1", "/health/ready").send().await();
  }

  Set<String> names(GatewayVerticle gw, int requests) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < requests; i++) {
      names.add(name(get(gw, "/orders/" + i)));
    }
    return names;
  }

  static String name(HttpResponse<Buffer> r) {
    return r.statusCode() == 200
        ? r.bodyAsJsonObject().getString("name")
        : "status " + r.statusCode();
  }
}
