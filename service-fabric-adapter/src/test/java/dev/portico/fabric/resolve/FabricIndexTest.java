package dev.portico.fabric.resolve;

import static dev.portico.fabric.resolve.Fixtures.endpoints;
import static dev.portico.fabric.resolve.Fixtures.guid;
import static dev.portico.fabric.resolve.Fixtures.instance;
import static dev.portico.fabric.resolve.Fixtures.replica;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.RegistrySnapshot;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionLookup;
import dev.portico.fabric.PartitionVersion;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.registry.FabricReplicaMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FabricIndexTest {

  private static final FabricName ORDERS = FabricName.parse("fabric:/Shop/Orders");

  private static ServiceInstance orders(
      String id, int partition, ReplicaRole role, long gen, String host) {
    PartitionInfo p =
        partition == 0
            ? new PartitionInfo.Int64Range(guid(0), 0, 49)
            : new PartitionInfo.Int64Range(guid(1), 50, 99);
    return instance(
        id,
        replica(
            ORDERS.toString(),
            ServiceKind.STATEFUL,
            p,
            role,
            id,
            endpoints("http://" + host + ":8080/"),
            gen));
  }

  @Test
  void indexesPartitionsVersionsAndUpReplicasPrimaryFirst() {
    List<ServiceInstance> records =
        List.of(
            orders("a", 0, ReplicaRole.STATEFUL_SECONDARY, 2, "10.0.0.2"),
            orders("b", 0, ReplicaRole.STATEFUL_PRIMARY, 1, "10.0.0.1"),
            orders("c", 1, ReplicaRole.STATEFUL_PRIMARY, 4, "10.0.0.3"),
            new ServiceInstance("x", "plain", "h", 80, false, "", InstanceStatus.UP, Map.of()));
    FabricIndex index = FabricIndex.build(RegistrySnapshot.of(7, records));

    assertThat(index.snapshotVersion()).isEqualTo(7);
    assertThat(index.problems()).isEmpty();
    assertThat(index.replicaCount()).isEqualTo(3);
    IndexedService service = index.service(ORDERS).orElseThrow();
    assertThat(service.kind()).isEqualTo(ServiceKind.STATEFUL);
    assertThat(service.application()).isEqualTo(FabricName.parse("fabric:/Shop"));
    assertThat(service.partitions()).hasSize(2);

    ResolvedPartition p0 = (ResolvedPartition) index.resolve(ORDERS, PartitionKey.int64(49));
    assertThat(p0.version()).isEqualTo(new PartitionVersion(guid(0), 2, 0)); // max over the records
    assertThat(p0.replicas()).extracting(ResolvedReplica::recordId).containsExactly("b", "a");
    assertThat(p0.primary().orElseThrow().recordId()).isEqualTo("b");
    assertThat(service.partition(guid(1).toUpperCase())).isPresent();
  }

  @Test
  void downReplicasKeepTheirPartitionButServeNoTraffic() {
    List<ServiceInstance> records =
        List.of(
            orders("b", 0, ReplicaRole.STATEFUL_PRIMARY, 1, "10.0.0.1"),
            withStatus(
                orders("c", 1, ReplicaRole.STATEFUL_PRIMARY, 5, "10.0.0.3"), InstanceStatus.DOWN));
    FabricIndex index = FabricIndex.build(RegistrySnapshot.of(1, records));
    Resolution r = index.resolve(ORDERS, PartitionKey.int64(60));
    assertThat(r).isInstanceOf(ResolutionFailure.NoReplica.class);
    assertThat(((ResolutionFailure) r).httpStatus()).isEqualTo(503);
    assertThat(((ResolutionFailure) r).message())
        .contains("fabric:/Shop/Orders")
        .contains("Int64(60)");
    // still the owning partition: keys outside both ranges are bad keys, not outages
    assertThat(index.resolve(ORDERS, PartitionKey.int64(100)))
        .isInstanceOf(ResolutionFailure.InvalidKey.class);
  }

  @Test
  void aKeyBetweenRegisteredRangesIsAMissingPartitionNotABadKey() {
    PartitionInfo low = new PartitionInfo.Int64Range(guid(0), 0, 9);
    PartitionInfo high = new PartitionInfo.Int64Range(guid(2), 20, 29);
    FabricIndex index =
        FabricIndex.build(
            RegistrySnapshot.of(
                1,
                List.of(
                    instance(
                        "a",
                        replica(
                            ORDERS.toString(),
                            ServiceKind.STATEFUL,
                            low,
                            ReplicaRole.STATEFUL_PRIMARY,
                            "1",
                            "http://h:1",
                            1)),
                    instance(
                        "b",
                        replica(
                            ORDERS.toString(),
                            ServiceKind.STATEFUL,
                            high,
                            ReplicaRole.STATEFUL_PRIMARY,
                            "2",
                            "http://h:2",
                            1)))));
    assertThat(index.resolve(ORDERS, PartitionKey.int64(15)))
        .isInstanceOf(ResolutionFailure.NoReplica.class);
    ResolutionFailure.InvalidKey above =
        (ResolutionFailure.InvalidKey) index.resolve(ORDERS, PartitionKey.int64(30));
    assertThat(above.reason()).isEqualTo(PartitionLookup.Reason.KEY_OUT_OF_RANGE);
    assertThat(above.httpStatus()).isEqualTo(400);
  }

  @Test
  void reportsAndSkipsContradictingServicesWithoutThrowing() {
    FabricName mixed = FabricName.parse("fabric:/Bad/Mixed");
    FabricName overlap = FabricName.parse("fabric:/Bad/Overlap");
    FabricName twoShapes = FabricName.parse("fabric:/Bad/TwoShapes");
    FabricName kinds = FabricName.parse("fabric:/Bad/Kinds");
    List<ServiceInstance> records = new ArrayList<>();
    records.add(
        instance(
            "m1",
            replica(
                mixed.toString(),
                ServiceKind.STATELESS,
                new PartitionInfo.Singleton(guid(10)),
                ReplicaRole.STATELESS,
                "1",
                "http://h:1",
                1)));
    records.add(
        instance(
            "m2",
            replica(
                mixed.toString(),
                ServiceKind.STATELESS,
                new PartitionInfo.Named(guid(11), "x"),
                ReplicaRole.STATELESS,
                "2",
                "http://h:2",
                1)));
    records.add(
        instance(
            "o1",
            replica(
                overlap.toString(),
                ServiceKind.STATELESS,
                new PartitionInfo.Int64Range(guid(12), 0, 10),
                ReplicaRole.STATELESS,
                "1",
                "http://h:1",
                1)));
    records.add(
        instance(
            "o2",
            replica(
                overlap.toString(),
                ServiceKind.STATELESS,
                new PartitionInfo.Int64Range(guid(13), 5, 20),
                ReplicaRole.STATELESS,
                "2",
                "http://h:2",
                1)));
    records.add(
        instance(
            "t1",
            replica(
                twoShapes.toString(),
                ServiceKind.STATELESS,
                new PartitionInfo.Int64Range(guid(14), 0, 10),
                ReplicaRole.STATELESS,
                "1",
                "http://h:1",
                1)));
    records.add(
        instance(
            "t2",
            replica(
                twoShapes.toString(),
                ServiceKind.STATELESS,
                new PartitionInfo.Int64Range(guid(14), 0, 11),
                ReplicaRole.STATELESS,
                "2",
                "http://h:2",
                1)));
    records.add(
        instance(
            "k1",
            replica(
                kinds.toString(),
                ServiceKind.STATELESS,
                new PartitionInfo.Singleton(guid(15)),
                ReplicaRole.STATELESS,
                "1",
                "http://h:1",
                1)));
    records.add(
        instance(
            "k2",
            replica(
                kinds.toString(),
                ServiceKind.STATEFUL,
                new PartitionInfo.Singleton(guid(15)),
                ReplicaRole.STATEFUL_PRIMARY,
                "2",
                "http://h:2",
                1)));
    records.add(orders("good", 0, ReplicaRole.STATEFUL_PRIMARY, 1, "10.0.0.1"));
    Map<String, String> broken =
        new HashMap<>(orders("z", 1, ReplicaRole.STATEFUL_PRIMARY, 1, "h").metadata());
    broken.put(FabricReplicaMetadata.LOW_KEY, "ten");
    records.add(
        new ServiceInstance(
            "broken", ORDERS.toString(), "h", 1, false, "", InstanceStatus.UP, broken));

    FabricIndex index = FabricIndex.build(RegistrySnapshot.of(3, records));

    assertThat(index.service(ORDERS)).isPresent();
    assertThat(index.resolve(ORDERS, PartitionKey.int64(1))).isInstanceOf(ResolvedPartition.class);
    for (FabricName bad : List.of(mixed, overlap, twoShapes, kinds)) {
      assertThat(index.service(bad)).isEmpty();
      assertThat(index.resolve(bad, PartitionKey.none()))
          .isInstanceOf(ResolutionFailure.ServiceNotFound.class);
    }
    assertThat(index.problems())
        .extracting(IndexProblem::effect)
        .containsOnly(IndexProblem.Effect.SERVICE_SKIPPED, IndexProblem.Effect.RECORD_SKIPPED);
    assertThat(index.problems())
        .filteredOn(p -> p.effect() == IndexProblem.Effect.RECORD_SKIPPED)
        .singleElement()
        .satisfies(p -> assertThat(p.recordIds()).containsExactly("broken"));
    assertThat(index.problems())
        .anySatisfy(
            p -> assertThat(p.message()).contains("fabric:/Bad/Mixed").contains("all of one kind"));
    assertThat(index.problems())
        .anySatisfy(
            p -> assertThat(p.message()).contains("fabric:/Bad/Overlap").contains("overlap"));
    assertThat(index.problems())
        .anySatisfy(
            p ->
                assertThat(p.message())
                    .contains("describe partition " + guid(14) + " differently"));
    assertThat(index.problems())
        .anySatisfy(p -> assertThat(p.message()).contains("disagree on the service kind"));
  }

  @Test
  void ofTwoUpPrimariesTheNewerWinsAndTheOtherIsReported() {
    FabricIndex index =
        FabricIndex.build(
            RegistrySnapshot.of(
                1,
                List.of(
                    orders("old", 0, ReplicaRole.STATEFUL_PRIMARY, 1, "10.0.0.1"),
                    orders("new", 0, ReplicaRole.STATEFUL_PRIMARY, 2, "10.0.0.9"))));
    ResolvedPartition p = (ResolvedPartition) index.resolve(ORDERS, PartitionKey.int64(0));
    assertThat(p.primary().orElseThrow().recordId()).isEqualTo("new");
    assertThat(p.replicas()).hasSize(1);
    assertThat(index.problems())
        .singleElement()
        .satisfies(
            pr -> {
              assertThat(pr.effect()).isEqualTo(IndexProblem.Effect.REPLICA_IGNORED);
              assertThat(pr.recordIds()).containsExactly("old");
            });
  }

  @Test
  void rebuildingKeepsUnchangedPartitionsIdenticalAndScalesToThousandsOfRecords() {
    List<ServiceInstance> records = new ArrayList<>();
    for (int s = 0; s < 200; s++) {
      String service = "fabric:/Big/S" + s;
      for (int p = 0; p < 5; p++) {
        PartitionInfo info =
            new PartitionInfo.Int64Range(guid(s * 10 + p), p * 100L, p * 100L + 99);
        for (int r = 0; r < 5; r++) {
          ReplicaRole role = r == 0 ? ReplicaRole.STATEFUL_PRIMARY : ReplicaRole.STATEFUL_SECONDARY;
          records.add(
              instance(
                  s + "-" + p + "-" + r,
                  replica(
                      service,
                      ServiceKind.STATEFUL,
                      info,
                      role,
                      "r" + r,
                      endpoints("http://10.1." + s + "." + (p * 5 + r) + ":8080/"),
                      1)));
        }
      }
    }
    FabricIndex first = FabricIndex.build(RegistrySnapshot.of(1, records));
    assertThat(first.replicaCount()).isEqualTo(5000);
    FabricName s0 = FabricName.parse("fabric:/Big/S0");
    ResolvedPartition before = (ResolvedPartition) first.resolve(s0, PartitionKey.int64(150));

    // one replica moves in another service
    records.set(
        records.size() - 1,
        instance(
            "199-4-4",
            replica(
                "fabric:/Big/S199",
                ServiceKind.STATEFUL,
                new PartitionInfo.Int64Range(guid(1994), 400, 499),
                ReplicaRole.STATEFUL_SECONDARY,
                "r4",
                endpoints("http://10.9.9.9:8080/"),
                2)));
    FabricIndex second = FabricIndex.build(RegistrySnapshot.of(2, records), first);
    assertThat(second.resolve(s0, PartitionKey.int64(150))).isSameAs(before);
    ResolvedPartition moved =
        (ResolvedPartition)
            second.resolve(FabricName.parse("fabric:/Big/S199"), PartitionKey.int64(450));
    assertThat(moved.version().generation()).isEqualTo(2);
  }

  private static ServiceInstance withStatus(ServiceInstance i, InstanceStatus status) {
    return new ServiceInstance(
        i.id(), i.service(), i.host(), i.port(), i.ssl(), i.root(), status, i.metadata());
  }
}
