package dev.portico.fabric;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a service description partitions its keys; {@link #toPartitions} gives the partitions
 * themselves.
 */
public sealed interface PartitionScheme
    permits PartitionScheme.Singleton, PartitionScheme.UniformInt64Range, PartitionScheme.Named {

  PartitionKind kind();

  int partitionCount();

  /** The partitions this scheme describes, given one id per partition in scheme order. */
  List<PartitionInfo> toPartitions(List<String> partitionIds);

  static PartitionScheme singleton() {
    return Singleton.INSTANCE;
  }

  /** One partition for all requests. */
  record Singleton() implements PartitionScheme {
    static final Singleton INSTANCE = new Singleton();

    @Override
    public PartitionKind kind() {
      return PartitionKind.SINGLETON;
    }

    @Override
    public int partitionCount() {
      return 1;
    }

    @Override
    public List<PartitionInfo> toPartitions(List<String> partitionIds) {
      checkIds(partitionIds, 1);
      return List.of(new PartitionInfo.Singleton(partitionIds.get(0)));
    }
  }

  /**
   * {@code count} partitions splitting {@code [low, high]} (inclusive) evenly.
   *
   * <p>Service Fabric gives every partition {@code keys / count} keys and the first {@code keys %
   * count} partitions one more, so sizes differ by at most one with the larger ones first: {@code
   * 0..33} in 4 is {@code [0,8] [9,17] [18,25] [26,33]}.
   */
  record UniformInt64Range(long low, long high, int count) implements PartitionScheme {

    public UniformInt64Range {
      if (low > high) {
        throw new IllegalArgumentException(
            "UniformInt64Range low key " + low + " is greater than high key " + high);
      }
      if (count < 1) {
        throw new IllegalArgumentException(
            "UniformInt64Range needs at least one partition, got " + count);
      }
      // keys - 1 == high - low as an unsigned number: no overflow even for the full int64 range.
      if (Long.compareUnsigned(count - 1L, high - low) > 0) {
        throw new IllegalArgumentException(
            "UniformInt64Range ["
                + low
                + ", "
                + high
                + "] has "
                + Long.toUnsignedString(high - low + 1)
                + " keys, fewer than the "
                + count
                + " partitions asked for");
      }
    }

    @Override
    public PartitionKind kind() {
      return PartitionKind.INT64_RANGE;
    }

    @Override
    public int partitionCount() {
      return count;
    }

    /** The inclusive ranges, in key order, contiguous, covering exactly {@code [low, high]}. */
    public List<KeyRange> ranges() {
      // Unsigned 64-bit arithmetic. The key count (high - low + 1) can be 2^64, one more than
      // fits, so divide span = keys - 1 instead and carry the +1 into quotient/remainder.
      long span = high - low;
      long q = Long.divideUnsigned(span, count);
      long r = Long.remainderUnsigned(span, count);
      long small; // keys in each of the smaller partitions, minus one (never overflows)
      long bigger; // how many partitions get one key more: the first ones
      if (r == count - 1) {
        small = q; // keys == (q + 1) * count: no leftovers
        bigger = 0;
      } else {
        small = q - 1; // keys == q * count + (r + 1); q >= 1 because count <= keys
        bigger = r + 1;
      }
      List<KeyRange> ranges = new ArrayList<>(count);
      long start = low;
      for (int i = 0; i < count; i++) {
        long end = start + small + (i < bigger ? 1 : 0); // wraps only when the true value is MAX
        ranges.add(new KeyRange(start, end));
        start = end + 1; // wraps past MAX only after the last partition
      }
      return List.copyOf(ranges);
    }

    @Override
    public List<PartitionInfo> toPartitions(List<String> partitionIds) {
      checkIds(partitionIds, count);
      List<KeyRange> ranges = ranges();
      List<PartitionInfo> partitions = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        KeyRange range = ranges.get(i);
        partitions.add(
            new PartitionInfo.Int64Range(partitionIds.get(i), range.low(), range.high()));
      }
      return List.copyOf(partitions);
    }
  }

  /** One partition per name; names are unique, non-empty and case-sensitive. */
  record Named(List<String> names) implements PartitionScheme {
    public Named {
      Objects.requireNonNull(names, "names");
      if (names.isEmpty()) {
        throw new IllegalArgumentException("A Named partition scheme needs at least one name");
      }
      Set<String> seen = new HashSet<>();
      for (String name : names) {
        if (name == null || name.isEmpty()) {
          throw new IllegalArgumentException(
              "A Named partition scheme has an empty or null name: " + names);
        }
        if (!seen.add(name)) {
          throw new IllegalArgumentException(
              "A Named partition scheme lists \"" + name + "\" twice");
        }
      }
      names = List.copyOf(names);
    }

    @Override
    public PartitionKind kind() {
      return PartitionKind.NAMED;
    }

    @Override
    public int partitionCount() {
      return names.size();
    }

    @Override
    public List<PartitionInfo> toPartitions(List<String> partitionIds) {
      checkIds(partitionIds, names.size());
      List<PartitionInfo> partitions = new ArrayList<>(names.size());
      for (int i = 0; i < names.size(); i++) {
        partitions.add(new PartitionInfo.Named(partitionIds.get(i), names.get(i)));
      }
      return List.copyOf(partitions);
    }
  }

  private static void checkIds(List<String> partitionIds, int expected) {
    Objects.requireNonNull(partitionIds, "partitionIds");
    if (partitionIds.size() != expected) {
      throw new IllegalArgumentException(
          "Expected " + expected + " partition ids, got " + partitionIds.size());
    }
  }
}
