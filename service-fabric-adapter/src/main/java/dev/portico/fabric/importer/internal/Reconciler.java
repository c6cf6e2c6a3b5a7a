package dev.portico.fabric.importer.internal;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.registry.FabricPartitionMetadata;
import dev.portico.fabric.registry.FabricRecords;
import dev.portico.fabric.registry.FabricReplicaMetadata;
import dev.portico.fabric.registry.ReplicaRecord;
import dev.portico.fabric.registry.UnpublishableReplicaException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/**
 * Plans the registry writes that bring an importer's records in line with a {@link
 * ClusterObservation}. Pure: it reads nothing and writes nothing.
 *
 * <p>Per resolved partition, the endpoints seen are matched to the existing records: same role and
 * address first, then same address (a promotion), then same role (a move), then anything left, so a
 * moved or promoted replica keeps its registry id. When anything in a partition changed, every
 * record of the partition is rewritten with one new generation, so all of them carry the
 * partition's version and a removal can never lower it. The new generation is above both the
 * highest one seen and the current time in milliseconds, so it also grows across records removed
 * and re-published and across importer restarts.
 *
 * <p>A listed partition with no replica to publish (resolved to no endpoint, or not resolvable, and
 * no records yet) gets an offline-partition record instead, so that its range or name stays in the
 * partition table: a key it owns is then "no replica" (503), not "no such partition" (400).
 *
 * <p>The writes of one partition are kept together ({@link PartitionWrites}), so that they can be
 * written in one registry batch: a reader never sees a partition half rewritten (its old primary
 * removed, its new one not yet published).
 */
public final class Reconciler {

  private Reconciler() {}

  public record Update(String id, InstanceSpec spec) {}

  public record Unpublish(String id, String reason) {}

  /** The writes of one partition, to be applied together. */
  public record PartitionWrites(
      String partitionId,
      List<Unpublish> unpublish,
      List<Update> update,
      List<InstanceSpec> publish) {
    public int size() {
      return unpublish.size() + update.size() + publish.size();
    }
  }

  /**
   * @param partitions per partition with a change, its writes
   * @param strays records to remove that belong to no partition (unreadable ones)
   * @param unchanged records already right
   * @param kept records left alone because their part of the cluster could not be read
   * @param replicas endpoints the observation holds
   * @param offline listed partitions recorded as offline (no replica to publish)
   * @param problems endpoints or partitions that could not be turned into records
   */
  public record Plan(
      List<PartitionWrites> partitions,
      List<Unpublish> strays,
      int unchanged,
      int kept,
      int replicas,
      int offline,
      List<String> problems) {
    public boolean isEmpty() {
      return partitions.isEmpty() && strays.isEmpty();
    }

    public List<InstanceSpec> publish() {
      List<InstanceSpec> out = new ArrayList<>();
      partitions.forEach(p -> out.addAll(p.publish()));
      return out;
    }

    public List<Update> update() {
      List<Update> out = new ArrayList<>();
      partitions.forEach(p -> out.addAll(p.update()));
      return out;
    }

    public List<Unpublish> unpublish() {
      List<Unpublish> out = new ArrayList<>(strays);
      partitions.forEach(p -> out.addAll(p.unpublish()));
      return out;
    }
  }

  private record Want(ReplicaRole role, String address) {}

  private record Pair(ReplicaRecord.Valid existing, Want want) {}

  /** An importer's records of one partition. */
  private static final class Existing {
    final List<ReplicaRecord.Valid> replicas = new ArrayList<>(3);
    final List<ReplicaRecord.OfflinePartition> offline = new ArrayList<>(1);

    long highestGeneration() {
      long highest = 0;
      for (ReplicaRecord.Valid v : replicas) {
        highest = Math.max(highest, v.metadata().generation());
      }
      for (ReplicaRecord.OfflinePartition o : offline) {
        highest = Math.max(highest, o.metadata().generation());
      }
      return highest;
    }

    int size() {
      return replicas.size() + offline.size();
    }
  }

  public static Plan plan(
      String source,
      ClusterObservation observation,
      List<ServiceInstance> owned,
      long nowMillis,
      Supplier<String> newReplicaId) {
    List<PartitionWrites> writes = new ArrayList<>();
    List<Unpublish> strays = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int unchanged = 0;
    int kept = 0;
    int replicas = 0;
    int offline = 0;

    Map<String, Existing> byPartition = new LinkedHashMap<>();
    for (ServiceInstance instance : owned) {
      ReplicaRecord record = FabricRecords.fromInstance(instance);
      if (record instanceof ReplicaRecord.Valid v) {
        byPartition
            .computeIfAbsent(lower(v.metadata().partition().id()), k -> new Existing())
            .replicas
            .add(v);
      } else if (record instanceof ReplicaRecord.OfflinePartition o) {
        byPartition
            .computeIfAbsent(lower(o.metadata().partition().id()), k -> new Existing())
            .offline
            .add(o);
      } else {
        strays.add(
            new Unpublish(
                instance.id(),
                record instanceof ReplicaRecord.Malformed m
                    ? m.problem()
                    : "record has no Service Fabric metadata"));
      }
    }

    Set<String> seen = new HashSet<>();
    for (ClusterObservation.ObservedPartition p : observation.partitions()) {
      String pid = lower(p.partition().id());
      if (!seen.add(pid)) {
        continue;
      }
      Existing existing = byPartition.remove(pid);
      if (existing == null) {
        existing = new Existing();
      }
      Map<String, String> extra =
          Map.of(FabricRecords.SOURCE, source, FabricRecords.CLUSTER_VERSION, p.clusterVersion());
      List<Want> wants = new ArrayList<>(p.endpoints().size());
      for (ClusterObservation.ObservedEndpoint e : p.endpoints()) {
        try {
          FabricRecords.toInstanceSpec(metadata(p, e.role(), e.address(), "probe", 0), extra);
          wants.add(new Want(e.role(), e.address()));
        } catch (UnpublishableReplicaException ex) {
          problems.add(ex.getMessage());
        }
      }
      replicas += wants.size();
      if (wants.isEmpty()) {
        if (!existing.replicas.isEmpty()) {
          // Nothing to route to, or nothing learnt: a partition in reconfiguration, or one that
          // could not be resolved this time. Keep what we had.
          if (p.resolved()) {
            problems.add(
                "Partition "
                    + p.partition().id()
                    + " of "
                    + p.service()
                    + " resolved to no usable endpoint; its records are kept");
          }
          kept += existing.size();
          continue;
        }
        if (!p.resolved() && !existing.offline.isEmpty()) {
          // could not be resolved again: the offline record stays as it is
          kept += existing.size();
          offline++;
          continue;
        }
        PartitionWrites w = offline(p, existing, extra, nowMillis);
        offline++;
        if (w == null) {
          unchanged += existing.size();
        } else {
          writes.add(w);
        }
        continue;
      }

      List<ReplicaRecord.Valid> left = new ArrayList<>(existing.replicas);
      left.sort(
          Comparator.comparing((ReplicaRecord.Valid v) -> v.metadata().replicaId())
              .thenComparing(v -> v.instance().id()));
      List<Pair> pairs = new ArrayList<>();
      match(
          left,
          wants,
          pairs,
          (r, w) -> r.metadata().role() == w.role() && r.metadata().address().equals(w.address()));
      match(left, wants, pairs, (r, w) -> r.metadata().address().equals(w.address()));
      match(left, wants, pairs, (r, w) -> r.metadata().role() == w.role());
      match(left, wants, pairs, (r, w) -> true);

      boolean changed = !wants.isEmpty() || !left.isEmpty() || !existing.offline.isEmpty();
      Set<Long> generations = new HashSet<>();
      for (Pair pair : pairs) {
        FabricReplicaMetadata m = pair.existing().metadata();
        changed |=
            m.role() != pair.want().role()
                || !m.address().equals(pair.want().address())
                || !m.application().equals(p.application())
                || m.serviceKind() != p.serviceKind()
                || !m.partition().equals(p.partition());
        generations.add(m.generation());
      }
      changed |= generations.size() > 1;
      if (!changed) {
        unchanged += pairs.size();
        continue;
      }
      long generation = Math.max(existing.highestGeneration() + 1, nowMillis);
      List<Update> update = new ArrayList<>(pairs.size());
      for (Pair pair : pairs) {
        ReplicaRecord.Valid v = pair.existing();
        InstanceSpec spec =
            FabricRecords.toInstanceSpec(
                metadata(
                    p,
                    pair.want().role(),
                    pair.want().address(),
                    v.metadata().replicaId(),
                    generation),
                extra);
        // an operator's DOWN / OUT_OF_SERVICE survives the importer's rewrites
        update.add(new Update(v.instance().id(), spec.withStatus(v.instance().status())));
      }
      List<InstanceSpec> publish = new ArrayList<>(wants.size());
      for (Want w : wants) {
        publish.add(
            FabricRecords.toInstanceSpec(
                metadata(p, w.role(), w.address(), newReplicaId.get(), generation), extra));
      }
      List<Unpublish> unpublish = new ArrayList<>(left.size() + existing.offline.size());
      for (ReplicaRecord.Valid v : left) {
        unpublish.add(
            new Unpublish(
                v.instance().id(),
                "replica "
                    + v.metadata().replicaId()
                    + " of "
                    + p.service()
                    + " partition "
                    + p.partition().id()
                    + " is no longer resolved"));
      }
      for (ReplicaRecord.OfflinePartition o : existing.offline) {
        unpublish.add(
            new Unpublish(
                o.instance().id(),
                "partition " + p.partition().id() + " of " + p.service() + " has replicas again"));
      }
      writes.add(new PartitionWrites(pid, unpublish, update, publish));
    }

    for (Map.Entry<String, Existing> e : byPartition.entrySet()) {
      List<Unpublish> unpublish = new ArrayList<>();
      List<FabricPartitionMetadata> all = new ArrayList<>();
      e.getValue().replicas.forEach(v -> all.add(v.metadata().partitionMetadata()));
      e.getValue().offline.forEach(o -> all.add(o.metadata()));
      List<ServiceInstance> instances = new ArrayList<>();
      e.getValue().replicas.forEach(v -> instances.add(v.instance()));
      e.getValue().offline.forEach(o -> instances.add(o.instance()));
      for (int i = 0; i < all.size(); i++) {
        FabricPartitionMetadata m = all.get(i);
        if (observation.unknownPartitions().contains(e.getKey())
            || observation.unknownServices().contains(m.service())
            || observation.unknownApplications().contains(m.application())) {
          kept++;
        } else {
          unpublish.add(
              new Unpublish(
                  instances.get(i).id(),
                  "partition "
                      + m.partition().id()
                      + " of "
                      + m.service()
                      + " is no longer in the cluster"));
        }
      }
      if (!unpublish.isEmpty()) {
        writes.add(new PartitionWrites(e.getKey(), unpublish, List.of(), List.of()));
      }
    }
    return new Plan(writes, strays, unchanged, kept, replicas, offline, problems);
  }

  /**
   * The partition has no replica record and no replica to publish: one offline-partition record
   * (the first one kept, others removed, rewritten when it describes the partition otherwise); null
   * when it is already right.
   */
  private static PartitionWrites offline(
      ClusterObservation.ObservedPartition p,
      Existing existing,
      Map<String, String> extra,
      long nowMillis) {
    String pid = lower(p.partition().id());
    FabricPartitionMetadata now =
        new FabricPartitionMetadata(
            p.application(), p.service(), p.serviceKind(), p.partition(), 0, 0);
    List<Unpublish> unpublish = new ArrayList<>();
    for (int i = 1; i < existing.offline.size(); i++) {
      unpublish.add(
          new Unpublish(
              existing.offline.get(i).instance().id(),
              "a second offline record of partition " + p.partition().id() + " of " + p.service()));
    }
    if (!existing.offline.isEmpty()) {
      ReplicaRecord.OfflinePartition first = existing.offline.get(0);
      FabricPartitionMetadata m = first.metadata();
      boolean same =
          m.application().equals(now.application())
              && m.serviceKind() == now.serviceKind()
              && m.partition().equals(now.partition())
              && p.clusterVersion()
                  .equals(first.instance().metadata(FabricRecords.CLUSTER_VERSION));
      if (same && unpublish.isEmpty()) {
        return null;
      }
      long generation =
          same ? m.generation() : Math.max(existing.highestGeneration() + 1, nowMillis);
      List<Update> update =
          same
              ? List.of()
              : List.of(
                  new Update(
                      first.instance().id(),
                      FabricRecords.toOfflinePartitionSpec(
                          withGeneration(now, generation), extra)));
      return new PartitionWrites(pid, unpublish, update, List.of());
    }
    long generation = Math.max(existing.highestGeneration() + 1, nowMillis);
    return new PartitionWrites(
        pid,
        unpublish,
        List.of(),
        List.of(FabricRecords.toOfflinePartitionSpec(withGeneration(now, generation), extra)));
  }

  private static FabricPartitionMetadata withGeneration(
      FabricPartitionMetadata m, long generation) {
    return new FabricPartitionMetadata(
        m.application(), m.service(), m.serviceKind(), m.partition(), generation, 0);
  }

  private static FabricReplicaMetadata metadata(
      ClusterObservation.ObservedPartition p,
      ReplicaRole role,
      String address,
      String replicaId,
      long generation) {
    return new FabricReplicaMetadata(
        p.application(),
        p.service(),
        p.serviceKind(),
        p.partition(),
        role,
        replicaId,
        address,
        generation,
        0);
  }

  /** Pairs each wanted endpoint with the first remaining record satisfying {@code fits}. */
  private static void match(
      List<ReplicaRecord.Valid> left,
      List<Want> wants,
      List<Pair> pairs,
      BiPredicate<ReplicaRecord.Valid, Want> fits) {
    for (Iterator<Want> wi = wants.iterator(); wi.hasNext(); ) {
      Want w = wi.next();
      for (Iterator<ReplicaRecord.Valid> ri = left.iterator(); ri.hasNext(); ) {
        ReplicaRecord.Valid r = ri.next();
        if (fits.test(r, w)) {
          pairs.add(new Pair(r, w));
          ri.remove();
          wi.remove();
          break;
        }
      }
    }
  }

  static String lower(String id) {
    return id.toLowerCase(Locale.ROOT);
  }

  /** For tests and diagnostics: the statuses an offline record never has but a replica may. */
  static boolean routable(InstanceStatus status) {
    return status == InstanceStatus.UP;
  }
}
