package dev.portico.fabric.registry;

import dev.portico.fabric.EndpointAddresses;
import dev.portico.fabric.FabricFormatException;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionKind;
import dev.portico.fabric.PartitionVersion;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.internal.Guids;
import dev.portico.fabric.internal.JsonFields;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

import static dev.portico.fabric.internal.JsonFields.convert;
import static dev.portico.fabric.internal.JsonFields.int64;
import static dev.portico.fabric.internal.JsonFields.string;

/**
 * What the registry stores about one Service Fabric replica or instance, as flat {@code sf.*}
 * metadata keys of a discovery record.
 *
 * <p>Every int64 ({@code sf.lowKey}, {@code sf.highKey}, {@code sf.generation},
 * {@code sf.fmVersion}) is written as a decimal string: many JSON readers turn numbers into doubles,
 * which cannot hold an int64. Reading also accepts integral JSON numbers. Names are written as
 * {@code fabric:/…}, kinds and roles by their REST names. Keys other than those below are ignored,
 * so the metadata can share a record with other keys (zone, weight, …).
 *
 * <p>{@code replicaId} is opaque: Service Fabric's replica and instance ids are int64s, but an
 * importer that only resolves partitions never sees them and must make up its own.
 * {@code address} is the published address string, raw; {@link #endpoints()} parses it.
 * The application is any ancestor of the service (application names may have several segments).
 */
public record FabricReplicaMetadata(FabricName application, FabricName service, ServiceKind serviceKind,
                                    PartitionInfo partition, ReplicaRole role, String replicaId, String address,
                                    long generation, long fmVersion) {

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
            throw new IllegalArgumentException("Service " + service + " is not under application " + application);
        }
        if (role.serviceKind() != serviceKind) {
            throw new IllegalArgumentException("Role " + role + " does not belong to a " + serviceKind + " service");
        }
        if (replicaId.isBlank()) {
            throw new IllegalArgumentException("A replica id must not be blank");
        }
        if (generation < 0 || fmVersion < 0) {
            throw new IllegalArgumentException("Version numbers are never negative, got generation "
                    + generation + ", fmVersion " + fmVersion);
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
        JsonObject json = new JsonObject()
                .put(APPLICATION, application.toString())
                .put(SERVICE, service.toString())
                .put(SERVICE_KIND, serviceKind.restName())
                .put(PARTITION_ID, partition.id())
                .put(PARTITION_KIND, partition.kind().restName());
        if (partition instanceof PartitionInfo.Int64Range) {
            PartitionInfo.Int64Range range = (PartitionInfo.Int64Range) partition;
            json.put(LOW_KEY, Long.toString(range.low())).put(HIGH_KEY, Long.toString(range.high()));
        } else if (partition instanceof PartitionInfo.Named) {
            json.put(PARTITION_NAME, ((PartitionInfo.Named) partition).name());
        }
        return json.put(ROLE, role.restName())
                .put(REPLICA_ID, replicaId)
                .put(ADDRESS, address)
                .put(GENERATION, Long.toString(generation))
                .put(FM_VERSION, Long.toString(fmVersion));
    }

    /** Reads {@link #toJson()}'s keys; a missing or invalid field is reported under its key. */
    public static FabricReplicaMetadata fromJson(JsonObject json) {
        Objects.requireNonNull(json, "json");
        FabricName application = convert(APPLICATION, () -> FabricName.parse(string(json, APPLICATION)));
        FabricName service = convert(SERVICE, () -> FabricName.parseService(string(json, SERVICE)));
        if (!application.isAncestorOf(service)) {
            throw new FabricFormatException(SERVICE, service + " is not under application " + application + " (" + APPLICATION + ")");
        }
        ServiceKind serviceKind = convert(SERVICE_KIND, () -> ServiceKind.parse(string(json, SERVICE_KIND)));
        String partitionId = string(json, PARTITION_ID);
        convert(PARTITION_ID, () -> Guids.require(partitionId, "Partition id"));
        PartitionKind kind = convert(PARTITION_KIND, () -> PartitionKind.parse(string(json, PARTITION_KIND)));
        PartitionInfo partition;
        switch (kind) {
            case SINGLETON:
                partition = new PartitionInfo.Singleton(partitionId);
                break;
            case INT64_RANGE:
                long low = int64(json, LOW_KEY);
                long high = int64(json, HIGH_KEY);
                partition = convert(HIGH_KEY, () -> new PartitionInfo.Int64Range(partitionId, low, high));
                break;
            default:
                String name = string(json, PARTITION_NAME);
                partition = convert(PARTITION_NAME, () -> new PartitionInfo.Named(partitionId, name));
                break;
        }
        ReplicaRole role = convert(ROLE, () -> ReplicaRole.parse(string(json, ROLE)));
        if (role.serviceKind() != serviceKind) {
            throw new FabricFormatException(ROLE, role + " is not a role of a " + serviceKind
                    + " service (" + SERVICE_KIND + ")");
        }
        String replicaId = string(json, REPLICA_ID);
        if (replicaId.isBlank()) {
            throw new FabricFormatException(REPLICA_ID, "must not be blank");
        }
        String address = string(json, ADDRESS);
        long generation = nonNegative(json, GENERATION);
        long fmVersion = nonNegative(json, FM_VERSION);
        return new FabricReplicaMetadata(application, service, serviceKind, partition, role, replicaId, address,
                generation, fmVersion);
    }

    private static long nonNegative(JsonObject json, String key) {
        long v = JsonFields.int64(json, key);
        if (v < 0) {
            throw new FabricFormatException(key, v + " is negative");
        }
        return v;
    }
}
