package dev.portico.fabric.importer.internal;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.ReplicaRole;
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
 * Plans the registry writes that bring an importer's records in line with a
 * {@link ClusterObservation}. Pure: it reads nothing and writes nothing.
 *
 * <p>Per resolved partition, the endpoints seen are matched to the existing records: same role and
 * address first, then same address (a promotion), then same role (a move), then anything left, so
 * a moved or promoted replica keeps its registry id. When anything in a partition changed, every
 * record of the partition is rewritten with one new generation, so all of them carry the
 * partition's version and a removal can never lower it. The new generation is above both the
 * highest one seen and the current time in milliseconds, so it also grows across records removed
 * and re-published and across importer restarts.
 */
public final class Reconciler {

    private Reconciler() {
    }

    public record Update(String id, InstanceSpec spec) {
    }

    public record Unpublish(String id, String reason) {
    }

    /**
     * @param publish   records for replicas not registered yet
     * @param update    records to rewrite in place (moved, promoted, or re-versioned)
     * @param unpublish records of replicas, partitions, services or applications that are gone
     * @param unchanged records already right
     * @param kept      records left alone because their part of the cluster could not be read
     * @param replicas  endpoints the observation holds
     * @param problems  endpoints or partitions that could not be turned into records
     */
    public record Plan(List<InstanceSpec> publish, List<Update> update, List<Unpublish> unpublish, int unchanged,
                       int kept, int replicas, List<String> problems) {
        public boolean isEmpty() {
            return publish.isEmpty() && update.isEmpty() && unpublish.isEmpty();
        }
    }

    private record Want(ReplicaRole role, String address) {
    }

    private record Pair(ReplicaRecord.Valid existing, Want want) {
    }

    public static Plan plan(String source, ClusterObservation observation, List<ServiceInstance> owned,
                            long nowMillis, Supplier<String> newReplicaId) {
        List<InstanceSpec> publish = new ArrayList<>();
        List<Update> update = new ArrayList<>();
        List<Unpublish> unpublish = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int unchanged = 0;
        int kept = 0;
        int replicas = 0;

        Map<String, List<ReplicaRecord.Valid>> byPartition = new LinkedHashMap<>();
        for (ServiceInstance instance : owned) {
            ReplicaRecord record = FabricRecords.fromInstance(instance);
            if (record instanceof ReplicaRecord.Valid) {
                ReplicaRecord.Valid v = (ReplicaRecord.Valid) record;
                byPartition.computeIfAbsent(lower(v.metadata().partition().id()), k -> new ArrayList<>()).add(v);
            } else {
                unpublish.add(new Unpublish(instance.id(), record instanceof ReplicaRecord.Malformed
                        ? ((ReplicaRecord.Malformed) record).problem() : "record has no Service Fabric metadata"));
            }
        }

        Set<String> seen = new HashSet<>();
        for (ClusterObservation.ObservedPartition p : observation.resolved()) {
            String pid = lower(p.partition().id());
            if (!seen.add(pid)) {
                continue;
            }
            List<ReplicaRecord.Valid> existing = byPartition.remove(pid);
            if (existing == null) {
                existing = List.of();
            }
            Map<String, String> extra = Map.of(FabricRecords.SOURCE, source,
                    FabricRecords.CLUSTER_VERSION, p.clusterVersion());
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
                // Resolved but nothing to route to: a partition in reconfiguration. Keep what we had.
                if (!p.endpoints().isEmpty() || !existing.isEmpty()) {
                    problems.add("Partition " + p.partition().id() + " of " + p.service()
                            + " resolved to no usable endpoint; its records are kept");
                }
                kept += existing.size();
                continue;
            }

            List<ReplicaRecord.Valid> left = new ArrayList<>(existing);
            left.sort(Comparator.comparing((ReplicaRecord.Valid v) -> v.metadata().replicaId())
                    .thenComparing(v -> v.instance().id()));
            List<Pair> pairs = new ArrayList<>();
            match(left, wants, pairs, (r, w) -> r.metadata().role() == w.role() && r.metadata().address().equals(w.address()));
            match(left, wants, pairs, (r, w) -> r.metadata().address().equals(w.address()));
            match(left, wants, pairs, (r, w) -> r.metadata().role() == w.role());
            match(left, wants, pairs, (r, w) -> true);

            boolean changed = !wants.isEmpty() || !left.isEmpty();
            long highest = 0;
            Set<Long> generations = new HashSet<>();
            for (Pair pair : pairs) {
                FabricReplicaMetadata m = pair.existing().metadata();
                changed |= m.role() != pair.want().role() || !m.address().equals(pair.want().address())
                        || !m.application().equals(p.application()) || m.serviceKind() != p.serviceKind()
                        || !m.partition().equals(p.partition());
                generations.add(m.generation());
                highest = Math.max(highest, m.generation());
            }
            for (ReplicaRecord.Valid v : left) {
                highest = Math.max(highest, v.metadata().generation());
            }
            changed |= generations.size() > 1;
            if (!changed) {
                unchanged += pairs.size();
                continue;
            }
            long generation = Math.max(highest + 1, nowMillis);
            for (Pair pair : pairs) {
                ReplicaRecord.Valid v = pair.existing();
                InstanceSpec spec = FabricRecords.toInstanceSpec(metadata(p, pair.want().role(), pair.want().address(),
                        v.metadata().replicaId(), generation), extra);
                // an operator's DOWN / OUT_OF_SERVICE survives the importer's rewrites
                update.add(new Update(v.instance().id(), spec.withStatus(v.instance().status())));
            }
            for (Want w : wants) {
                publish.add(FabricRecords.toInstanceSpec(metadata(p, w.role(), w.address(), newReplicaId.get(), generation),
                        extra));
            }
            for (ReplicaRecord.Valid v : left) {
                unpublish.add(new Unpublish(v.instance().id(), "replica " + v.metadata().replicaId() + " of "
                        + p.service() + " partition " + p.partition().id() + " is no longer resolved"));
            }
        }

        for (List<ReplicaRecord.Valid> records : byPartition.values()) {
            for (ReplicaRecord.Valid v : records) {
                FabricReplicaMetadata m = v.metadata();
                if (observation.unknownPartitions().contains(lower(m.partition().id()))
                        || observation.unknownServices().contains(m.service())
                        || observation.unknownApplications().contains(m.application())) {
                    kept++;
                } else {
                    unpublish.add(new Unpublish(v.instance().id(), "partition " + m.partition().id() + " of "
                            + m.service() + " is no longer in the cluster"));
                }
            }
        }
        return new Plan(publish, update, unpublish, unchanged, kept, replicas, problems);
    }

    private static FabricReplicaMetadata metadata(ClusterObservation.ObservedPartition p, ReplicaRole role,
                                                  String address, String replicaId, long generation) {
        return new FabricReplicaMetadata(p.application(), p.service(), p.serviceKind(), p.partition(), role, replicaId,
                address, generation, 0);
    }

    /** Pairs each wanted endpoint with the first remaining record satisfying {@code fits}. */
    private static void match(List<ReplicaRecord.Valid> left, List<Want> wants, List<Pair> pairs,
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

    private static String lower(String id) {
        return id.toLowerCase(Locale.ROOT);
    }
}
