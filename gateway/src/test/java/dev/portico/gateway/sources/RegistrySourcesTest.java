package dev.portico.gateway.sources;

import static dev.portico.discovery.testing.EndpointSliceJson.port;
import static dev.portico.discovery.testing.EndpointSliceJson.ready;
import static dev.portico.discovery.testing.EndpointSliceJson.slice;
import static dev.portico.discovery.testing.EndpointSliceJson.terminating;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.testing.Dnsmasq;
import dev.portico.discovery.testing.FakeKubeApi;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway configured with registry sources routes to what a real DNS server (dnsmasq) and a
 * stand-in Kubernetes API server say, shows the source in the admin API and the metrics, and
 * follows their changes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegistrySourcesTest {

  private static final String TOKEN = "admin-token-5b1d9e3c7a";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private Vertx vertx;
  private WebClient web;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void dnsSrvInstancesServeTrafficAndFollowTheRecords(@TempDir Path dir) throws Exception {
    HttpServer a = Backends.echo(vertx, "a");
    HttpServer b = Backends.echo(vertx, "b");
    String name = "_http._tcp.orders.test";
    Dnsmasq dns =
        Dnsmasq.start(
            dir,
            List.of(
                "--local=/test/",
                "--local-ttl=1",
                "--srv-host=" + name + ",a.orders.test," + a.actualPort() + ",0,1",
                "--srv-host=" + name + ",b.orders.test," + b.actualPort() + ",0,1",
                "--host-record=a.orders.test,127.0.0.1",
                "--host-record=b.orders.test,127.0.0.1"));
    closing.add(dns);
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      admin: { token: %s }
      registry:
        sources:
          - { type: dns-srv, id: consul-orders, service: orders, name: "%s", server: "127.0.0.1:%d",
              minInterval: PT0.2S, maxInterval: PT2S }
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
                .formatted(TOKEN, name, dns.port()));

    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(servedBy(gw, 20)).containsExactly("a", "b"));
    assertThat(
            web.get(gw.managementPort(), "127.0.0.1", "/health/ready").send().await().statusCode())
        .isEqualTo(200);

    JsonArray records =
        admin(gw, HttpMethod.GET, "/admin/registry").send().await().bodyAsJsonArray();
    assertThat(records).hasSize(2);
    JsonObject first = records.getJsonObject(0);
    assertThat(first.getString("source")).isEqualTo("consul-orders");
    assertThat(first.getJsonObject("metadata").getString("dns.name")).isEqualTo(name);
    JsonObject status =
        admin(gw, HttpMethod.GET, "/admin/registry/sources")
            .send()
            .await()
            .bodyAsJsonArray()
            .getJsonObject(0);
    assertThat(status.getString("id")).isEqualTo("consul-orders");
    assertThat(status.getString("type")).isEqualTo("dns-srv");
    assertThat(status.getBoolean("synced")).isTrue();
    assertThat(status.getInteger("instances")).isEqualTo(2);
    // the source owns its records: a status change would be undone at its next query
    assertThat(
            admin(gw, HttpMethod.PUT, "/admin/registry/" + first.getString("id") + "/status")
                .sendJsonObject(new JsonObject().put("status", "DOWN"))
                .await()
                .statusCode())
        .isEqualTo(409);

    String metrics =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
    assertThat(metrics)
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"consul-orders\",status=\"up\"} 2");

    dns.restart(
        List.of(
            "--local=/test/",
            "--local-ttl=1",
            "--srv-host=" + name + ",b.orders.test," + b.actualPort() + ",0,1",
            "--host-record=b.orders.test,127.0.0.1"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(servedBy(gw, 10)).containsExactly("b"));
    assertThat(admin(gw, HttpMethod.GET, "/admin/registry").send().await().bodyAsJsonArray())
        .hasSize(1);
  }

  @Test
  void kubernetesEndpointsServeTrafficAndTerminatingOnesDrain(@TempDir Path dir) throws Exception {
    HttpServer p1 = Backends.echo(vertx, "pod-1", "127.0.0.2", 0);
    int port = p1.actualPort();
    Backends.echo(vertx, "pod-2", "127.0.0.3", port);
    FakeKubeApi api = FakeKubeApi.start(vertx, "shop", dir);
    closing.add(api);
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-7xk2p",
            "IPv4",
            List.of(
                ready("127.0.0.2", "orders-1", "zone-a"), ready("127.0.0.3", "orders-2", "zone-b")),
            List.of(port("http", port), port("metrics", 9102))));
    Path token = dir.resolve("token");
    Files.writeString(token, api.token());
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      admin: { token: %s }
      registry:
        sources:
          - { type: kubernetes, namespace: shop, name: orders, port: http, apiServer: "%s", tokenFile: "%s", caFile: "%s" }
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
                .formatted(TOKEN, api.url(), token, api.caFile()));

    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(servedBy(gw, 20)).containsExactly("pod-1", "pod-2"));
    JsonObject status =
        admin(gw, HttpMethod.GET, "/admin/registry/sources")
            .send()
            .await()
            .bodyAsJsonArray()
            .getJsonObject(0);
    assertThat(status.getString("id")).isEqualTo("kubernetes:orders");
    assertThat(status.getJsonObject("details").getString("state")).startsWith("watching");

    // pod-2 is being deleted: it drains (no new requests) and is shown OUT_OF_SERVICE until it
    // leaves
    api.apply(
        slice(
            "shop",
            "orders",
            "orders-7xk2p",
            "IPv4",
            List.of(
                ready("127.0.0.2", "orders-1", "zone-a"),
                terminating("127.0.0.3", "orders-2", "zone-b")),
            List.of(port("http", port), port("metrics", 9102))));
    await().atMost(WAIT).untilAsserted(() -> assertThat(servedBy(gw, 10)).containsExactly("pod-1"));
    assertThat(
            admin(gw, HttpMethod.GET, "/admin/registry").send().await().bodyAsJsonArray().stream()
                .map(
                    o ->
                        ((JsonObject) o).getString("url")
                            + " "
                            + ((JsonObject) o).getString("status")
                            + " "
                            + ((JsonObject) o).getString("source"))
                .sorted()
                .toList())
        .containsExactly(
            "http://127.0.0.2:" + port + " UP kubernetes:orders",
            "http://127.0.0.3:" + port + " OUT_OF_SERVICE kubernetes:orders");
    String metrics =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
    assertThat(metrics)
        .contains(
            "portico_registry_instances{service=\"orders\",source=\"kubernetes:orders\",status=\"out_of_service\"} 1");

    api.apply(
        slice(
            "shop",
            "orders",
            "orders-7xk2p",
            "IPv4",
            List.of(ready("127.0.0.2", "orders-1", "zone-a")),
            List.of(port("http", port), port("metrics", 9102))));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        admin(gw, HttpMethod.GET, "/admin/registry")
                            .send()
                            .await()
                            .bodyAsJsonArray())
                    .hasSize(1));
  }

  private HttpRequest<Buffer> admin(GatewayVerticle gw, HttpMethod method, String path) {
    return web.request(method, gw.managementPort(), "127.0.0.1", path)
        .bearerTokenAuthentication(TOKEN);
  }

  /** Which backends answered {@code n} requests in a row (all must succeed). */
  private Set<String> servedBy(GatewayVerticle gw, int n) {
    Set<String> names = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      var r = web.get(gw.trafficPort(), "127.0.0.1", "/orders").send().await();
      assertThat(r.statusCode()).isEqualTo(200);
      names.add(r.bodyAsJsonObject().getString("name"));
    }
    return names;
  }
}
