package dev.portico.fabric.rest;

import static dev.portico.fabric.internal.JsonFields.convert;
import static dev.portico.fabric.internal.JsonFields.string;

import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.internal.JsonFields;
import dev.portico.fabric.internal.PartitionInformationJson;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * An item of {@code GET /Services/{serviceId}/$/GetPartitions}. Replica set sizes come with
 * stateful partitions, {@code InstanceCount} with stateless ones (-1 means one per node); each is
 * empty when the cluster did not send it. Unknown fields are ignored.
 */
public record ServicePartitionItem(
    ServiceKind serviceKind,
    PartitionInfo partition,
    OptionalInt targetReplicaSetSize,
    OptionalInt minReplicaSetSize,
    OptionalInt instanceCount,
    String healthState,
    String partitionStatus) {

  public ServicePartitionItem {
    Objects.requireNonNull(serviceKind, "serviceKind");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(targetReplicaSetSize, "targetReplicaSetSize");
    Objects.requireNonNull(minReplicaSetSize, "minReplicaSetSize");
    Objects.requireNonNull(instanceCount, "instanceCount");
    healthState = Objects.requireNonNullElse(healthState, "");
    partitionStatus = Objects.requireNonNullElse(partitionStatus, "");
  }

  public static ServicePartitionItem fromJson(JsonObject json) {
    ServiceKind kind = convert("ServiceKind", () -> ServiceKind.parse(string(json, "ServiceKind")));
    JsonObject info = JsonFields.object(json, "PartitionInformation");
    PartitionInfo partition =
        JsonFields.nested("PartitionInformation", () -> PartitionInformationJson.parse(info));
    return new ServicePartitionItem(
        kind,
        partition,
        JsonFields.optInt(json, "TargetReplicaSetSize"),
        JsonFields.optInt(json, "MinReplicaSetSize"),
        JsonFields.optInt(json, "InstanceCount"),
        string(json, "HealthState", ""),
        string(json, "PartitionStatus", ""));
  }

  /** A page of {@code GetPartitions}. */
  public static PagedList<ServicePartitionItem> page(String json) {
    return PagedList.fromJson(JsonFields.parseObject(json), ServicePartitionItem::fromJson);
  }
}
