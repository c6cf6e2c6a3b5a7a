package dev.portico.fabric.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.fabric.FabricFormatException;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.ListenerSelection;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionVersion;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FabricReplicaMetadataTest {

  private static final String ID = "bc4a7370-f992-4ca3-9214-d1716f04aa23";
  private static final String ADDRESS =
      "{\"Endpoints\":{\"\":\"http:\\/\\/10.0.0.4:20001\\/p\\/r1\"}}";

  private static FabricReplicaMetadata int64Primary() {
    return new FabricReplicaMetadata(
        FabricName.parse("fabric:/MyApp"),
        FabricName.parse("fabric:/MyApp/MyService"),
        ServiceKind.STATEFUL,
        new PartitionInfo.Int64Range(ID, Long.MIN_VALUE, Long.MAX_VALUE),
        ReplicaRole.STATEFUL_PRIMARY,
        "131364621839542069",
        ADDRESS,
        7,
        9007199254740993L);
  }

  @Test
  void writesFlatSfKeysWithInt64AsDecimalStrings() {
    JsonObject json = int64Primary().toJson();
    assertThat(json.getMap())
        .containsOnlyKeys(
            "sf.application",
            "sf.service",
            "sf.serviceKind",
            "sf.partitionId",
            "sf.partitionKind",
            "sf.lowKey",
            "sf.highKey",
            "sf.role",
            "sf.replicaId",
            "sf.address",
            "sf.generation",
            "sf.fmVersion");
    assertThat(json.getString("sf.application")).isEqualTo("fabric:/MyApp");
    assertThat(json.getString("sf.service")).isEqualTo("fabric:/MyApp/MyService");
    assertThat(json.getString("sf.serviceKind")).isEqualTo("Stateful");
    assertThat(json.getString("sf.partitionKind")).isEqualTo("Int64Range");
    assertThat(json.getValue("sf.lowKey")).isEqualTo("-9223372036854775808");
    assertThat(json.getValue("sf.highKey")).isEqualTo("9223372036854775807");
    assertThat(json.getString("sf.role")).isEqualTo("StatefulPrimary");
    assertThat(json.getString("sf.address")).isEqualTo(ADDRESS);
    assertThat(json.getValue("sf.fmVersion"))
        .isEqualTo("9007199254740993"); // 2^53 + 1: not a double
  }

  @Test
  void roundTripsEveryPartitionKind() {
    FabricName app = FabricName.parse("fabric:/myapp");
    FabricName svc = FabricName.parse("fabric:/myapp/app1/svc1");
    List<FabricReplicaMetadata> all =
        List.of(
            int64Primary(),
            new FabricReplicaMetadata(
                app,
                svc,
                ServiceKind.STATELESS,
                new PartitionInfo.Singleton(ID),
                ReplicaRole.STATELESS,
                "i-1",
                "",
                0,
                0),
            new FabricReplicaMetadata(
                FabricName.parse("fabric:/myapp/app1"),
                svc,
                ServiceKind.STATEFUL,
                new PartitionInfo.Named(ID, "west"),
                ReplicaRole.STATEFUL_SECONDARY,
                "r-2",
                "http://h:1/",
                3,
                4));
    for (FabricReplicaMetadata m : all) {
      JsonObject json = m.toJson();
      assertThat(FabricReplicaMetadata.fromJson(json)).isEqualTo(m);
      // Through text, as a registry backend would store it.
      assertThat(FabricReplicaMetadata.fromJson(new JsonObject(json.encode()))).isEqualTo(m);
    }
    assertThat(all.get(1).toJson().containsKey("sf.lowKey")).isFalse();
    assertThat(all.get(2).toJson().getString("sf.partitionName")).isEqualTo("west");
  }

  @Test
  void coexistsWithOtherMetadataAndReadsNumbersToo() {
    JsonObject json =
        int64Primary()
            .toJson()
            .put("zone", "eu-1")
            .put("weight", 5)
            .put("sf.generation", 7)
            .put("sf.lowKey", Long.MIN_VALUE);
    assertThat(FabricReplicaMetadata.fromJson(json)).isEqualTo(int64Primary());
    assertThat(FabricReplicaMetadata.isPresentIn(json)).isTrue();
    assertThat(FabricReplicaMetadata.isPresentIn(new JsonObject().put("zone", "x"))).isFalse();
  }

  @Test
  void exposesVersionAndEndpoints() {
    FabricReplicaMetadata m = int64Primary();
    assertThat(m.version()).isEqualTo(new PartitionVersion(ID, 7, 9007199254740993L));
    assertThat(
            m.endpoints()
                .select(Optional.empty(), ListenerSelection.CLIENT)
                .orElseThrow()
                .address())
        .isEqualTo("http://10.0.0.4:20001/p/r1");
  }

  @Test
  void reportsMissingAndInvalidFieldsByKey() {
    assertField(without("sf.application"), "sf.application", "is missing");
    assertField(with("sf.service", "fabric:/MyApp"), "sf.service", "a service name");
    assertField(
        with("sf.service", "fabric:/Other/MyService"),
        "sf.service",
        "is not under application fabric:/MyApp");
    assertField(with("sf.serviceKind", "Actor"), "sf.serviceKind", "Unknown service kind");
    assertField(with("sf.partitionId", "p1"), "sf.partitionId", "is not a GUID");
    assertField(with("sf.partitionKind", "Hash"), "sf.partitionKind", "Unknown partition kind");
    assertField(without("sf.lowKey"), "sf.lowKey", "is missing");
    assertField(with("sf.highKey", "1e3"), "sf.highKey", "is not a 64-bit integer");
    assertField(with("sf.highKey", "9223372036854775808"), "sf.highKey", "is not a 64-bit integer");
    assertField(
        with("sf.lowKey", "5").put("sf.highKey", "4"), "sf.highKey", "greater than high key");
    assertField(with("sf.partitionKind", "Named"), "sf.partitionName", "is missing");
    assertField(with("sf.role", "Stateless"), "sf.role", "is not a role of a Stateful service");
    assertField(with("sf.role", "Leader"), "sf.role", "Unknown endpoint kind");
    assertField(with("sf.replicaId", " "), "sf.replicaId", "must not be blank");
    assertField(without("sf.address"), "sf.address", "is missing");
    assertField(with("sf.address", 5), "sf.address", "expected a string");
    assertField(with("sf.generation", "-1"), "sf.generation", "is negative");
    assertField(with("sf.fmVersion", 1.5), "sf.fmVersion", "is not a 64-bit integer");
    assertField(
        int64Primary().toJson().putNull("sf.fmVersion"), "sf.fmVersion", "must not be null");
  }

  @Test
  void constructorKeepsTheRecordConsistent() {
    FabricName app = FabricName.parse("fabric:/A");
    assertThatThrownBy(
            () ->
                new FabricReplicaMetadata(
                    app,
                    FabricName.parse("fabric:/B/S"),
                    ServiceKind.STATELESS,
                    new PartitionInfo.Singleton(ID),
                    ReplicaRole.STATELESS,
                    "1",
                    "",
                    0,
                    0))
        .hasMessageContaining("not under application");
    assertThatThrownBy(
            () ->
                new FabricReplicaMetadata(
                    app,
                    FabricName.parse("fabric:/A/S"),
                    ServiceKind.STATELESS,
                    new PartitionInfo.Singleton(ID),
                    ReplicaRole.STATEFUL_PRIMARY,
                    "1",
                    "",
                    0,
                    0))
        .hasMessageContaining("does not belong to a Stateless service");
    assertThatThrownBy(
            () ->
                new FabricReplicaMetadata(
                    app,
                    FabricName.parse("fabric:/A/S"),
                    ServiceKind.STATELESS,
                    new PartitionInfo.Singleton(ID),
                    ReplicaRole.STATELESS,
                    "1",
                    "",
                    -1,
                    0))
        .hasMessageContaining("never negative");
  }

  private static JsonObject without(String key) {
    JsonObject json = int64Primary().toJson();
    json.remove(key);
    return json;
  }

  private static JsonObject with(String key, Object value) {
    return int64Primary().toJson().put(key, value);
  }

  private static void assertField(JsonObject json, String key, String problem) {
    assertThatThrownBy(() -> FabricReplicaMetadata.fromJson(json))
        .as(key + ": " + problem)
        .isInstanceOfSatisfying(
            FabricFormatException.class,
            e -> {
              assertThat(e.field()).isEqualTo(key);
              assertThat(e.getMessage()).startsWith(key + ": ").contains(problem);
            });
  }
}
