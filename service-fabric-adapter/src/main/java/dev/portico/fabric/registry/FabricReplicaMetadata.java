package dev.portico.fabric.registry;

import static dev.portico.fabric.internal.JsonFields.convert;
import static dev.portico.fabric.internal.JsonFields.string;

import dev.portico.fabric.EndpointAddresses;
import dev.portico.fabric.FabricFormatException;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionVersion;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * What the registry stores about one Service Fabric replica or instance, as flat {@code sf.*}
 * metadata keys of a discovery record.
 *
 * <p>Every int64 ({@code sf.lowKey}, {@code sf.highKey}, {@code sf.generation}, {@code
 * sf.fmVersion}) is written as a decimal string: many JSON readers turn numbers into doubles, which
 * cannot hold an int64. Reading also accepts integral JSON numbers. Names are written as {@code
 * fabric:/…}, kinds and roles by their REST names. Keys other than those below are ignored, so the
 * metadata can share a record with other keys (zone, weight, …).
 *
 * <p>{@code replicaId} is opaque: Service Fabric's replica and instance ids are int64s, but an
 * importer that only resolves partitions never sees them and must make up its own. {@code address}
 * is the published address string, raw; {@link #endpoints()} parses it. The application is any
 * ancestor of the service (application names may have several segments).
 */
public record FabricReplicaMetadata(
    FabricName application,
    FabricName service,
    ServiceKind serviceKind,
    PartitionInfo partition,
    ReplicaRole role,
    String replicaId,
    String address,
    long generation,
    long fmVersion) {

  public static final String APPLICATION = "sf.application";
  public static final String SERVICE = "sf.service";
  public static final String SERVICE_KIND = "sf.serviceKind";
  public static final String PARTITION_ID = "sf.partitionId";
  public static final String PARTITION_KIND = "sf.partitionKind";
  public static final String LOW_KEY = "sf.lowKey";
  public static final String HIGH_KEY = "sf.highKey";
  public static final String PARTITION_NAME = "sf.partitionName";
  public static final String ROLE = "sf.role";
  public static final String REPLICA_ID = "sf.replicaId";
  public static final String ADDRESS = "sf.address";
  public static final String GENERATION = "sf.generation";
  public static final String FM_VERSION = "sf.fmVersion";

  public FabricReplicaMetadata {
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(serviceKind, "serviceKind");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(address, "address");
    if (!application.isAncestorOf(service)) {
      throw new IllegalArgumentException(
          "Service " + service + " is not under application " + application);
    }
    if (role.serviceKind() != serviceKind) {
      throw new IllegalArgumentException(
          "Role " + role + " does not belong to a " + serviceKind + " service");
    }
    if (replicaId.isBlank()) {
      throw new IllegalArgumentException("A replica id must not be blank");
    }
    if (generation < 0 || fmVersion < 0) {
      throw new IllegalArgumentException(
          "Version numbers are never negative, got generation "
              + generation
              + ", fmVersion "
              + fmVersion);
    }
  }

  /** The resolution version this replica was announced with. */
  public PartitionVersion version() {
    return new PartitionVersion(partition.id(), generation, fmVersion);
  }

  /** The published address, parsed; cache the result rather than calling this per request. */
  public EndpointAddresses endpoints() {
    return EndpointAddresses.parse(address);
  }

  /** Whether a metadata object carries Service Fabric replica data at all. */
  public static boolean isPresentIn(JsonObject metadata) {
    return metadata != null && metadata.containsKey(SERVICE);
  }

  public JsonObject toJson() {
    return partitionMetadata()
        .toJson()
        .put(ROLE, role.restName())
        .put(REPLICA_ID, replicaId)
        .put(ADDRESS, address);
  }

  /** The partition part: what an offline-partition record carries alone. */
  public FabricPartitionMetadata partitionMetadata() {
    return new FabricPartitionMetadata(
        application, service, serviceKind, partition, generation, fmVersion);
  }

  /** Reads {@link #toJson()}'s keys; a missing or invalid field is reported under its key. */
  public static FabricReplicaMetadata fromJson(JsonObject json) {
    Objects.requireNonNull(json, "json");
    FabricPartitionMetadata p = FabricPartitionMetadata.fromJson(json);
    ReplicaRole role = convert(ROLE, () -> ReplicaRole.parse(string(json, ROLE)));
    if (role.serviceKind() != p.serviceKind()) {
      throw new FabricFormatException(
          ROLE,
          role + " is not a role of a " + p.serviceKind() + " service (" + SERVICE_KIND + ")");
    }
    String replicaId = string(json, REPLICA_ID);
    if (replicaId.isBlank()) {
      throw new FabricFormatException(REPLICA_ID, "must not be blank");
    }
    String address = string(json, ADDRESS);
    return new FabricReplicaMetadata(
        p.application(),
        p.service(),
        p.serviceKind(),
        p.partition(),
        role,
        replicaId,
        address,
        p.generation(),
        p.fmVersion());
  }
}
