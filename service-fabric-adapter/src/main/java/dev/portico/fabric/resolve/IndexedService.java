package dev.portico.fabric.resolve;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionLookup;
import dev.portico.fabric.PartitionTable;
import dev.portico.fabric.ServiceKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** One Service Fabric service in a {@link FabricIndex}: its partition table and its partitions. */
public final class IndexedService {

  private final FabricName name;
  private final FabricName application;
  private final ServiceKind kind;
  private final PartitionTable table;
  private final Map<PartitionInfo, ResolvedPartition> byInfo;
  private final Map<String, ResolvedPartition> byId; // lower-case ids: GUIDs compare without case
  private final List<ResolvedPartition> partitions; // table order

  IndexedService(
      FabricName name,
      FabricName application,
      ServiceKind kind,
      PartitionTable table,
      List<ResolvedPartition> partitions) {
    this.name = Objects.requireNonNull(name, "name");
    this.application = Objects.requireNonNull(application, "application");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.table = Objects.requireNonNull(table, "table");
    Map<String, ResolvedPartition> ids = new HashMap<>();
    for (ResolvedPartition p : partitions) {
      ids.put(lower(p.partition().id()), p);
    }
    Map<PartitionInfo, ResolvedPartition> infos = new HashMap<>();
    List<ResolvedPartition> ordered = new ArrayList<>(partitions.size());
    for (PartitionInfo info : table.partitions()) {
      ResolvedPartition p = ids.get(lower(info.id()));
      if (p == null) {
        throw new IllegalArgumentException("No partition entry for " + info.id());
      }
      infos.put(info, p);
      ordered.add(p);
    }
    this.byInfo = Map.copyOf(infos);
    this.byId = Map.copyOf(ids);
    this.partitions = List.copyOf(ordered);
  }

  public FabricName name() {
    return name;
  }

  public FabricName application() {
    return application;
  }

  public ServiceKind kind() {
    return kind;
  }

  public PartitionTable table() {
    return table;
  }

  /** The partitions in table order (Int64Range ones by key). */
  public List<ResolvedPartition> partitions() {
    return partitions;
  }

  /** The partition with this id (compared without case), whether or not it has UP replicas. */
  public Optional<ResolvedPartition> partition(String id) {
    return Optional.ofNullable(byId.get(lower(id)));
  }

  /**
   * The partition owning {@code key}, or why there is none. An Int64 key that falls between two
   * registered ranges is a partition with no records yet (uniform ranges have no gaps), so it is
   * reported as having no replicas (503) rather than as a bad key.
   */
  public Resolution resolve(PartitionKey key) {
    PartitionLookup lookup = table.lookup(key);
    if (lookup instanceof PartitionLookup.Found) {
      ResolvedPartition p = byInfo.get(((PartitionLookup.Found) lookup).value());
      return p.hasReplicas()
          ? p
          : new ResolutionFailure.NoReplica(
              name,
              p.partition().id(),
              Optional.empty(),
              "Service "
                  + name
                  + ", key "
                  + key
                  + ": partition "
                  + p.partition().id()
                  + " ("
                  + ResolvedPartition.describe(p.partition())
                  + ") has no UP replicas");
    }
    PartitionLookup.Failed failed = (PartitionLookup.Failed) lookup;
    if (failed.reason() == PartitionLookup.Reason.KEY_OUT_OF_RANGE
        && inGap(((PartitionKey.Int64) key).value())) {
      return new ResolutionFailure.NoReplica(
          name,
          "",
          Optional.empty(),
          "Service "
              + name
              + ", key "
              + key
              + ": no partition owning the key is registered (it lies between registered partitions)");
    }
    return new ResolutionFailure.InvalidKey(
        name, key, failed.reason(), "Service " + name + ", key " + key + ": " + failed.message());
  }

  private boolean inGap(long key) {
    List<PartitionInfo> ps = table.partitions();
    return key >= ((PartitionInfo.Int64Range) ps.get(0)).low()
        && key <= ((PartitionInfo.Int64Range) ps.get(ps.size() - 1)).high();
  }

  /**
   * This service with {@code p} in place of the partition with its id, or {@code null} when the
   * service has no such partition or describes it otherwise (another range or name: the table would
   * change, which only a rebuild from the registry does).
   */
  IndexedService withPartition(ResolvedPartition p) {
    ResolvedPartition old = byId.get(lower(p.partition().id()));
    if (old == null || !old.partition().equals(p.partition()) || p.serviceKind() != kind) {
      return null;
    }
    List<ResolvedPartition> replaced = new ArrayList<>(partitions.size());
    for (ResolvedPartition q : partitions) {
      replaced.add(q == old ? p : q);
    }
    return new IndexedService(name, application, kind, table, replaced);
  }

  static String lower(String id) {
    return id.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "IndexedService["
        + name
        + ", "
        + kind
        + ", "
        + table.kind()
        + ", "
        + partitions.size()
        + " partitions]";
  }
}
