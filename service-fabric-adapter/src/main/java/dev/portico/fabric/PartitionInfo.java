package dev.portico.fabric;

import dev.portico.fabric.internal.Guids;
import java.util.Objects;

/** One partition of a service: its id (a GUID, kept as the cluster wrote it) and what it covers. */
public sealed interface PartitionInfo
    permits PartitionInfo.Singleton, PartitionInfo.Int64Range, PartitionInfo.Named {

  String id();

  PartitionKind kind();

  /** The only partition of a Singleton service. */
  record Singleton(String id) implements PartitionInfo {
    public Singleton {
      Guids.require(id, "Partition id");
    }

    @Override
    public PartitionKind kind() {
      return PartitionKind.SINGLETON;
    }
  }

  /** A UniformInt64Range partition owning the keys {@code [low, high]}, both inclusive. */
  record Int64Range(String id, long low, long high) implements PartitionInfo {
    public Int64Range {
      Guids.require(id, "Partition id");
      if (low > high) {
        throw new IllegalArgumentException(
            "Partition " + id + ": low key " + low + " is greater than high key " + high);
      }
    }

    @Override
    public PartitionKind kind() {
      return PartitionKind.INT64_RANGE;
    }

    public KeyRange range() {
      return new KeyRange(low, high);
    }

    public boolean contains(long key) {
      return key >= low && key <= high;
    }
  }

  /** A Named partition; its name is matched exactly (case-sensitive). */
  record Named(String id, String name) implements PartitionInfo {
    public Named {
      Guids.require(id, "Partition id");
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException(
            "Partition " + id + ": a partition name must not be empty");
      }
    }

    @Override
    public PartitionKind kind() {
      return PartitionKind.NAMED;
    }
  }
}
