package dev.portico.fabric.importer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistryOptions;
import dev.portico.discovery.RegistryWatcher;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.ListenerSelection;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionScheme;
import dev.portico.fabric.registry.FabricRecords;
import dev.portico.fabric.registry.FabricReplicaMetadata;
import dev.portico.fabric.resolve.FabricResolver;
import dev.portico.fabric.resolve.FabricTarget;
import dev.portico.fabric.resolve.ResolvedPartition;
import dev.portico.fabric.testing.FakeCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The importer against an in-test HTTP management endpoint, writing into a real local registry. */
@ExtendWith(VertxExtension.class)
class FabricImporterTest {

  static final String SOURCE = "sf-test";

  private Vertx vertx;
  private Registry registry;
  private RegistryWatcher watcher;
  private FakeCluster cluster;
  private int port;
  private FabricImporter importer;
  private List<PartitionInfo> orders;

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String guid(int n) {
    return String.format("%08x-1111-4000-8000-%012x", n, (long) n * 31);
  }

  /** A Reliable Services address as a real replica publishes it: slashes escaped. */
  static String address(String host, String path) {
    return "{\"Endpoints\":{\"\":\"http:\\/\\/"
        + host
        + ":20001\\/"
        + path.replace("/", "\\/")
        + "\"}}";
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    registry = Registry.create(vertx, RegistryOptions.local());
    watcher = new RegistryWatcher(vertx, registry);
    await(watcher.start());
    cluster = new FakeCluster();
    orders =
        new PartitionScheme.UniformInt64Range(0, 299, 3)
            .toPartitions(List.of(guid(1), guid(2), guid(3)));
    FakeCluster.Service ordersService = new FakeCluster.Service("fabric:/Shop/Orders", "Stateful");
    for (int p = 0; p < 3; p++) {
      ordersService.partitions.add(
          new FakeCluster.Partition(
              orders.get(p),
              "13200000000000000" + p,
              new FakeCluster.Endpoint("StatefulPrimary", address("10.0." + p + ".4", "p/r1")),
              new FakeCluster.Endpoint("StatefulSecondary", address("10.0." + p + ".5", "p/r2"))));
    }
    FakeCluster.Service web =
        new FakeCluster.Service(
            "fabric:/Shop/Web",
            "Stateless",
            new FakeCluster.Partition(
                new PartitionInfo.Singleton(guid(10)),
                "7",
                new FakeCluster.Endpoint(
                    "Stateless", "{\"Endpoints\":{\"\":\"http:\\/\\/10.0.9.1:8080\\/\"}}"),
                new FakeCluster.Endpoint("Stateless", "http://10.0.9.2:8080/")));
    FakeCluster.Service ghost =
        new FakeCluster.Service(
            "fabric:/Shop/Ghost",
            "Stateful",
            new FakeCluster.Partition(new PartitionInfo.Singleton(guid(11)), "1"));
    ghost.deleted = true;
    FakeCluster.Service ledger = new FakeCluster.Service("fabric:/Billing/Ledger", "Stateful");
    String[] names = {"eu", "us"};
    for (int p = 0; p < 2; p++) {
      ledger.partitions.add(
          new FakeCluster.Partition(
              new PartitionInfo.Named(guid(20 + p), names[p]),
              "9",
              new FakeCluster.Endpoint("StatefulPrimary", address("10.1." + p + ".4", "ledger")),
              new FakeCluster.Endpoint(
                  "StatefulSecondary", address("10.1." + p + ".5", "ledger"))));
    }
    cluster.apps.add(new FakeCluster.App("fabric:/Shop", ordersService, web, ghost));
    cluster.apps.add(new FakeCluster.App("fabric:/Billing", ledger));
    cluster.apps.add(new FakeCluster.App("fabric:/Empty"));
    port = await(cluster.listen(vertx, 0));
    importer = FabricImporter.create(vertx, registry, config("http://127.0.0.1:" + port).build());
  }

  private static ImporterConfig.Builder config(String... endpoints) {
    return ImporterConfig.builder(endpoints)
        .name(SOURCE)
        .interval(Duration.ofHours(1))
        .reresolveInterval(Duration.ofSeconds(30))
        .requestTimeout(Duration.ofSeconds(10))
        .staleAfter(Duration.ofHours(2), 2);
  }

  @AfterEach
  void tearDown() {
    await(importer.stop());
    await(watcher.stop());
    await(cluster.close());
    registry.close();
  }

  private List<ServiceInstance> mine() {
    return await(registry.instances()).stream()
        .filter(i -> SOURCE.equals(i.metadata(FabricRecords.SOURCE)))
        .toList();
  }

  private ServiceInstance record(String partitionId, String role) {
    return mine().stream()
        .filter(
            i ->
                partitionId.equals(i.metadata(FabricReplicaMetadata.PARTITION_ID))
                    && role.equals(i.metadata(FabricReplicaMetadata.ROLE)))
        .findFirst()
        .orElseThrow();
  }

  private CycleSummary cycle() {
    return await(importer.runOnce());
  }

  @Test
  void firstCyclePublishesEveryReplicaFollowingPagesAndNoSecondChange() {
    ServiceInstance foreign =
        await(
            registry.publish(
                InstanceSpec.of("fabric:/Other/Svc", "http://10.9.9.9:80/")
                    .withMetadata(Map.of(FabricRecords.SOURCE, "someone-else"))));
    ServiceInstance plain =
        await(registry.publish(InstanceSpec.of("orders", "http://10.9.9.8:80/")));

    CycleSummary first = cycle();

    assertThat(first.outcome()).as(first.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
    assertThat(first.applications()).isEqualTo(3);
    assertThat(first.services()).isEqualTo(4);
    assertThat(first.partitions()).isEqualTo(6);
    assertThat(first.replicas()).isEqualTo(12);
    assertThat(first.published()).isEqualTo(12);
    assertThat(first.problems()).isEmpty();
    assertThat(first.endpoint()).isEqualTo("http://127.0.0.1:" + port);

    List<ServiceInstance> records = mine();
    assertThat(records).hasSize(12);
    assertThat(records)
        .extracting(ServiceInstance::service)
        .containsOnly("fabric:/Shop/Orders", "fabric:/Shop/Web", "fabric:/Billing/Ledger");
    ServiceInstance primary = record(guid(2), "StatefulPrimary");
    assertThat(primary.service()).isEqualTo("fabric:/Shop/Orders");
    assertThat(primary.baseUrl()).isEqualTo("http://10.0.1.4:20001/p/r1");
    assertThat(primary.status()).isEqualTo(InstanceStatus.UP);
    assertThat(primary.metadata())
        .containsEntry("sf.application", "fabric:/Shop")
        .containsEntry("sf.partitionKind", "Int64Range")
        .containsEntry("sf.lowKey", "100")
        .containsEntry("sf.highKey", "199")
        .containsEntry("sf.address", address("10.0.1.4", "p/r1"))
        .containsEntry(FabricRecords.CLUSTER_VERSION, "132000000000000001");
    assertThat(Long.parseLong(primary.metadata("sf.generation"))).isPositive();
    assertThat(record(guid(21), "StatefulSecondary").metadata())
        .containsEntry("sf.partitionName", "us");
    assertThat(mine())
        .filteredOn(i -> i.service().equals("fabric:/Shop/Web"))
        .extracting(ServiceInstance::baseUrl)
        .containsExactlyInAnyOrder("http://10.0.9.1:8080", "http://10.0.9.2:8080");

    // every list was paged, with tokens that need escaping; ids use the ~ form
    assertThat(cluster.requests)
        .anyMatch(
            u -> u.startsWith("/Applications?api-version=6.0&ContinuationToken=next%2B2%2Fa%20b"));
    assertThat(cluster.requests)
        .anyMatch(
            u ->
                u.startsWith(
                    "/Applications/Shop/$/GetServices?api-version=6.0&ContinuationToken="));
    assertThat(cluster.requests)
        .anyMatch(
            u ->
                u.startsWith(
                    "/Services/Shop~Orders/$/GetPartitions?api-version=6.4&ContinuationToken="));
    assertThat(cluster.requests)
        .contains(
            "/Services/Shop~Orders/$/ResolvePartition?api-version=6.0&PartitionKeyType=2&PartitionKeyValue=100",
            "/Services/Billing~Ledger/$/ResolvePartition?api-version=6.0&PartitionKeyType=3&PartitionKeyValue=eu",
            "/Services/Shop~Web/$/ResolvePartition?api-version=6.0&PartitionKeyType=1");

    CycleSummary second = cycle();
    assertThat(second.outcome()).isEqualTo(CycleSummary.Outcome.COMPLETE);
    assertThat(second.changed()).isFalse();
    assertThat(second.unchanged()).isEqualTo(12);
    assertThat(await(registry.instance(foreign.id()))).isEqualTo(foreign);
    assertThat(await(registry.instance(plain.id()))).isEqualTo(plain);

    // and the resolver routes over what was imported
    FabricResolver resolver = FabricResolver.attach(watcher);
    await(watcher.refresh());
    FabricTarget t =
        (FabricTarget)
            resolver.target(
                FabricName.parse("fabric:/Shop/Orders"),
                PartitionKey.int64(150),
                null,
                Optional.empty(),
                ListenerSelection.REVERSE_PROXY);
    assertThat(t.baseUrl()).isEqualTo("http://10.0.1.4:20001/p/r1");
  }

  @Test
  void aMovedPrimaryKeepsItsRecordAndGetsANewerGeneration() {
    cycle();
    FabricResolver resolver = FabricResolver.attach(watcher);
    await(watcher.refresh());
    ResolvedPartition previous =
        (ResolvedPartition)
            resolver.resolve(FabricName.parse("fabric:/Shop/Orders"), PartitionKey.int64(150));
    ServiceInstance before = record(guid(2), "StatefulPrimary");
    ServiceInstance p3primary = record(guid(3), "StatefulPrimary");
    ServiceInstance p3secondary = record(guid(3), "StatefulSecondary");

    cluster.change(
        () -> {
          FakeCluster.Partition p = cluster.partition(guid(2));
          p.endpoints.set(
              0, new FakeCluster.Endpoint("StatefulPrimary", address("10.0.1.14", "p/r7")));
          p.version = "132000000000000099";
          // and a failover in partition 3: the secondary is promoted
          FakeCluster.Partition q = cluster.partition(guid(3));
          q.endpoints =
              List.of(
                  new FakeCluster.Endpoint("StatefulPrimary", address("10.0.2.5", "p/r2")),
                  new FakeCluster.Endpoint("StatefulSecondary", address("10.0.2.4", "p/r1")));
        });
    CycleSummary second = cycle();

    assertThat(second.outcome()).as(second.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
    assertThat(second.updated())
        .isEqualTo(4); // both replicas of each changed partition carry the new version
    assertThat(second.published()).isZero();
    assertThat(second.unpublished()).isZero();
    assertThat(second.unchanged()).isEqualTo(8);

    ServiceInstance after = await(registry.instance(before.id()));
    assertThat(after.baseUrl()).isEqualTo("http://10.0.1.14:20001/p/r7");
    assertThat(Long.parseLong(after.metadata("sf.generation")))
        .isGreaterThan(Long.parseLong(before.metadata("sf.generation")));
    assertThat(after.metadata())
        .containsEntry(FabricRecords.CLUSTER_VERSION, "132000000000000099")
        .containsEntry(
            FabricReplicaMetadata.REPLICA_ID, before.metadata(FabricReplicaMetadata.REPLICA_ID));
    assertThat(record(guid(2), "StatefulSecondary").metadata("sf.generation"))
        .isEqualTo(after.metadata("sf.generation"));
    // the promotion kept both registry ids: records follow addresses
    assertThat(await(registry.instance(p3secondary.id())).metadata("sf.role"))
        .isEqualTo("StatefulPrimary");
    assertThat(await(registry.instance(p3primary.id())).metadata("sf.role"))
        .isEqualTo("StatefulSecondary");

    ResolvedPartition now = (ResolvedPartition) await(resolver.reresolve(previous));
    assertThat(now.version().isNewerThan(previous.version())).isTrue();
    FabricTarget t =
        (FabricTarget)
            FabricResolver.target(
                now,
                null,
                Optional.empty(),
                ListenerSelection.REVERSE_PROXY,
                java.util.concurrent.ThreadLocalRandom.current());
    assertThat(t.baseUrl()).isEqualTo("http://10.0.1.14:20001/p/r7");
  }

  @Test
  void replicasServicesAndApplicationsThatDisappearAreUnpublished() {
    cycle();
    cluster.change(
        () -> {
          cluster.apps.get(0).services.removeIf(s -> s.name.lastSegment().equals("Web"));
          cluster.apps.removeIf(a -> a.name.toString().equals("fabric:/Billing"));
          cluster.partition(guid(1)).endpoints.remove(1);
        });
    CycleSummary second = cycle();

    assertThat(second.outcome()).as(second.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
    assertThat(second.unpublished()).isEqualTo(2 + 4 + 1);
    assertThat(second.updated()).isEqualTo(1); // the remaining replica of partition 1, re-versioned
    assertThat(mine())
        .hasSize(5)
        .extracting(ServiceInstance::service)
        .containsOnly("fabric:/Shop/Orders");
  }

  @Test
  void failuresKeepTheRecordsGoStaleAndRecover() {
    assertThat(importer.status().ready()).isFalse();
    cycle();
    ImporterStatus ok = importer.status();
    assertThat(ok.ready()).isTrue();
    assertThat(ok.stale()).isFalse();
    assertThat(ok.lastError()).isNull();
    List<ServiceInstance> imported = mine();

    cluster.change(() -> cluster.failStatus = 500);
    CycleSummary failed = cycle();
    assertThat(failed.outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
    assertThat(failed.error()).contains("HTTP 500 (not a FabricError): <html>");
    assertThat(mine()).containsExactlyInAnyOrderElementsOf(imported);
    ImporterStatus once = importer.status();
    assertThat(once.consecutiveFailures()).isEqualTo(1);
    assertThat(once.stale()).isFalse();
    assertThat(once.lastError()).contains("HTTP 500");
    assertThat(once.lastSuccess()).isEqualTo(ok.lastSuccess());

    cluster.change(
        () -> {
          cluster.failStatus = 0;
          cluster.malformed = true;
        });
    assertThat(cycle().error()).contains("Malformed answer");
    ImporterStatus twice = importer.status();
    assertThat(twice.stale()).isTrue();
    assertThat(twice.ready()).isFalse();
    assertThat(twice.toJson().getBoolean("stale")).isTrue();

    await(cluster.close());
    CycleSummary refused = cycle();
    assertThat(refused.error()).contains("unreachable");
    assertThat(mine()).containsExactlyInAnyOrderElementsOf(imported);
    assertThat(importer.status().consecutiveFailures()).isEqualTo(3);

    cluster.change(() -> cluster.malformed = false);
    await(cluster.listen(vertx, port));
    CycleSummary recovered = cycle();
    assertThat(recovered.outcome()).isEqualTo(CycleSummary.Outcome.COMPLETE);
    assertThat(recovered.unchanged()).isEqualTo(12);
    ImporterStatus back = importer.status();
    assertThat(back.stale()).isFalse();
    assertThat(back.ready()).isTrue();
    assertThat(back.lastError()).isNull();
    assertThat(back.consecutiveFailures()).isZero();
  }

  @Test
  void recordsGoStaleWithAgeAlone() {
    MutableClock clock = new MutableClock(java.time.Instant.parse("2030-01-01T00:00:00Z"));
    FabricImporter aged =
        FabricImporter.create(
            vertx,
            registry,
            config("http://127.0.0.1:" + port).staleAfter(Duration.ofHours(2), 100).build(),
            clock);
    try {
      assertThat(aged.status().stale()).as("not started").isFalse();
      assertThat(await(aged.runOnce()).outcome()).isEqualTo(CycleSummary.Outcome.COMPLETE);
      assertThat(aged.status().lastSuccess()).isEqualTo(clock.instant());
      clock.advance(Duration.ofMinutes(119));
      assertThat(aged.status().stale()).isFalse();
      clock.advance(Duration.ofMinutes(2));
      ImporterStatus old = aged.status();
      assertThat(old.stale()).as("no failure, but no success for longer than staleAfter").isTrue();
      assertThat(old.consecutiveFailures()).isZero();
      assertThat(await(aged.runOnce()).outcome()).isEqualTo(CycleSummary.Outcome.COMPLETE);
      assertThat(aged.status().stale()).isFalse();
    } finally {
      await(aged.stop());
    }

    cluster.change(() -> cluster.failStatus = 503);
    FabricImporter never =
        FabricImporter.create(
            vertx,
            registry,
            config("http://127.0.0.1:" + port)
                .name("sf-never")
                .staleAfter(Duration.ofHours(2), 100)
                .build(),
            clock);
    try {
      await(never.start());
      assertThat(await(never.runOnce()).outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
      assertThat(never.status().stale()).isFalse();
      clock.advance(Duration.ofHours(3));
      assertThat(never.status().stale()).as("started long ago, never imported").isTrue();
      assertThat(never.status().lastSuccess()).isNull();
    } finally {
      await(never.stop());
    }
  }

  @Test
  void partsThatCannotBeReadKeepTheirRecordsWhileTheRestMoves() {
    cycle();
    cluster.change(
        () -> {
          cluster.partition(guid(3)).resolveError = "FABRIC_E_SERVICE_OFFLINE";
          cluster.partition(guid(3)).endpoints.clear();
          cluster.apps.get(1).servicesStatus = 503;
          cluster
              .partition(guid(1))
              .endpoints
              .set(0, new FakeCluster.Endpoint("StatefulPrimary", address("10.0.0.40", "p/r1")));
        });
    CycleSummary partial = cycle();

    assertThat(partial.outcome()).as(partial.toString()).isEqualTo(CycleSummary.Outcome.PARTIAL);
    assertThat(partial.kept()).isEqualTo(2 + 4);
    assertThat(partial.updated()).isEqualTo(2);
    assertThat(partial.unpublished()).isZero();
    assertThat(partial.problems())
        .anySatisfy(p -> assertThat(p).contains(guid(3)).contains("FABRIC_E_SERVICE_OFFLINE"));
    assertThat(partial.problems())
        .anySatisfy(p -> assertThat(p).contains("fabric:/Billing").contains("FABRIC_E_NOT_READY"));
    assertThat(mine()).hasSize(12);
    assertThat(record(guid(1), "StatefulPrimary").host()).isEqualTo("10.0.0.40");
    assertThat(importer.status().stale()).isFalse();
    assertThat(importer.status().lastError()).isNull();
  }

  @Test
  void failsOverToTheNextEndpointAndBoundsEveryCall() {
    FakeCluster deadServer = new FakeCluster();
    int dead = await(deadServer.listen(vertx, 0));
    await(deadServer.close());
    FabricImporter failover =
        FabricImporter.create(
            vertx,
            registry,
            config("http://127.0.0.1:" + dead, "http://127.0.0.1:" + port + "/").build());
    try {
      CycleSummary s = await(failover.runOnce());
      assertThat(s.outcome()).as(s.toString()).isEqualTo(CycleSummary.Outcome.COMPLETE);
      assertThat(failover.status().activeEndpoint()).isEqualTo("http://127.0.0.1:" + port);
    } finally {
      await(failover.stop());
    }

    cluster.change(() -> cluster.hang = true);
    FabricImporter slow =
        FabricImporter.create(
            vertx,
            registry,
            config("http://127.0.0.1:" + port)
                .name("sf-slow")
                .requestTimeout(Duration.ofMillis(300))
                .build());
    try {
      long start = System.nanoTime();
      CycleSummary s = await(slow.runOnce());
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(s.outcome()).isEqualTo(CycleSummary.Outcome.FAILED);
      assertThat(s.error()).contains("No answer within 300 ms");
      assertThat(millis).isLessThan(3000);
    } finally {
      await(slow.stop());
    }
  }

  @Test
  void startedImporterCyclesOnItsOwnAndStops() throws InterruptedException {
    FabricImporter periodic =
        FabricImporter.create(
            vertx,
            registry,
            config("http://127.0.0.1:" + port).interval(Duration.ofMillis(50)).build());
    await(periodic.start());
    // four cycles seen by the cluster: the importer cycles on its own
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cluster.requests.stream().filter(u -> u.startsWith("/Applications?")).count() >= 4);
    assertThat(periodic.status().running()).isTrue();
    assertThat(periodic.status().ready()).isTrue();
    await(periodic.stop());
    assertThat(periodic.status().running()).isFalse();
    assertThat(mine()).hasSize(12);
    int seen = cluster.requests.size();
    // stopped: no request for four intervals
    Awaitility.await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> cluster.requests.size() == seen);

    assertThat(await(periodic.removeRecords())).isEqualTo(12);
    assertThat(mine()).isEmpty();
  }

  @Test
  void operatorStatusSurvivesRewrites() {
    cycle();
    ServiceInstance secondary = record(guid(2), "StatefulSecondary");
    await(registry.setStatus(secondary.id(), InstanceStatus.OUT_OF_SERVICE));
    cluster.change(
        () ->
            cluster
                .partition(guid(2))
                .endpoints
                .set(0, new FakeCluster.Endpoint("StatefulPrimary", address("10.0.1.44", "p/r1"))));
    cycle();
    ServiceInstance after = await(registry.instance(secondary.id()));
    assertThat(after.status()).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
    Map<String, String> m = new HashMap<>(after.metadata());
    assertThat(Long.parseLong(m.get("sf.generation")))
        .isGreaterThan(Long.parseLong(secondary.metadata("sf.generation")));
  }

  @Test
  void aComplaintReResolvesOnePartitionOnceForEveryoneAndWritesTheMove() {
    await(importer.start());
    org.awaitility.Awaitility.await()
        .atMost(20, TimeUnit.SECONDS)
        .until(() -> importer.status().ready());
    ServiceInstance oldPrimary = record(guid(2), "StatefulPrimary");
    cluster.change(
        () -> {
          FakeCluster.Partition p = cluster.partition(guid(2));
          p.endpoints =
              new java.util.ArrayList<>(
                  List.of(
                      new FakeCluster.Endpoint("StatefulPrimary", address("10.0.1.5", "p/r2")),
                      new FakeCluster.Endpoint("StatefulSecondary", address("10.0.1.4", "p/r1"))));
          p.version = "132000000000000077";
        });
    long before = cluster.complaintResolves.get();
    List<Future<PartitionRefresh>> complaints = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      complaints.add(importer.reresolve(guid(2).toUpperCase(java.util.Locale.ROOT)));
    }
    await(Future.all(complaints));
    assertThat(cluster.complaintResolves.get() - before).isEqualTo(1);
    assertThat(cluster.requests)
        .anyMatch(u -> u.contains("PartitionKeyValue=100&PreviousRspVersion=132000000000000001"));
    // a Failed result (the cluster's answer outlasting the request timeout on a loaded machine)
    // says why
    assertThat(complaints.get(0).result())
        .as("the complaint's result")
        .isInstanceOf(PartitionRefresh.Changed.class);
    PartitionRefresh.Changed changed = (PartitionRefresh.Changed) complaints.get(0).result();
    assertThat(complaints).allSatisfy(c -> assertThat(c.result()).isSameAs(changed));
    assertThat(changed.records())
        .hasSize(2)
        .allSatisfy(
            r ->
                assertThat(r.metadata())
                    .containsEntry(FabricRecords.CLUSTER_VERSION, "132000000000000077"));
    // the move is in the registry at once, promoted records keeping their ids, with a newer
    // generation
    ServiceInstance promoted = record(guid(2), "StatefulPrimary");
    assertThat(promoted.host()).isEqualTo("10.0.1.5");
    assertThat(Long.parseLong(promoted.metadata("sf.generation")))
        .isGreaterThan(Long.parseLong(oldPrimary.metadata("sf.generation")));
    assertThat(importer.status().complaints()).isEqualTo(new ImporterStatus.Complaints(1, 4, 1));

    // nothing moved since: the cluster is asked again only once the re-resolve interval has passed
    PartitionRefresh again = await(importer.reresolve(guid(2)));
    assertThat(again).isSameAs(changed);
    assertThat(await(importer.reresolve("00000000-0000-4000-8000-000000000099")))
        .isInstanceOf(PartitionRefresh.Unknown.class);
    // the next cycle finds the registry right
    assertThat(cycle().unchanged()).isEqualTo(12);
  }
}
