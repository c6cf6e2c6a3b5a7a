package dev.portico.fabric;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The partitions of one service, indexed for lookup by key. Immutable and thread-safe; a lookup
 * allocates nothing when it succeeds (the {@link PartitionLookup.Found} results are built once).
 *
 * <p>Int64Range partitions are kept sorted by low key and searched by binary search; gaps between
 * ranges are allowed and a key in a gap is out of range. Named partitions are matched by exact
 * name. A key of another kind matches nothing: the table reports a mismatch and never guesses.
 */
public final class PartitionTable {

  private final PartitionKind kind;
  private final List<PartitionInfo> partitions;
  private final PartitionLookup.Found[] found;
  // Int64Range only: parallel to partitions, sorted by low key.
  private final long[] lows;
  private final long[] highs;
  // Named only.
  private final Map<String, PartitionLookup.Found> byName;

  private PartitionTable(PartitionKind kind, List<PartitionInfo> partitions) {
    this.kind = kind;
    this.partitions = List.copyOf(partitions);
    int n = partitions.size();
    this.found = new PartitionLookup.Found[n];
    for (int i = 0; i < n; i++) {
      found[i] = new PartitionLookup.Found(partitions.get(i));
    }
    if (kind == PartitionKind.INT64_RANGE) {
      lows = new long[n];
      highs = new long[n];
      for (int i = 0; i < n; i++) {
        PartitionInfo.Int64Range range = (PartitionInfo.Int64Range) partitions.get(i);
        lows[i] = range.low();
        highs[i] = range.high();
      }
    } else {
      lows = null;
      highs = null;
    }
    if (kind == PartitionKind.NAMED) {
      Map<String, PartitionLookup.Found> names = new HashMap<>(n * 2);
      for (PartitionLookup.Found f : found) {
        names.put(((PartitionInfo.Named) f.value()).name(), f);
      }
      byName = Map.copyOf(names);
    } else {
      byName = Map.of();
    }
  }

  /**
   * Builds the table of one service. Rejects an empty list, mixed kinds, duplicate ids, more than
   * one Singleton, overlapping Int64 ranges and duplicate names.
   */
  public static PartitionTable of(Collection<? extends PartitionInfo> partitions) {
    Objects.requireNonNull(partitions, "partitions");
    if (partitions.isEmpty()) {
      throw new IllegalArgumentException("A partition table needs at least one partition");
    }
    List<PartitionInfo> list = new ArrayList<>(partitions.size());
    Set<String> ids = new HashSet<>();
    PartitionInfo first = null;
    for (PartitionInfo p : partitions) {
      Objects.requireNonNull(p, "partition");
      if (first == null) {
        first = p;
      } else if (p.kind() != first.kind()) {
        throw new IllegalArgumentException(
            "A service's partitions are all of one kind, got "
                + first.kind()
                + " ("
                + first.id()
                + ") and "
                + p.kind()
                + " ("
                + p.id()
                + ")");
      }
      if (!ids.add(p.id())) {
        throw new IllegalArgumentException("Partition id " + p.id() + " appears twice");
      }
      list.add(p);
    }
    switch (first.kind()) {
      case SINGLETON:
        if (list.size() != 1) {
          throw new IllegalArgumentException(
              "A Singleton service has exactly one partition, got " + list.size());
        }
        break;
      case INT64_RANGE:
        list.sort(Comparator.comparingLong(p -> ((PartitionInfo.Int64Range) p).low()));
        for (int i = 1; i < list.size(); i++) {
          PartitionInfo.Int64Range prev = (PartitionInfo.Int64Range) list.get(i - 1);
          PartitionInfo.Int64Range cur = (PartitionInfo.Int64Range) list.get(i);
          if (cur.low() <= prev.high()) {
            throw new IllegalArgumentException(
                "Partitions "
                    + prev.id()
                    + " "
                    + prev.range()
                    + " and "
                    + cur.id()
                    + " "
                    + cur.range()
                    + " overlap");
          }
        }
        break;
      default:
        Set<String> names = new HashSet<>();
        for (PartitionInfo p : list) {
          String name = ((PartitionInfo.Named) p).name();
          if (!names.add(name)) {
            throw new IllegalArgumentException("Partition name \"" + name + "\" appears twice");
          }
        }
        break;
    }
    return new PartitionTable(first.kind(), list);
  }

  public PartitionKind kind() {
    return kind;
  }

  /** The partitions; Int64Range ones in key order, others as given. */
  public List<PartitionInfo> partitions() {
    return partitions;
  }

  /** The partition the key selects, or a {@link PartitionLookup.Failed} saying why none does. */
  public PartitionLookup lookup(PartitionKey key) {
    Objects.requireNonNull(key, "key");
    switch (kind) {
      case SINGLETON:
        return key instanceof PartitionKey.None ? found[0] : mismatch(key);
      case INT64_RANGE:
        if (!(key instanceof PartitionKey.Int64)) {
          return mismatch(key);
        }
        long value = ((PartitionKey.Int64) key).value();
        int i = indexOf(value);
        return i >= 0 ? found[i] : outOfRange(key, value);
      default:
        if (!(key instanceof PartitionKey.Named)) {
          return mismatch(key);
        }
        PartitionLookup.Found hit = byName.get(((PartitionKey.Named) key).name());
        return hit != null ? hit : nameNotFound(key);
    }
  }

  /** Index of the range containing {@code key}, or -1. */
  private int indexOf(long key) {
    int lo = 0;
    int hi = lows.length - 1;
    while (lo <= hi) { // find the last range whose low key is <= key
      int mid = (lo + hi) >>> 1;
      if (lows[mid] <= key) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hi >= 0 && key <= highs[hi] ? hi : -1;
  }

  private PartitionLookup mismatch(PartitionKey key) {
    return new PartitionLookup.Failed(
        PartitionLookup.Reason.KEY_KIND_MISMATCH,
        key,
        "Partition key "
            + key
            + " is a "
            + key.kind()
            + " key but the service is partitioned "
            + kind
            + "; "
            + expectedKey());
  }

  private PartitionLookup outOfRange(PartitionKey key, long value) {
    int n = lows.length;
    return new PartitionLookup.Failed(
        PartitionLookup.Reason.KEY_OUT_OF_RANGE,
        key,
        "Partition key "
            + value
            + " is in no partition's range; the "
            + n
            + " partition"
            + (n == 1 ? "" : "s")
            + " cover keys within ["
            + lows[0]
            + ", "
            + highs[n - 1]
            + "]");
  }

  private PartitionLookup nameNotFound(PartitionKey key) {
    List<String> names = new ArrayList<>(partitions.size());
    for (PartitionInfo p : partitions) {
      names.add(((PartitionInfo.Named) p).name());
    }
    return new PartitionLookup.Failed(
        PartitionLookup.Reason.NAME_NOT_FOUND,
        key,
        "No partition is named \""
            + ((PartitionKey.Named) key).name()
            + "\" (names are case-sensitive); partitions: "
            + names);
  }

  private String expectedKey() {
    switch (kind) {
      case SINGLETON:
        return "send no partition key";
      case INT64_RANGE:
        return "send PartitionKind=Int64Range with an integer key";
      default:
        return "send PartitionKind=Named with a partition name";
    }
  }

  @Override
  public String toString() {
    return "PartitionTable" + partitions;
  }
}
