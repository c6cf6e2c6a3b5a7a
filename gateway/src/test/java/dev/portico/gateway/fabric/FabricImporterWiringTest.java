package dev.portico.gateway.fabric;

import static dev.portico.gateway.support.FabricRecords.int64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.testing.FakeCluster;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Switchable;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The importer wired into the gateway: a fake management endpoint serving the documented JSON
 * populates the gateway's registry, requests route through what it imported, and stale data shows
 * in {@code /health/ready} while the last known records keep serving.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FabricImporterWiringTest {

  Vertx vertx;
  WebClient web;
  FakeCluster cluster;
  int port;

  /** A Reliable Services address as a real replica publishes it: slashes escaped. */
  static String address(Switchable s) {
    return "{\"Endpoints\":{\"\":\"" + s.url().replace("/", "\\/") + "\"}}";
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
    cluster = new FakeCluster();
    port = cluster.listen(vertx, 0).await();
  }

  @AfterEach
  void tearDown() {
    cluster.close().await();
  }

  @Test
  void anImporterPerClusterFillsTheRegistryRequestsRouteThroughItAndStaleDataShowsInReadiness() {
    List<PartitionInfo> parts = int64(0, 199, 2, 80);
    Switchable p0 = Switchable.echo(vertx, "p0-primary");
    Switchable s0 = Switchable.echo(vertx, "p0-secondary");
    Switchable p1 = Switchable.echo(vertx, "p1-primary");
    FakeCluster.Service orders =
        new FakeCluster.Service(
            "fabric:/Shop/Orders",
            "Stateful",
            new FakeCluster.Partition(
                parts.get(0),
                "131000000000000001",
                new FakeCluster.Endpoint("StatefulPrimary", address(p0)),
                new FakeCluster.Endpoint("StatefulSecondary", address(s0))),
            new FakeCluster.Partition(
                parts.get(1),
                "131000000000000002",
                new FakeCluster.Endpoint("StatefulPrimary", address(p1))));
    cluster.change(() -> cluster.apps.add(new FakeCluster.App("fabric:/Shop", orders)));

    String endpoint = "http://127.0.0.1:" + port;
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - id: orders
          url: "fabric:/Shop/Orders"
          serviceFabricCluster:
            managementEndpoints: [ "%s" ]
            importer: { interval: PT0.2S, requestTimeout: PT1S, staleAfter: PT1S, staleAfterFailures: 2 }
        - id: orders-read
          url: "fabric:/Shop/Orders"
          serviceFabricCluster: { managementEndpoints: [ "%s/" ] }
      apis:
        - id: orders
          path: /orders
          backend: orders
          operations:
            - { method: GET, path: "/{id}", set-backend-service: { sf-partition-key: "{id}" } }
            - { method: GET, path: "/{id}/read", set-backend-service: { backend-id: orders-read, sf-partition-key: "{id}", sf-replica-type: secondary } }
      """
                .formatted(endpoint, endpoint));
    assertThat(gw.fabric().importerStatuses())
        .extracting(s -> s.name())
        .containsExactly("sf-orders");

    JsonObject up =
        await()
            .atMost(10, TimeUnit.SECONDS)
            .until(() -> ready(gw).bodyAsJsonObject(), b -> "UP".equals(b.getString("status")));
    JsonObject check = check(up, "serviceFabric:sf-orders");
    assertThat(check.getBoolean("ready")).isTrue();
    assertThat(check.getString("detail")).startsWith("imported ");
    assertThat(name(get(gw, "/orders/42"))).isEqualTo("p0-primary");
    assertThat(name(get(gw, "/orders/150"))).isEqualTo("p1-primary");
    assertThat(name(get(gw, "/orders/42/read"))).isEqualTo("p0-secondary");
    assertThat(cluster.requests)
        .anyMatch(r -> r.startsWith("/Services/Shop~Orders/$/ResolvePartition"));

    // the management endpoint fails: the last known records keep serving, so readiness stays 200,
    // degraded, saying stale and how old
    cluster.failStatus = 500;
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> "DEGRADED".equals(ready(gw).bodyAsJsonObject().getString("status")));
    HttpResponse<Buffer> stale = ready(gw);
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.bodyAsJsonObject().getJsonArray("degraded").getString(0))
        .startsWith("serviceFabric:sf-orders: stale: last successful import ")
        .contains(" s ago (")
        .contains("failed cycle")
        .contains("HTTP 500");
    assertThat(name(get(gw, "/orders/150"))).isEqualTo("p1-primary");

    cluster.failStatus = 0;
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> "UP".equals(ready(gw).bodyAsJsonObject().getString("status")));
  }

  @Test
  void readinessWaitsForTheFirstImport() {
    cluster.failStatus = 503;
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - id: orders
          url: "fabric:/Shop/Orders"
          serviceFabricCluster:
            managementEndpoints: [ "http://127.0.0.1:%d" ]
            importer: { name: shop-cluster, interval: PT0.2S }
      apis:
        - { id: orders, path: /orders, backend: orders, set-backend-service: { sf-partition-key: "segment:0" } }
      """
                .formatted(port));
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                ready(gw).bodyAsJsonObject().getJsonArray("notReady").stream()
                    .anyMatch(
                        x ->
                            x.toString()
                                .startsWith(
                                    "serviceFabric:shop-cluster: no successful import yet")));
    HttpResponse<Buffer> r = get(gw, "/orders/1");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.bodyAsJsonObject().getString("reason")).isEqualTo("PartitionResolutionFailure");
  }

  HttpResponse<Buffer> ready(GatewayVerticle gw) {
    return web.get(gw.managementPort(), "127.0.0.1", "/health/ready").send().await();
  }

  HttpResponse<Buffer> get(GatewayVerticle gw, String path) {
    return web.get(gw.trafficPort(), "127.0.0.1", path).send().await();
  }

  static JsonObject check(JsonObject ready, String name) {
    return ready.getJsonArray("checks").stream()
        .map(JsonObject.class::cast)
        .filter(c -> c.getString("name").equals(name))
        .findFirst()
        .orElseThrow();
  }

  static String name(HttpResponse<Buffer> r) {
    return r.statusCode() == 200
        ? r.bodyAsJsonObject().getString("name")
        : "status " + r.statusCode() + " " + r.bodyAsString();
  }
}
