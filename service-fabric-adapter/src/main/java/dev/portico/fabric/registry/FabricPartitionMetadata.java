package dev.portico.fabric.registry;

import static dev.portico.fabric.internal.JsonFields.convert;
import static dev.portico.fabric.internal.JsonFields.int64;
import static dev.portico.fabric.internal.JsonFields.string;

import dev.portico.fabric.FabricFormatException;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionKind;
import dev.portico.fabric.PartitionVersion;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.internal.Guids;
import dev.portico.fabric.internal.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * What every Service Fabric record says about its partition: the service, its kind, the partition
 * (id and range or name) and the version the record was written at. A replica record ({@link
 * FabricReplicaMetadata}) adds the replica; an {@linkplain FabricRecords#toOfflinePartitionSpec
 * offline-partition record} carries this alone, so that a partition the cluster lists keeps its
 * place in the partition table while it has no replica to publish.
 */
public record FabricPartitionMetadata(
    FabricName application,
    FabricName service,
    ServiceKind serviceKind,
    PartitionInfo partition,
    long generation,
    long fmVersion) {

  public FabricPartitionMetadata {
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(serviceKind, "serviceKind");
    Objects.requireNonNull(partition, "partition");
    if (!application.isAncestorOf(service)) {
      throw new IllegalArgumentException(
          "Service " + service + " is not under application " + application);
    }
    if (generation < 0 || fmVersion < 0) {
      throw new IllegalArgumentException(
          "Version numbers are never negative, got generation "
              + generation
              + ", fmVersion "
              + fmVersion);
    }
  }

  /** The resolution version this record was written with. */
  public PartitionVersion version() {
    return new PartitionVersion(partition.id(), generation, fmVersion);
  }

  /** The partition keys ({@code sf.application} ... {@code sf.fmVersion}, no replica keys). */
  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put(FabricReplicaMetadata.APPLICATION, application.toString())
            .put(FabricReplicaMetadata.SERVICE, service.toString())
            .put(FabricReplicaMetadata.SERVICE_KIND, serviceKind.restName())
            .put(FabricReplicaMetadata.PARTITION_ID, partition.id())
            .put(FabricReplicaMetadata.PARTITION_KIND, partition.kind().restName());
    if (partition instanceof PartitionInfo.Int64Range) {
      PartitionInfo.Int64Range range = (PartitionInfo.Int64Range) partition;
      json.put(FabricReplicaMetadata.LOW_KEY, Long.toString(range.low()))
          .put(FabricReplicaMetadata.HIGH_KEY, Long.toString(range.high()));
    } else if (partition instanceof PartitionInfo.Named) {
      json.put(FabricReplicaMetadata.PARTITION_NAME, ((PartitionInfo.Named) partition).name());
    }
    return json.put(FabricReplicaMetadata.GENERATION, Long.toString(generation))
        .put(FabricReplicaMetadata.FM_VERSION, Long.toString(fmVersion));
  }

  /** Reads {@link #toJson()}'s keys; a missing or invalid field is reported under its key. */
  public static FabricPartitionMetadata fromJson(JsonObject json) {
    Objects.requireNonNull(json, "json");
    FabricName application =
        convert(
            FabricReplicaMetadata.APPLICATION,
            () -> FabricName.parse(string(json, FabricReplicaMetadata.APPLICATION)));
    FabricName service =
        convert(
            FabricReplicaMetadata.SERVICE,
            () -> FabricName.parseService(string(json, FabricReplicaMetadata.SERVICE)));
    if (!application.isAncestorOf(service)) {
      throw new FabricFormatException(
          FabricReplicaMetadata.SERVICE,
          service
              + " is not under application "
              + application
              + " ("
              + FabricReplicaMetadata.APPLICATION
              + ")");
    }
    ServiceKind serviceKind =
        convert(
            FabricReplicaMetadata.SERVICE_KIND,
            () -> ServiceKind.parse(string(json, FabricReplicaMetadata.SERVICE_KIND)));
    String partitionId = string(json, FabricReplicaMetadata.PARTITION_ID);
    convert(FabricReplicaMetadata.PARTITION_ID, () -> Guids.require(partitionId, "Partition id"));
    PartitionKind kind =
        convert(
            FabricReplicaMetadata.PARTITION_KIND,
            () -> PartitionKind.parse(string(json, FabricReplicaMetadata.PARTITION_KIND)));
    PartitionInfo partition;
    switch (kind) {
      case SINGLETON:
        partition = new PartitionInfo.Singleton(partitionId);
        break;
      case INT64_RANGE:
        long low = int64(json, FabricReplicaMetadata.LOW_KEY);
        long high = int64(json, FabricReplicaMetadata.HIGH_KEY);
        partition =
            convert(
                FabricReplicaMetadata.HIGH_KEY,
                () -> new PartitionInfo.Int64Range(partitionId, low, high));
        break;
      default:
        String name = string(json, FabricReplicaMetadata.PARTITION_NAME);
        partition =
            convert(
                FabricReplicaMetadata.PARTITION_NAME,
                () -> new PartitionInfo.Named(partitionId, name));
        break;
    }
    return new FabricPartitionMetadata(
        application,
        service,
        serviceKind,
        partition,
        nonNegative(json, FabricReplicaMetadata.GENERATION),
        nonNegative(json, FabricReplicaMetadata.FM_VERSION));
  }

  private static long nonNegative(JsonObject json, String key) {
    long v = JsonFields.int64(json, key);
    if (v < 0) {
      throw new FabricFormatException(key, v + " is negative");
    }
    return v;
  }
}
