package dev.portico.fabric.importer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.registry.FabricRecords;
import dev.portico.fabric.registry.FabricReplicaMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ReconcilerTest {

  static final String SOURCE = "imp";
  static final FabricName APP = FabricName.parse("fabric:/App");
  static final FabricName SVC = FabricName.parse("fabric:/App/Svc");
  static final PartitionInfo P =
      new PartitionInfo.Singleton("00000001-0000-4000-8000-000000000001");
  static final PartitionInfo Q =
      new PartitionInfo.Singleton("00000002-0000-4000-8000-000000000002");

  private final AtomicInteger ids = new AtomicInteger();
  private final Supplier<String> newId = () -> "new-" + ids.incrementAndGet();

  static ServiceInstance record(
      String id, PartitionInfo p, ReplicaRole role, String replicaId, String address, long gen) {
    FabricReplicaMetadata m =
        new FabricReplicaMetadata(
            APP, SVC, role.serviceKind(), p, role, replicaId, address, gen, 0);
    InstanceSpec s =
        FabricRecords.toInstanceSpec(
            m, Map.of(FabricRecords.SOURCE, SOURCE, FabricRecords.CLUSTER_VERSION, "v"));
    return new ServiceInstance(
        id, s.service(), s.host(), s.port(), s.ssl(), s.root(), InstanceStatus.UP, s.metadata());
  }

  static ClusterObservation observe(
      List<ClusterObservation.ObservedPartition> resolved, Set<String> unknownPartitions) {
    return new ClusterObservation(
        resolved, Set.of(), Set.of(), unknownPartitions, List.of(), 1, 1, 0);
  }

  static ClusterObservation.ObservedPartition partition(PartitionInfo p, String... roleAndAddress) {
    List<ClusterObservation.ObservedEndpoint> eps = new ArrayList<>();
    for (int i = 0; i < roleAndAddress.length; i += 2) {
      eps.add(
          new ClusterObservation.ObservedEndpoint(
              ReplicaRole.parse(roleAndAddress[i]), roleAndAddress[i + 1]));
    }
    return new ClusterObservation.ObservedPartition(APP, SVC, ServiceKind.STATEFUL, p, eps, "v2");
  }

  @Test
  void leftoverRecordsAreReusedBeforePublishingAndGenerationsPassTheClock() {
    List<ServiceInstance> owned =
        List.of(
            record("a", P, ReplicaRole.STATEFUL_PRIMARY, "r1", "http://h1:1", 5),
            record("b", P, ReplicaRole.STATEFUL_SECONDARY, "r2", "http://h2:1", 5));
    // the secondary (h2) was promoted; h1 is gone and its record is reused for h3; h4 is new
    Reconciler.Plan plan =
        Reconciler.plan(
            SOURCE,
            observe(
                List.of(
                    partition(
                        P,
                        "StatefulPrimary",
                        "http://h2:1",
                        "StatefulSecondary",
                        "http://h3:1",
                        "StatefulSecondary",
                        "http://h4:1")),
                Set.of()),
            owned,
            1_000,
            newId);
    assertThat(plan.update()).hasSize(2);
    Map<String, Map<String, String>> updated = new HashMap<>();
    plan.update().forEach(u -> updated.put(u.id(), u.spec().metadata()));
    assertThat(updated.get("b"))
        .containsEntry("sf.role", "StatefulPrimary")
        .containsEntry("sf.replicaId", "r2");
    assertThat(updated.get("a"))
        .containsEntry("sf.address", "http://h3:1")
        .containsEntry("sf.replicaId", "r1");
    assertThat(plan.publish())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.metadata())
                  .containsEntry("sf.replicaId", "new-1")
                  .containsEntry("sf.generation", "1000")
                  .containsEntry(FabricRecords.CLUSTER_VERSION, "v2")
                  .containsEntry(FabricRecords.SOURCE, SOURCE);
            });
    assertThat(updated.values())
        .allSatisfy(m -> assertThat(m).containsEntry("sf.generation", "1000"));
    assertThat(plan.unpublish()).isEmpty();
  }

  @Test
  void unusableEndpointsAreReportedAndAPartitionWithNoneKeepsItsRecords() {
    List<ServiceInstance> owned =
        new ArrayList<>(
            List.of(
                record("a", P, ReplicaRole.STATEFUL_PRIMARY, "r1", "http://h1:1", 5),
                record("q", Q, ReplicaRole.STATEFUL_PRIMARY, "r1", "http://h9:1", 5)));
    Map<String, String> broken = new HashMap<>(owned.get(0).metadata());
    broken.put("sf.role", "Leader");
    owned.add(
        new ServiceInstance(
            "broken", SVC.toString(), "h", 1, false, "", InstanceStatus.UP, broken));

    Reconciler.Plan plan =
        Reconciler.plan(
            SOURCE,
            observe(List.of(partition(P, "StatefulPrimary", "")), Set.of()),
            owned,
            0,
            newId);
    assertThat(plan.kept()).isEqualTo(1);
    assertThat(plan.problems())
        .anySatisfy(p -> assertThat(p).contains("no address with a host and port"));
    assertThat(plan.problems())
        .anySatisfy(p -> assertThat(p).contains("resolved to no usable endpoint"));
    assertThat(plan.unpublish())
        .extracting(Reconciler.Unpublish::id)
        .containsExactlyInAnyOrder("broken", "q");

    Reconciler.Plan unknown =
        Reconciler.plan(SOURCE, observe(List.of(), Set.of(Q.id())), owned.subList(1, 2), 0, newId);
    assertThat(unknown.isEmpty()).isTrue();
    assertThat(unknown.kept()).isEqualTo(1);
  }

  @Test
  void aListedPartitionWithoutReplicasGetsAnOfflineRecordThatMakesWayForReplicas() {
    ClusterObservation.ObservedPartition none = partition(P);
    Reconciler.Plan first =
        Reconciler.plan(SOURCE, observe(List.of(none), Set.of()), List.of(), 1_000, newId);
    assertThat(first.offline()).isEqualTo(1);
    InstanceSpec offline = first.publish().get(0);
    assertThat(offline.status()).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
    assertThat(offline.host()).isEqualTo(FabricRecords.OFFLINE_HOST);
    assertThat(offline.metadata())
        .containsEntry(FabricRecords.RECORD, FabricRecords.OFFLINE_PARTITION)
        .containsEntry("sf.partitionId", P.id())
        .doesNotContainKey("sf.role");
    ServiceInstance stored =
        new ServiceInstance(
            "off",
            offline.service(),
            offline.host(),
            offline.port(),
            false,
            "",
            offline.status(),
            offline.metadata());

    // unchanged while the partition stays without replicas, also when it cannot be resolved
    assertThat(
            Reconciler.plan(SOURCE, observe(List.of(none), Set.of()), List.of(stored), 2_000, newId)
                .isEmpty())
        .isTrue();
    ClusterObservation.ObservedPartition unresolved =
        new ClusterObservation.ObservedPartition(
            APP, SVC, ServiceKind.STATEFUL, P, List.of(), "", false);
    assertThat(
            Reconciler.plan(
                    SOURCE,
                    observe(List.of(unresolved), Set.of(P.id())),
                    List.of(stored),
                    2_000,
                    newId)
                .isEmpty())
        .isTrue();
    // ... and a partition nobody knew anything of is recorded even when it could not be resolved
    assertThat(
            Reconciler.plan(
                    SOURCE, observe(List.of(unresolved), Set.of(P.id())), List.of(), 2_000, newId)
                .publish())
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.metadata())
                    .containsEntry(FabricRecords.RECORD, FabricRecords.OFFLINE_PARTITION));

    // replicas come: the offline record goes in the same partition's writes, the replicas are newer
    Reconciler.Plan back =
        Reconciler.plan(
            SOURCE,
            observe(List.of(partition(P, "StatefulPrimary", "http://h1:1")), Set.of()),
            List.of(stored),
            500,
            newId);
    assertThat(back.partitions())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.unpublish()).extracting(Reconciler.Unpublish::id).containsExactly("off");
              assertThat(w.publish())
                  .singleElement()
                  .satisfies(
                      s ->
                          assertThat(Long.parseLong(s.metadata().get("sf.generation")))
                              .isGreaterThan(1_000));
            });
    assertThat(back.offline()).isZero();
  }
}
