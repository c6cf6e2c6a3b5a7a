package dev.portico.fabric.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FabricRecordsTest {

  private static final String ID = "bc4a7370-f992-4ca3-9214-d1716f04aa23";

  private static FabricReplicaMetadata replica(String address) {
    return new FabricReplicaMetadata(
        FabricName.parse("fabric:/MyApp"),
        FabricName.parse("fabric:/MyApp/MyService"),
        ServiceKind.STATEFUL,
        new PartitionInfo.Int64Range(ID, 0, 99),
        ReplicaRole.STATEFUL_PRIMARY,
        "r1",
        address,
        3,
        0);
  }

  @Test
  void recordPointsAtTheAlphabeticallySmallestHttpListener() {
    String address =
        "{\"Endpoints\":{\"zeta\":\"http:\\/\\/10.0.0.9:1\\/z\",\"tcp\":\"net.tcp:\\/\\/10.0.0.4:5\\/t\","
            + "\"Api\":\"https:\\/\\/10.0.0.4:20001\\/p\\/r1\\/\"}}";
    InstanceSpec spec = FabricRecords.toInstanceSpec(replica(address), Map.of("zone", "eu-1"));
    assertThat(spec.service()).isEqualTo("fabric:/MyApp/MyService");
    assertThat(spec.host()).isEqualTo("10.0.0.4");
    assertThat(spec.port()).isEqualTo(20001);
    assertThat(spec.ssl()).isTrue();
    assertThat(spec.root()).isEqualTo("/p/r1");
    assertThat(spec.status()).isEqualTo(InstanceStatus.UP);
    assertThat(spec.metadata())
        .containsEntry("sf.address", address)
        .containsEntry("sf.generation", "3")
        .containsEntry("sf.lowKey", "0")
        .containsEntry("zone", "eu-1");
  }

  @Test
  void withoutAnHttpListenerTheFirstListenersHostAndPortAreUsed() {
    InstanceSpec tcp =
        FabricRecords.toInstanceSpec(
            replica(
                "{\"Endpoints\":{\"b\":\"net.tcp://10.0.0.7:5000/x\",\"a\":\"10.0.0.8:6000\"}}"));
    assertThat(tcp.host()).isEqualTo("10.0.0.7");
    assertThat(tcp.port()).isEqualTo(5000);
    assertThat(tcp.ssl()).isFalse();
    assertThat(tcp.root()).isEmpty();

    InstanceSpec raw = FabricRecords.toInstanceSpec(replica("10.0.0.8:6000"));
    assertThat(raw.host()).isEqualTo("10.0.0.8");
    assertThat(raw.port()).isEqualTo(6000);

    InstanceSpec rawHttp = FabricRecords.toInstanceSpec(replica("http://[fe80::1]:8080/api/"));
    assertThat(rawHttp.host()).isEqualTo("fe80::1");
    assertThat(rawHttp.root()).isEqualTo("/api");
  }

  @Test
  void aReplicaWithoutAnyHostAndPortCannotBePublished() {
    assertThatThrownBy(() -> FabricRecords.toInstanceSpec(replica("")))
        .isInstanceOf(UnpublishableReplicaException.class)
        .hasMessageContaining("fabric:/MyApp/MyService")
        .hasMessageContaining(ID);
    assertThatThrownBy(
            () ->
                FabricRecords.toInstanceSpec(replica("{\"Endpoints\":{\"\":\"not-an-address\"}}")))
        .isInstanceOf(UnpublishableReplicaException.class);
    assertThatThrownBy(
            () -> FabricRecords.toInstanceSpec(replica("http://h:1"), Map.of("sf.role", "x")))
        .hasMessageContaining("may not override sf.role");
  }

  @Test
  void readsRecordsBackAndTellsForeignAndBrokenOnesApart() {
    FabricReplicaMetadata m = replica("http://10.0.0.4:20001/p/r1");
    InstanceSpec spec = FabricRecords.toInstanceSpec(m, Map.of(FabricRecords.SOURCE, "imp"));
    ServiceInstance instance =
        new ServiceInstance(
            "id-1",
            spec.service(),
            spec.host(),
            spec.port(),
            spec.ssl(),
            spec.root(),
            spec.status(),
            spec.metadata());
    ReplicaRecord read = FabricRecords.fromInstance(instance);
    assertThat(read).isInstanceOf(ReplicaRecord.Valid.class);
    assertThat(((ReplicaRecord.Valid) read).metadata()).isEqualTo(m);
    assertThat(((ReplicaRecord.Valid) read).extra(FabricRecords.SOURCE)).isEqualTo("imp");

    ServiceInstance plain =
        new ServiceInstance(
            "id-2", "orders", "h", 80, false, "", InstanceStatus.UP, Map.of("zone", "a"));
    assertThat(FabricRecords.fromInstance(plain)).isInstanceOf(ReplicaRecord.NotFabric.class);

    Map<String, String> bad = new HashMap<>(spec.metadata());
    bad.put("sf.partitionId", "p1");
    ReplicaRecord broken =
        FabricRecords.fromInstance(
            new ServiceInstance(
                "id-3", spec.service(), "h", 80, false, "", InstanceStatus.UP, bad));
    assertThat(broken).isInstanceOf(ReplicaRecord.Malformed.class);
    assertThat(((ReplicaRecord.Malformed) broken).problem())
        .contains("id-3")
        .contains("sf.partitionId");

    ReplicaRecord misfiled =
        FabricRecords.fromInstance(
            new ServiceInstance(
                "id-4",
                "fabric:/MyApp/Other",
                "h",
                80,
                false,
                "",
                InstanceStatus.UP,
                spec.metadata()));
    assertThat(((ReplicaRecord.Malformed) misfiled).problem())
        .contains("published under \"fabric:/MyApp/Other\"");
  }
}
