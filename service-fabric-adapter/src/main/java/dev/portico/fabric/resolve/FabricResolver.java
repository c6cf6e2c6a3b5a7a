package dev.portico.fabric.resolve;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.discovery.RegistryWatcher;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.ListenerSelection;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionVersion;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service Fabric's client-side resolution over the discovery registry.
 *
 * <p>The resolver holds a {@link FabricIndex}, an immutable value swapped atomically by {@link
 * #update}; that index is the cache of resolved partitions, keyed by service and partition id.
 * {@link #resolve} and {@link #target} read it lock-free from any thread and never touch the
 * registry. Re-resolution is complaint-based, as in Service Fabric: after a failed call the caller
 * hands back the partition it used, and gets a newer one if the registry has it.
 */
public final class FabricResolver {

  private static final Logger log = LoggerFactory.getLogger(FabricResolver.class);

  private final AtomicReference<FabricIndex> index = new AtomicReference<>(FabricIndex.EMPTY);
  private final Supplier<Future<RegistrySnapshot>> refresh;

  /**
   * Partitions {@link #learn learnt} from complaint-driven re-resolutions (lower-case ids), kept
   * over index rebuilds until a registry snapshot has them at the same version or newer: the
   * records are written already, but the snapshot that shows them may still be on its way.
   */
  private final Map<String, ResolvedPartition> learnt = new ConcurrentHashMap<>();

  /**
   * @param refresh forces a re-read of the registry and completes with a snapshot reflecting every
   *     write completed before the call ({@link RegistryWatcher#refresh()})
   */
  public FabricResolver(Supplier<Future<RegistrySnapshot>> refresh) {
    this.refresh = Objects.requireNonNull(refresh, "refresh");
  }

  /**
   * A resolver kept current by {@code watcher}: it indexes the watcher's current snapshot now and
   * every new one from {@link RegistryWatcher#onChange}, and refreshes through it on complaints.
   */
  public static FabricResolver attach(RegistryWatcher watcher) {
    FabricResolver resolver = new FabricResolver(watcher::refresh);
    watcher.onChange(resolver::update);
    resolver.update(watcher.current());
    return resolver;
  }

  /**
   * Indexes {@code snapshot} and makes it current, unless the current index is already built from
   * this or a later snapshot (snapshot versions come from one watcher and only grow). Called off
   * the request path, e.g. from the watcher's {@code onChange}.
   *
   * @return the index in force afterwards
   */
  public FabricIndex update(RegistrySnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    while (true) {
      FabricIndex current = index.get();
      if (snapshot.version() <= current.snapshotVersion()) {
        return current;
      }
      FabricIndex next = withLearnt(FabricIndex.build(snapshot, current));
      if (index.compareAndSet(current, next)) {
        if (!next.problems().isEmpty() && !next.problems().equals(current.problems())) {
          log.warn(
              "Service Fabric records with problems in registry snapshot {}: {}",
              snapshot.version(),
              next.problems());
        }
        return next;
      }
    }
  }

  /** The index in force. */
  public FabricIndex index() {
    return index.get();
  }

  /**
   * Takes in the records of one partition as a complaint-driven re-resolution just wrote them
   * (every record of the partition), ahead of the registry snapshot that will show them: the index
   * in force gets the partition at once, and keeps it over rebuilds from older snapshots. Never
   * goes back: when the index already has the partition at this version or a newer one, that is the
   * answer.
   *
   * @return the partition as it now resolves ({@link ResolutionFailure.NoReplica} when it has no UP
   *     replica), or a failure when the records are not of one partition of {@code service}
   */
  public Resolution learn(FabricName service, List<ServiceInstance> records) {
    Objects.requireNonNull(service, "service");
    List<IndexBuilder.Parsed> group = new ArrayList<>(records.size());
    for (ServiceInstance r : records) {
      IndexBuilder.Parsed p = IndexBuilder.parse(r);
      if (p != null && p.metadata().service().equals(service)) {
        group.add(p);
      }
    }
    PartitionKey anyKey = PartitionKey.none();
    if (group.isEmpty()
        || group.stream()
                .map(p -> IndexedService.lower(p.metadata().partition().id()))
                .distinct()
                .count()
            != 1) {
      return ResolutionFailure.ServiceNotFound.of(service, anyKey);
    }
    List<IndexProblem> problems = new ArrayList<>();
    ResolvedPartition learntNow =
        IndexBuilder.partition(service, group.get(0).metadata().serviceKind(), group, problems);
    String pid = IndexedService.lower(learntNow.partition().id());
    learnt.merge(
        pid, learntNow, (old, now) -> now.version().isNewerThan(old.version()) ? now : old);
    while (true) {
      FabricIndex current = index.get();
      ResolvedPartition indexed =
          current.service(service).flatMap(s -> s.partition(pid)).orElse(null);
      if (indexed != null && !learntNow.version().isNewerThan(indexed.version())) {
        learnt.remove(pid, learntNow);
        return withReplicas(indexed, learntNow.representativeKey());
      }
      FabricIndex next = current.withPartition(learntNow);
      if (next == null) {
        // the index does not describe this partition so: the registry's next snapshot decides
        learnt.remove(pid, learntNow);
        return withReplicas(learntNow, learntNow.representativeKey());
      }
      if (index.compareAndSet(current, next)) {
        return withReplicas(learntNow, learntNow.representativeKey());
      }
    }
  }

  /**
   * What replaces {@code previous} in the index in force when it has something newer (or, when the
   * partition id is gone, what {@code key} resolves to now); null when it has nothing newer. No
   * I/O.
   */
  public Resolution newerThan(ResolvedPartition previous, PartitionKey key) {
    return newer(index.get(), previous, key);
  }

  /**
   * Learnt partitions the snapshot's index is older on replace its own; the others are forgotten.
   */
  private FabricIndex withLearnt(FabricIndex built) {
    if (learnt.isEmpty()) {
      return built;
    }
    FabricIndex out = built;
    for (Map.Entry<String, ResolvedPartition> e : learnt.entrySet()) {
      ResolvedPartition p = e.getValue();
      ResolvedPartition indexed =
          out.service(p.service()).flatMap(s -> s.partition(e.getKey())).orElse(null);
      FabricIndex next =
          indexed != null && p.version().isNewerThan(indexed.version())
              ? out.withPartition(p)
              : null;
      if (next == null) {
        learnt.remove(e.getKey(), p);
      } else {
        out = next;
      }
    }
    return out;
  }

  /** The partition owning {@code key} in {@code service}, or a typed failure. Lock-free, no I/O. */
  public Resolution resolve(FabricName service, PartitionKey key) {
    return index.get().resolve(service, key);
  }

  /**
   * Resolves and then picks a replica and its listener ({@code selector} null: the service kind's
   * default), with a thread-local random source.
   */
  public TargetResolution target(
      FabricName service,
      PartitionKey key,
      ReplicaSelector selector,
      Optional<String> listenerName,
      ListenerSelection mode) {
    Resolution r = resolve(service, key);
    if (r instanceof ResolutionFailure) {
      return (ResolutionFailure) r;
    }
    return ((ResolvedPartition) r)
        .target(selector, listenerName, mode, ThreadLocalRandom.current());
  }

  /**
   * Picks a replica and listener of an already resolved partition (e.g. one from {@link
   * #reresolve}).
   */
  public static TargetResolution target(
      ResolvedPartition partition,
      ReplicaSelector selector,
      Optional<String> listenerName,
      ListenerSelection mode,
      RandomGenerator random) {
    return partition.target(selector, listenerName, mode, random);
  }

  /**
   * {@link #reresolve(ResolvedPartition, PartitionKey)} with a key inside the previous partition.
   */
  public Future<Resolution> reresolve(ResolvedPartition previous) {
    return reresolve(previous, previous.representativeKey());
  }

  /**
   * Complaint-based re-resolution after a call to {@code previous} failed. Completes (never fails)
   * with:
   *
   * <ul>
   *   <li>the partition from the index when its version is newer than {@code previous}'s; or, when
   *       the partition id is gone from the service, the partition {@code key} resolves to now (a
   *       different partition id is not comparable, so it counts as new);
   *   <li>otherwise, after forcing one registry refresh, the same comparison again; if still not
   *       newer, the partition as the index has it at the same version, or {@code previous} itself
   *       when the index only has an older version (resolution never goes back);
   *   <li>a failure when the service is gone or {@code key} resolves to nothing (decided only after
   *       the refresh), or when the partition's newest version has no UP replica.
   * </ul>
   *
   * It never blocks; when the refresh fails, the current index answers.
   */
  public Future<Resolution> reresolve(ResolvedPartition previous, PartitionKey key) {
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(key, "key");
    Resolution newer = newer(index.get(), previous, key);
    if (newer != null) {
      return Future.succeededFuture(newer);
    }
    Future<RegistrySnapshot> refreshed;
    try {
      refreshed = refresh.get();
    } catch (RuntimeException e) {
      refreshed = Future.failedFuture(e);
    }
    return refreshed.transform(
        ar -> {
          if (ar.succeeded()) {
            update(ar.result());
          } else {
            log.debug(
                "registry refresh for a re-resolution of {} failed: {}",
                previous,
                ar.cause().toString());
          }
          FabricIndex now = index.get();
          Resolution after = newer(now, previous, key);
          return Future.succeededFuture(after != null ? after : notNewer(now, previous, key));
        });
  }

  /** What replaces {@code previous} when the index has something newer; null when it has not. */
  private static Resolution newer(FabricIndex idx, ResolvedPartition previous, PartitionKey key) {
    IndexedService service = idx.service(previous.service()).orElse(null);
    if (service == null) {
      return null;
    }
    ResolvedPartition current = service.partition(previous.partition().id()).orElse(null);
    if (current == null) {
      // a failure is not a replacement: the index may be caught between two writes (records of
      // a recreated service half removed, half published), so it only counts after a refresh
      Resolution now = service.resolve(key);
      return now instanceof ResolvedPartition ? now : null;
    }
    if (current.version().compareWith(previous.version()) == PartitionVersion.Order.NEWER) {
      return withReplicas(current, key);
    }
    return null;
  }

  private static Resolution notNewer(
      FabricIndex idx, ResolvedPartition previous, PartitionKey key) {
    IndexedService service = idx.service(previous.service()).orElse(null);
    if (service == null) {
      return ResolutionFailure.ServiceNotFound.of(previous.service(), key);
    }
    ResolvedPartition current = service.partition(previous.partition().id()).orElse(null);
    if (current == null) {
      return service.resolve(key);
    }
    return current.version().compareWith(previous.version()) == PartitionVersion.Order.SAME
        ? withReplicas(current, key)
        : previous;
  }

  private static Resolution withReplicas(ResolvedPartition p, PartitionKey key) {
    return p.hasReplicas()
        ? p
        : new ResolutionFailure.NoReplica(
            p.service(),
            p.partition().id(),
            Optional.empty(),
            "Service "
                + p.service()
                + ", key "
                + key
                + ": partition "
                + p.partition().id()
                + " has no UP replicas");
  }
}
