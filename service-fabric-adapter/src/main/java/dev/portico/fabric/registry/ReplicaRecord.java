package dev.portico.fabric.registry;

import dev.portico.discovery.ServiceInstance;
import java.util.Objects;

/**
 * A registry record read as a Service Fabric replica: {@link Valid}, an {@link OfflinePartition} (a
 * partition with no replica to publish), or why it is neither. A value, not an exception, because
 * an index built from thousands of records must report bad ones and go on.
 */
public sealed interface ReplicaRecord
    permits ReplicaRecord.Valid,
        ReplicaRecord.OfflinePartition,
        ReplicaRecord.NotFabric,
        ReplicaRecord.Malformed {

  /** The record as the registry gave it. */
  ServiceInstance instance();

  /** A Service Fabric replica record. */
  record Valid(ServiceInstance instance, FabricReplicaMetadata metadata) implements ReplicaRecord {
    public Valid {
      Objects.requireNonNull(instance, "instance");
      Objects.requireNonNull(metadata, "metadata");
    }

    /**
     * Extra metadata written next to the {@code sf.*} fields, e.g. {@link FabricRecords#SOURCE};
     * null when absent.
     */
    public String extra(String key) {
      return instance.metadata(key);
    }
  }

  /**
   * A partition the cluster lists but that has no replica to publish ({@link
   * FabricRecords#toOfflinePartitionSpec}): it keeps the partition's range or name known, so a key
   * it owns is answered "no replica" (503), not "no such partition" (400).
   */
  record OfflinePartition(ServiceInstance instance, FabricPartitionMetadata metadata)
      implements ReplicaRecord {
    public OfflinePartition {
      Objects.requireNonNull(instance, "instance");
      Objects.requireNonNull(metadata, "metadata");
    }
  }

  /** A record with no {@code sf.service} metadata: some other kind of service, not an error. */
  record NotFabric(ServiceInstance instance) implements ReplicaRecord {
    public NotFabric {
      Objects.requireNonNull(instance, "instance");
    }
  }

  /** A record that claims to be a Service Fabric replica but cannot be read as one. */
  record Malformed(ServiceInstance instance, String problem) implements ReplicaRecord {
    public Malformed {
      Objects.requireNonNull(instance, "instance");
      Objects.requireNonNull(problem, "problem");
    }
  }
}
