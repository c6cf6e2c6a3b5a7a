package dev.portico.fabric.resolve;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionKey;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Service Fabric view of a {@link RegistrySnapshot}: per fabric service, its partition table,
 * and per partition its version and UP replicas. Immutable, so any thread may read it without
 * locks; a registry change builds a new one.
 *
 * <p>Only records with {@code sf.*} metadata count. Partitions come from records of any status (so
 * a key keeps finding its partition while all of the partition's replicas are DOWN) and so does a
 * partition's version (the highest over its records); replicas are the UP records only.
 * Contradicting records never throw: a bad record is skipped, a service whose records contradict
 * each other (mixed kinds, overlapping ranges, one partition described two ways) is left out, and
 * each is listed in {@link #problems()}.
 *
 * <p>Building reuses the parsed form of every record that did not change since the previous index,
 * so rebuilding on each snapshot costs little more than a pass over the records.
 */
public final class FabricIndex {

  /** No services; older than any snapshot. */
  public static final FabricIndex EMPTY = new FabricIndex(-1, Map.of(), List.of(), Map.of(), 0);

  private final long snapshotVersion;
  private final Map<FabricName, IndexedService> services;
  private final List<IndexProblem> problems;
  final Map<String, IndexBuilder.Parsed> parsed; // by record id, for the next build
  private final int replicaCount;

  FabricIndex(
      long snapshotVersion,
      Map<FabricName, IndexedService> services,
      List<IndexProblem> problems,
      Map<String, IndexBuilder.Parsed> parsed,
      int replicaCount) {
    this.snapshotVersion = snapshotVersion;
    this.services = Map.copyOf(services);
    this.problems = List.copyOf(problems);
    this.parsed = Map.copyOf(parsed);
    this.replicaCount = replicaCount;
  }

  public static FabricIndex build(RegistrySnapshot snapshot) {
    return build(snapshot, EMPTY);
  }

  /**
   * Builds the index of {@code snapshot}, reusing what {@code previous} parsed of unchanged
   * records.
   */
  public static FabricIndex build(RegistrySnapshot snapshot, FabricIndex previous) {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(previous, "previous");
    return new IndexBuilder(previous).build(snapshot);
  }

  /** The version of the snapshot this index was built from (-1 for {@link #EMPTY}). */
  public long snapshotVersion() {
    return snapshotVersion;
  }

  public Optional<IndexedService> service(FabricName name) {
    return Optional.ofNullable(services.get(name));
  }

  public Collection<IndexedService> services() {
    return services.values();
  }

  /** What was wrong with the records; empty when all is well. */
  public List<IndexProblem> problems() {
    return problems;
  }

  /** UP replicas over all indexed services. */
  public int replicaCount() {
    return replicaCount;
  }

  /** The partition owning {@code key} in {@code service}, or a typed failure. Lock-free, no I/O. */
  public Resolution resolve(FabricName service, PartitionKey key) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(key, "key");
    IndexedService s = services.get(service);
    return s == null ? ResolutionFailure.ServiceNotFound.of(service, key) : s.resolve(key);
  }

  /**
   * This index with one partition replaced by a newer resolution of it (same snapshot version):
   * what a complaint-driven re-resolution learnt before the registry snapshot shows it. Null when
   * the index has no such partition, or describes it otherwise.
   */
  FabricIndex withPartition(ResolvedPartition p) {
    IndexedService s = services.get(p.service());
    IndexedService replaced = s == null ? null : s.withPartition(p);
    if (replaced == null) {
      return null;
    }
    Map<FabricName, IndexedService> next = new java.util.HashMap<>(services);
    next.put(p.service(), replaced);
    int replicas =
        replicaCount
            - s.partition(p.partition().id()).map(q -> q.replicas().size()).orElse(0)
            + p.replicas().size();
    return new FabricIndex(snapshotVersion, next, problems, parsed, replicas);
  }

  @Override
  public String toString() {
    return "FabricIndex[snapshot "
        + snapshotVersion
        + ", "
        + services.size()
        + " services, "
        + replicaCount
        + " replicas, "
        + problems.size()
        + " problems]";
  }
}
