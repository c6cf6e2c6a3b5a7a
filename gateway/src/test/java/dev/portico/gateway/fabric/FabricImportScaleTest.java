package dev.portico.gateway.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.resolve.IndexedService;
import dev.portico.fabric.resolve.ResolvedPartition;
import dev.portico.fabric.testing.FakeCluster;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cluster of a few thousand partitions imported through the real management REST shapes (paged
 * lists, one ResolvePartition per partition): every replica lands in the index, in registry
 * batches, with no event loop blocked for the blocked-thread checker to report. Bounded in time,
 * not timed: bench/fabric-import.sh measures.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FabricImportScaleTest {

  static final int PARTITIONS = 3000;
  static final int REPLICAS = 3;

  @Test
  void threeThousandPartitionsOfThreeReplicasAreImportedWithoutBlockingAnEventLoop(Vertx vertx) {
    FakeCluster cluster = new FakeCluster();
    cluster.recordRequests = false;
    cluster.pageSize = 400;
    cluster.apps.add(
        FakeCluster.uniform(
            "fabric:/Big",
            "fabric:/Big/Orders",
            PARTITIONS,
            REPLICAS,
            n -> String.format(Locale.ROOT, "%08x-5eed-4000-8000-%012x", n, (long) n),
            (p, r) ->
                FakeCluster.reliableServicesAddress(
                    "http://10.9."
                        + (p / 250)
                        + "."
                        + (p % 250)
                        + ":"
                        + (20001 + r)
                        + "/p"
                        + p
                        + "/r"
                        + r)));
    int port = cluster.listen(vertx, 0).await();
    WebClient web = WebClient.create(vertx);
    try (LogCapture log = new LogCapture()) {
      GatewayVerticle gw =
          GatewayHarness.start(
              vertx,
              """
        backends:
          - id: big
            url: "fabric:/Big/Orders"
            serviceFabricCluster:
              managementEndpoints: [ "http://127.0.0.1:%d" ]
              importer: { interval: PT1H, requestTimeout: PT30S, parallelism: 16, batchSize: 500 }
        apis:
          - { id: big, path: /big, backend: big, set-backend-service: { sf-partition-key: "segment:0" } }
        """
                  .formatted(port));
      await()
          .atMost(200, TimeUnit.SECONDS)
          .pollInterval(200, TimeUnit.MILLISECONDS)
          .until(
              () ->
                  web.get(gw.managementPort(), "127.0.0.1", "/health/ready")
                          .send()
                          .await()
                          .statusCode()
                      == 200);

      IndexedService s =
          gw.fabric().index().service(FabricName.parseService("fabric:/Big/Orders")).orElseThrow();
      assertThat(s.partitions()).hasSize(PARTITIONS);
      assertThat(s.partitions().stream().mapToInt(p -> p.replicas().size()).sum())
          .isEqualTo(PARTITIONS * REPLICAS);
      ResolvedPartition last =
          (ResolvedPartition) s.resolve(PartitionKey.int64(PARTITIONS * 1000L - 1));
      assertThat(last.primary().orElseThrow().endpoints().toString())
          .contains("/p" + (PARTITIONS - 1) + "/r0");
      assertThat(gw.fabric().importerStatuses().get(0).lastCycle().published())
          .isEqualTo(PARTITIONS * REPLICAS);
      assertThat(cluster.resolveCalls.get()).isEqualTo(PARTITIONS);
      assertThat(log.lines())
          .noneMatch(l -> l.contains("BlockedThreadChecker") || l.contains("has been blocked"));
    } finally {
      cluster.close().await();
    }
  }
}
