package dev.portico.fabric.resolve;

import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.RegistrySnapshot;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionTable;
import dev.portico.fabric.PartitionVersion;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.registry.FabricPartitionMetadata;
import dev.portico.fabric.registry.FabricRecords;
import dev.portico.fabric.registry.FabricReplicaMetadata;
import dev.portico.fabric.registry.ReplicaRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link FabricIndex}; one use per build. */
final class IndexBuilder {

  /**
   * A record read once: kept in the index so the next build can skip parsing it again. An
   * offline-partition record has no role and no replica: it only keeps its partition known.
   */
  record Parsed(
      ServiceInstance instance,
      FabricPartitionMetadata metadata,
      ReplicaRole role,
      String replicaId,
      ResolvedReplica replica) {
    /** An UP replica: one that takes requests. */
    boolean up() {
      return replica != null && instance.status() == InstanceStatus.UP;
    }
  }

  private static final Comparator<Parsed> BY_REPLICA_ID =
      Comparator.comparing((Parsed p) -> p.replicaId()).thenComparing(p -> p.instance().id());

  private final FabricIndex previous;
  private final List<IndexProblem> problems = new ArrayList<>();
  private final Map<String, Parsed> parsed = new HashMap<>();
  private int replicaCount;

  IndexBuilder(FabricIndex previous) {
    this.previous = previous;
  }

  FabricIndex build(RegistrySnapshot snapshot) {
    Map<FabricName, List<Parsed>> byService = new HashMap<>();
    for (RegistrySnapshot.ServiceGroup group : snapshot.services().values()) {
      for (ServiceInstance instance : group.all()) {
        if (!instance.metadata().containsKey(FabricReplicaMetadata.SERVICE)) {
          continue;
        }
        Parsed p = read(instance);
        if (p != null) {
          parsed.put(instance.id(), p);
          byService.computeIfAbsent(p.metadata().service(), k -> new ArrayList<>()).add(p);
        }
      }
    }
    Map<FabricName, IndexedService> services = new HashMap<>();
    byService.forEach(
        (name, records) -> {
          IndexedService s = service(name, records);
          if (s != null) {
            services.put(name, s);
          }
        });
    return new FabricIndex(snapshot.version(), services, problems, parsed, replicaCount);
  }

  private Parsed read(ServiceInstance instance) {
    Parsed before = previous.parsed.get(instance.id());
    if (before != null && before.instance().equals(instance)) {
      return before;
    }
    Parsed p = parse(instance);
    if (p == null) {
      ReplicaRecord record = FabricRecords.fromInstance(instance);
      problems.add(
          new IndexProblem(
              IndexProblem.Effect.RECORD_SKIPPED,
              instance.service(),
              List.of(instance.id()),
              record instanceof ReplicaRecord.Malformed m
                  ? m.problem()
                  : "Record " + instance.id() + " is no Service Fabric record"));
    }
    return p;
  }

  /** The record read as a replica or an offline partition; null when it is neither. */
  static Parsed parse(ServiceInstance instance) {
    ReplicaRecord record = FabricRecords.fromInstance(instance);
    if (record instanceof ReplicaRecord.Valid v) {
      FabricReplicaMetadata m = v.metadata();
      return new Parsed(
          instance,
          m.partitionMetadata(),
          m.role(),
          m.replicaId(),
          new ResolvedReplica(m.role(), m.replicaId(), m.endpoints(), instance.id()));
    }
    if (record instanceof ReplicaRecord.OfflinePartition o) {
      return new Parsed(instance, o.metadata(), null, null, null);
    }
    return null;
  }

  private IndexedService service(FabricName name, List<Parsed> records) {
    FabricPartitionMetadata first = records.get(0).metadata();
    for (Parsed p : records) {
      FabricPartitionMetadata m = p.metadata();
      if (m.serviceKind() != first.serviceKind()) {
        return skip(
            name,
            List.of(records.get(0), p),
            "Service "
                + name
                + " is skipped: its records disagree on"
                + " the service kind ("
                + first.serviceKind()
                + " in record "
                + records.get(0).instance().id()
                + ", "
                + m.serviceKind()
                + " in record "
                + p.instance().id()
                + ")");
      }
      if (!m.application().equals(first.application())) {
        return skip(
            name,
            List.of(records.get(0), p),
            "Service "
                + name
                + " is skipped: its records disagree on"
                + " the application ("
                + first.application()
                + " in record "
                + records.get(0).instance().id()
                + ", "
                + m.application()
                + " in record "
                + p.instance().id()
                + ")");
      }
    }
    Map<String, List<Parsed>> byPartition = new LinkedHashMap<>();
    for (Parsed p : records) {
      byPartition
          .computeIfAbsent(
              IndexedService.lower(p.metadata().partition().id()), k -> new ArrayList<>())
          .add(p);
    }
    List<PartitionInfo> infos = new ArrayList<>(byPartition.size());
    for (List<Parsed> group : byPartition.values()) {
      PartitionInfo info = group.get(0).metadata().partition();
      for (Parsed p : group) {
        if (!sameShape(info, p.metadata().partition())) {
          return skip(
              name,
              List.of(group.get(0), p),
              "Service "
                  + name
                  + " is skipped: records "
                  + group.get(0).instance().id()
                  + " and "
                  + p.instance().id()
                  + " describe partition "
                  + info.id()
                  + " differently ("
                  + ResolvedPartition.describe(info)
                  + " vs "
                  + ResolvedPartition.describe(p.metadata().partition())
                  + ")");
        }
      }
      infos.add(info);
    }
    PartitionTable table;
    try {
      table = PartitionTable.of(infos);
    } catch (IllegalArgumentException e) {
      return skip(name, records, "Service " + name + " is skipped: " + e.getMessage());
    }
    List<ResolvedPartition> partitions = new ArrayList<>(infos.size());
    IndexedService before = previous.service(name).orElse(null);
    for (List<Parsed> group : byPartition.values()) {
      ResolvedPartition p = partition(name, first.serviceKind(), group, problems);
      if (before != null) {
        // keep the instance callers already hold when nothing changed: equal and identical
        ResolvedPartition old = before.partition(p.partition().id()).orElse(null);
        if (p.equals(old)) {
          p = old;
        }
      }
      replicaCount += p.replicas().size();
      partitions.add(p);
    }
    return new IndexedService(name, first.application(), first.serviceKind(), table, partitions);
  }

  /**
   * One partition from its records: the highest version any of them carries, the UP replicas
   * (primary first, one primary at most: another UP primary is reported and ignored).
   */
  static ResolvedPartition partition(
      FabricName name, ServiceKind kind, List<Parsed> group, List<IndexProblem> problems) {
    PartitionVersion version = group.get(0).metadata().version();
    List<Parsed> primaries = new ArrayList<>(1);
    List<Parsed> others = new ArrayList<>(group.size());
    for (Parsed p : group) {
      PartitionVersion v = p.metadata().version();
      if (v.isNewerThan(version)) {
        version = v;
      }
      if (!p.up()) {
        continue;
      }
      if (p.role() == ReplicaRole.STATEFUL_PRIMARY) {
        primaries.add(p);
      } else {
        others.add(p);
      }
    }
    List<ResolvedReplica> replicas = new ArrayList<>(primaries.size() + others.size());
    if (!primaries.isEmpty()) {
      primaries.sort(
          Comparator.comparing(
                  (Parsed p) -> p.metadata().version(),
                  (a, b) -> a.isNewerThan(b) ? -1 : b.isNewerThan(a) ? 1 : 0)
              .thenComparing(p -> p.instance().id()));
      replicas.add(primaries.get(0).replica());
      for (Parsed extra : primaries.subList(1, primaries.size())) {
        problems.add(
            new IndexProblem(
                IndexProblem.Effect.REPLICA_IGNORED,
                name.toString(),
                List.of(extra.instance().id()),
                "Partition "
                    + version.partitionId()
                    + " of "
                    + name
                    + " has more than one UP primary; record "
                    + extra.instance().id()
                    + " is ignored in favour of "
                    + primaries.get(0).instance().id()
                    + " (newer version or lower id)"));
      }
    }
    others.sort(BY_REPLICA_ID);
    for (Parsed p : others) {
      replicas.add(p.replica());
    }
    return new ResolvedPartition(
        name, kind, group.get(0).metadata().partition(), version, replicas);
  }

  private static boolean sameShape(PartitionInfo a, PartitionInfo b) {
    if (a.kind() != b.kind()) {
      return false;
    }
    if (a instanceof PartitionInfo.Int64Range) {
      PartitionInfo.Int64Range x = (PartitionInfo.Int64Range) a;
      PartitionInfo.Int64Range y = (PartitionInfo.Int64Range) b;
      return x.low() == y.low() && x.high() == y.high();
    }
    if (a instanceof PartitionInfo.Named) {
      return ((PartitionInfo.Named) a).name().equals(((PartitionInfo.Named) b).name());
    }
    return true;
  }

  private IndexedService skip(FabricName name, List<Parsed> records, String message) {
    List<String> ids = new ArrayList<>(records.size());
    for (Parsed p : records) {
      ids.add(p.instance().id());
    }
    problems.add(
        new IndexProblem(IndexProblem.Effect.SERVICE_SKIPPED, name.toString(), ids, message));
    return null;
  }
}
