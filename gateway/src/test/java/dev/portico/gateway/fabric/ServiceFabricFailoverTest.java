package dev.portico.gateway.fabric;

import static dev.portico.gateway.support.FabricRecords.int64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.testing.FakeCluster;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Load;
import dev.portico.gateway.support.Load.Hit;
import dev.portico.gateway.support.Switchable;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Failovers and offline partitions against a simulated cluster (its management endpoint serving the
 * real REST shapes) imported by the gateway, with real replicas on loopback: a primary swap under
 * load is followed by complaint-driven re-resolution, and partitions without replicas keep their
 * keys known.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServiceFabricFailoverTest {

  Vertx vertx;
  WebClient web;
  FakeCluster cluster;
  int port;

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

  GatewayVerticle start(String extra) {
    return GatewayHarness.start(
        vertx,
        """
      listeners:
        serviceFabricReverseProxy: { enabled: true, host: 127.0.0.1, port: 0, backoffMax: PT0.05S }
      backends:
        - id: shop
          url: "fabric:/Shop/Orders"
          serviceFabricCluster:
            managementEndpoints: [ "http://127.0.0.1:%d" ]
            maxPartitionResolutionRetries: 3
            # one import, then only complaints re-resolve: nothing else can find a move in time
            importer: { interval: PT1H, requestTimeout: PT2S }
        - { id: ledger, url: "fabric:/Shop/Ledger" }
      apis:
        - id: orders
          path: /orders
          backend: shop
          operations:
            - { method: GET, path: "/{id}", set-backend-service: { sf-partition-key: "{id}" } }
        - id: ledger
          path: /ledger
          backend: ledger
          set-backend-service: { sf-partition-key: "segment:0" }
      %s
      """
            .formatted(port, extra));
  }

  void awaitImported(GatewayVerticle gw) {
    await()
        .atMost(20, TimeUnit.SECONDS)
        .until(
            () ->
                web.get(gw.managementPort(), "127.0.0.1", "/health/ready")
                        .send()
                        .await()
                        .statusCode()
                    == 200);
  }

  @Test
  void aPrimarySwapUnderLoadFailsNoGetAndTheNewPrimaryIsReachedAtOnce() throws Exception {
    List<PartitionInfo> parts = int64(0, 199, 2, 300);
    // replica-a is the primary until the swap; then its shared port answers 404 without
    // X-ServiceFabric
    AtomicBoolean aMoved = new AtomicBoolean();
    Switchable a =
        Switchable.start(
            vertx,
            "replica-a",
            req -> {
              if (aMoved.get()) {
                req.response().setStatusCode(404).end("<h2>Not Found</h2>");
              } else {
                req.response()
                    .putHeader("content-type", "application/json")
                    .end(new JsonObject().put("name", "replica-a").encode());
              }
            });
    Switchable b = Switchable.echo(vertx, "replica-b");
    Switchable p1 = Switchable.echo(vertx, "p1");
    FakeCluster.Partition p0 =
        new FakeCluster.Partition(
            parts.get(0),
            "1",
            new FakeCluster.Endpoint(
                "StatefulPrimary", FakeCluster.reliableServicesAddress(a.url())),
            new FakeCluster.Endpoint(
                "StatefulSecondary", FakeCluster.reliableServicesAddress(b.url())));
    cluster.change(
        () ->
            cluster.apps.add(
                new FakeCluster.App(
                    "fabric:/Shop",
                    new FakeCluster.Service(
                        "fabric:/Shop/Orders",
                        "Stateful",
                        p0,
                        new FakeCluster.Partition(
                            parts.get(1),
                            "1",
                            new FakeCluster.Endpoint(
                                "StatefulPrimary",
                                FakeCluster.reliableServicesAddress(p1.url())))))));
    GatewayVerticle gw = start("");
    awaitImported(gw);

    Load proxy =
        Load.start(
            vertx,
            gw.reverseProxyPort(),
            "/Shop/Orders/items/5?PartitionKey=5",
            4,
            100_000,
            60_000);
    Load apim = Load.start(vertx, gw.trafficPort(), "/orders/7", 4, 100_000, 60_000);
    await()
        .atMost(20, TimeUnit.SECONDS)
        .until(() -> proxy.hits().size() + apim.hits().size() > 200);

    // the failover: the secondary is promoted; the old primary's port now belongs to nothing
    long swapped = System.nanoTime();
    cluster.change(
        () -> {
          p0.endpoints =
              new ArrayList<>(
                  List.of(
                      new FakeCluster.Endpoint(
                          "StatefulPrimary", FakeCluster.reliableServicesAddress(b.url())),
                      new FakeCluster.Endpoint(
                          "StatefulSecondary", FakeCluster.reliableServicesAddress(a.url()))));
          p0.version = "2";
          aMoved.set(true);
        });
    await()
        .atMost(20, TimeUnit.SECONDS)
        .until(
            () ->
                after(proxy.hits(), swapped).size() > 200
                    && after(apim.hits(), swapped).size() > 200);
    List<Hit> viaProxy = proxy.stop();
    List<Hit> viaApim = apim.stop();

    List<Hit> all = new ArrayList<>(viaProxy);
    all.addAll(viaApim);
    assertThat(all).as("failed GETs").allSatisfy(h -> assertThat(h.status()).isEqualTo(200));
    assertThat(all).extracting(Hit::instance).containsOnly("replica-a", "replica-b");
    long firstNew =
        all.stream()
            .filter(h -> h.instance().equals("replica-b"))
            .mapToLong(Hit::atNanos)
            .min()
            .orElseThrow();
    long lastOld =
        all.stream()
            .filter(h -> h.instance().equals("replica-a"))
            .mapToLong(Hit::atNanos)
            .max()
            .orElseThrow();
    assertThat(after(all, swapped)).extracting(Hit::instance).endsWith("replica-b");
    // the complaints went to the cluster, with the version they complained about, and were shared
    assertThat(cluster.requests)
        .anyMatch(u -> u.contains("/$/ResolvePartition?") && u.contains("PreviousRspVersion=1"));
    JsonObject complaints =
        gw.fabric().importerStatuses().get(0).toJson().getJsonObject("complaints");
    assertThat(complaints.getLong("changes")).isEqualTo(1);
    assertThat(p1.served()).isZero();
    // the figure for the closing note (not asserted: speed is measured, not tested)
    System.out.printf(
        "primary swap under load: %d GETs (%d after the swap), 0 failed; new primary reached %.1f ms after the"
            + " swap (last answer from the old one %.1f ms after it); %d complaint-driven ResolvePartition call(s), %d shared%n",
        all.size(),
        after(all, swapped).size(),
        (firstNew - swapped) / 1e6,
        (lastOld - swapped) / 1e6,
        complaints.getLong("calls"),
        complaints.getLong("shared"));
  }

  static List<Hit> after(List<Hit> hits, long nanos) {
    return hits.stream()
        .filter(h -> h.atNanos() > nanos)
        .sorted(java.util.Comparator.comparingLong(Hit::atNanos))
        .toList();
  }

  @Test
  void aKeyWhosePartitionHasNoReplicaIs503EvenTheLastOneAndAnOfflineServiceIsKnown() {
    List<PartitionInfo> ledger = int64(0, 299, 3, 310);
    Switchable first = Switchable.echo(vertx, "ledger-0");
    FakeCluster.Partition last = new FakeCluster.Partition(ledger.get(2), "1");
    last.resolveError = "FABRIC_E_SERVICE_OFFLINE";
    cluster.change(
        () -> {
          cluster.apps.add(
              new FakeCluster.App(
                  "fabric:/Shop",
                  new FakeCluster.Service(
                      "fabric:/Shop/Ledger",
                      "Stateful",
                      new FakeCluster.Partition(
                          ledger.get(0),
                          "1",
                          new FakeCluster.Endpoint(
                              "StatefulPrimary", FakeCluster.reliableServicesAddress(first.url()))),
                      // resolved, but no replica at all (quorum lost), and one the cluster answers
                      // FABRIC_E_SERVICE_OFFLINE for
                      new FakeCluster.Partition(ledger.get(1), "1"),
                      last),
                  new FakeCluster.Service(
                      "fabric:/Shop/Dark",
                      "Stateful",
                      new FakeCluster.Partition(
                          new PartitionInfo.Singleton(
                              dev.portico.gateway.support.FabricRecords.guid(320)),
                          "1"))));
          cluster.apps.add(new FakeCluster.App("fabric:/Empty"));
        });
    GatewayVerticle gw = start("");
    awaitImported(gw);

    assertThat(
            web.get(gw.trafficPort(), "127.0.0.1", "/ledger/50")
                .send()
                .await()
                .bodyAsJsonObject()
                .getString("name"))
        .isEqualTo("ledger-0");
    offline(web.get(gw.trafficPort(), "127.0.0.1", "/ledger/150").send().await());
    // the last partition of the range: its range is known from GetPartitions although no replica is
    offline(web.get(gw.trafficPort(), "127.0.0.1", "/ledger/299").send().await());
    offline(
        web.get(gw.reverseProxyPort(), "127.0.0.1", "/Shop/Ledger/x?PartitionKey=250")
            .send()
            .await());
    // a service whose only partition is offline is a service that exists: 503, not 404
    offline(web.get(gw.reverseProxyPort(), "127.0.0.1", "/Shop/Dark/x").send().await());
    // outside every range is still a bad key
    HttpResponse<Buffer> outside =
        web.get(gw.trafficPort(), "127.0.0.1", "/ledger/300").send().await();
    assertThat(outside.statusCode()).isEqualTo(400);
    assertThat(outside.bodyAsJsonObject().getString("errorCode"))
        .isEqualTo("FABRIC_E_INVALID_PARTITION_KEY");
    assertThat(gw.fabric().importerStatuses().get(0).lastCycle().offline()).isEqualTo(3);
  }

  static void offline(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
    JsonObject problem = r.bodyAsJsonObject();
    assertThat(problem.getString("reason")).isEqualTo("PartitionResolutionFailure");
    assertThat(problem.getString("errorCode"))
        .isIn("FABRIC_E_SERVICE_OFFLINE", "FABRIC_E_NOT_PRIMARY");
  }
}
