package dev.portico.gateway.fabric;

import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistrySnapshot;
import dev.portico.discovery.RegistryWatcher;
import dev.portico.fabric.ListenerEndpoint;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionVersion;
import dev.portico.fabric.importer.CycleSummary;
import dev.portico.fabric.importer.FabricImporter;
import dev.portico.fabric.importer.ImporterConfig;
import dev.portico.fabric.importer.ImporterStatus;
import dev.portico.fabric.importer.PartitionRefresh;
import dev.portico.fabric.resolve.FabricIndex;
import dev.portico.fabric.resolve.FabricResolver;
import dev.portico.fabric.resolve.IndexedService;
import dev.portico.fabric.resolve.Resolution;
import dev.portico.fabric.resolve.ResolutionFailure;
import dev.portico.fabric.resolve.ResolvedPartition;
import dev.portico.fabric.resolve.ResolvedReplica;
import dev.portico.gateway.backend.BackendStates;
import dev.portico.gateway.backend.Endpoint;
import dev.portico.gateway.backend.Target;
import dev.portico.gateway.backend.Upstream;
import dev.portico.gateway.fabric.internal.IndexUpdater;
import dev.portico.gateway.fabric.internal.ListenerEndpoints;
import dev.portico.gateway.health.ReadinessCheck;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's Service Fabric naming: the resolver over the registry (its index rebuilt off the
 * event loop whenever the registry snapshot changes, then swapped atomically), the importers that
 * keep the registry in step with real clusters, the parsed listener endpoints, and the breakers of
 * resolved endpoints. The request path only reads the index (one volatile load) and these caches;
 * registry reads happen only for complaint-based re-resolution, and at most one per {@link
 * #MIN_REFRESH_INTERVAL} whatever the number of complaints.
 */
public final class FabricRuntime {

  private static final Logger log = LoggerFactory.getLogger(FabricRuntime.class);

  /**
   * Complaints within this interval share one registry read: a burst of failures (or of responses
   * matching a resolve condition) must not turn into a stream of registry reads and index builds.
   */
  public static final Duration MIN_REFRESH_INTERVAL = Duration.ofMillis(200);

  private record Refresh(long startedNanos, Future<RegistrySnapshot> future) {}

  private final Vertx vertx;
  private final Registry registry;
  private final RegistryWatcher watcher;
  private final BackendStates states;
  private final List<String> fabricBackends;
  private final List<ImporterConfig> importerConfigs;
  private final FabricResolver resolver;
  private final ListenerEndpoints endpoints = new ListenerEndpoints();
  private final AtomicReference<Refresh> lastRefresh = new AtomicReference<>();

  /** Importers whose first successful import the index includes. */
  private final Set<String> indexed = ConcurrentHashMap.newKeySet();

  private final List<FabricImporter> importers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private IndexUpdater updater;

  /**
   * @param fabricBackends ids of the backends whose endpoints are resolved replicas (their breaker
   *     states are pruned to the endpoints the index still has); none: the index is not maintained
   *     at all
   * @param importers one per distinct cluster
   */
  public FabricRuntime(
      Vertx vertx,
      Registry registry,
      RegistryWatcher watcher,
      BackendStates states,
      List<String> fabricBackends,
      List<ImporterConfig> importers) {
    this.vertx = vertx;
    this.registry = registry;
    this.watcher = watcher;
    this.states = states;
    this.fabricBackends = List.copyOf(fabricBackends);
    this.importerConfigs = List.copyOf(importers);
    this.resolver = new FabricResolver(this::refreshForComplaint);
  }

  /**
   * Indexes the watcher's current snapshot (off the event loop) and follows its changes; then
   * starts the importers. Call on the gateway verticle's context, after the watcher started.
   */
  public Future<Void> start() {
    Context context = vertx.getOrCreateContext();
    updater = new IndexUpdater(context, resolver, this::indexSwapped);
    if (fabricBackends.isEmpty()) {
      // nothing resolves: no Service Fabric backend, no reverse-proxy listener, no importer
      return Future.succeededFuture();
    }
    watcher.onChange(updater::submit);
    return updater
        .submit(watcher.current())
        .compose(
            v -> {
              List<Future<Void>> started = new ArrayList<>();
              for (ImporterConfig c : importerConfigs) {
                // on a worker context: a cycle over a big cluster plans thousands of writes
                started.add(
                    FabricImporter.deploy(vertx, registry, c)
                        .compose(
                            importer -> {
                              importer.onCycle(summary -> indexFirstImport(c.name(), summary));
                              importers.add(importer);
                              log.info(
                                  "Service Fabric importer '{}' started: {} every {}{}",
                                  c.name(),
                                  c.managementEndpoints(),
                                  c.interval(),
                                  c.tls() == null ? "" : " (" + c.tls().summary() + ")");
                              return importer.start();
                            }));
              }
              return Future.all(started).mapEmpty();
            });
  }

  /**
   * Stops the importers (their records stay: a restarted importer of the same name takes them
   * over).
   */
  public Future<Void> stop() {
    List<Future<Void>> stopped = new ArrayList<>();
    for (FabricImporter i : importers) {
      stopped.add(i.stop());
    }
    return Future.join(stopped).mapEmpty();
  }

  /** The index in force: an immutable value, read lock-free. */
  public FabricIndex index() {
    return resolver.index();
  }

  /**
   * Complaint-based re-resolution ({@link FabricResolver#reresolve(ResolvedPartition,
   * PartitionKey)}): a newer partition when the index (or, after one shared registry read, the
   * registry) has one. Never fails; may complete on another thread than the caller's.
   */
  public Future<Resolution> reresolve(ResolvedPartition previous, PartitionKey key) {
    return resolver.reresolve(previous, key);
  }

  /**
   * Complaint-driven re-resolution: a request found {@code previous}'s endpoint stale (connection
   * failure, timeout, 410, 503, a 404 not marked {@code X-ServiceFabric: ResourceNotFound}).
   *
   * <ul>
   *   <li>the index has a newer partition already: that one;
   *   <li>else, for a partition an importer imported: that importer asks the cluster now ({@code
   *       ResolvePartition} with {@code PreviousRspVersion}, at most once per partition per
   *       re-resolve interval, complaints meanwhile sharing the answer) and writes a move to the
   *       registry; the index takes the move in at once, so the resend and every request after it
   *       go to the new replica, not only this one. When the cluster says nothing moved (or cannot
   *       be asked), the partition as the index has it;
   *   <li>else (records from another publisher): one shared registry read, as {@link #reresolve}
   *       does.
   * </ul>
   *
   * Never fails; may complete on another thread than the caller's.
   */
  public Future<Resolution> complain(ResolvedPartition previous, PartitionKey key) {
    Resolution newer = resolver.newerThan(previous, key);
    if (newer != null) {
      return Future.succeededFuture(newer);
    }
    String pid = previous.partition().id();
    FabricImporter importer = importerOf(pid);
    if (importer == null) {
      return resolver.reresolve(previous, key);
    }
    return importer
        .reresolve(pid)
        .compose(
            refresh -> {
              if (refresh instanceof PartitionRefresh.Changed changed) {
                return Future.succeededFuture(
                    resolver.learn(previous.service(), changed.records()));
              }
              if (refresh instanceof PartitionRefresh.Unknown) {
                return resolver.reresolve(previous, key);
              }
              if (refresh instanceof PartitionRefresh.Failed failed) {
                log.debug(
                    "complaint-driven re-resolution of partition {} of {} failed: {}",
                    pid,
                    previous.service(),
                    failed.reason());
              }
              // the cluster says nothing moved (or cannot say): a newer partition may still have
              // come in meanwhile
              Resolution now = resolver.newerThan(previous, key);
              return Future.succeededFuture(now != null ? now : current(previous, key));
            });
  }

  private FabricImporter importerOf(String partitionId) {
    for (FabricImporter i : importers) {
      if (i.imports(partitionId)) {
        return i;
      }
    }
    return null;
  }

  /**
   * What the index in force says now about {@code previous}'s partition, without reading the
   * registry: the partition as indexed (the same, or newer), or what {@code key} resolves to when
   * the partition is gone. For complaints about responses: a service that answered is alive, so
   * only a change the gateway already knows of can make a resend worthwhile.
   */
  public Resolution current(ResolvedPartition previous, PartitionKey key) {
    Optional<IndexedService> service = index().service(previous.service());
    if (service.isEmpty()) {
      return new ResolutionFailure.ServiceNotFound(
          previous.service(),
          key,
          "Service " + previous.service() + " is no longer registered (key " + key + ")");
    }
    Optional<ResolvedPartition> now = service.get().partition(previous.partition().id());
    if (now.isEmpty()) {
      return service.get().resolve(key);
    }
    return now.get().version().compareWith(previous.version()) == PartitionVersion.Order.OLDER
        ? previous
        : now.get();
  }

  /**
   * The target for {@code listener} of {@code replica} under {@code upstream}'s settings and
   * breakers; null when unusable.
   */
  public Target target(Upstream upstream, ResolvedReplica replica, ListenerEndpoint listener) {
    Endpoint e = endpoints.of(replica, listener);
    return e == null ? null : new Target(upstream, e, states.state(upstream, e.key()), e.key());
  }

  /** The importers' states, for health and diagnostics. */
  public List<ImporterStatus> importerStatuses() {
    List<ImporterStatus> out = new ArrayList<>();
    for (FabricImporter i : importers) {
      out.add(i.status());
    }
    return out;
  }

  /**
   * One readiness check per importer, named {@code serviceFabric:<importer>}: not ready before its
   * first successful import; degraded while its data is stale (the detail gives the age).
   */
  public List<ReadinessCheck> readinessChecks() {
    List<ReadinessCheck> checks = new ArrayList<>();
    for (FabricImporter importer : importers) {
      String name = importer.config().name();
      checks.add(
          new ReadinessCheck(
              "serviceFabric:" + name, () -> readiness(importer.status(), indexed.contains(name))));
    }
    return checks;
  }

  /**
   * Ready means requests route through the import: after an importer's first successful cycle, the
   * index is rebuilt from the registry at once (rather than when the announcements arrive) and only
   * then does its readiness check pass.
   */
  private void indexFirstImport(String importer, CycleSummary summary) {
    if (summary.outcome() == CycleSummary.Outcome.FAILED || indexed.contains(importer)) {
      return;
    }
    watcher
        .refresh()
        .compose(updater::submit)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                indexed.add(importer);
              } else {
                log.warn(
                    "Service Fabric importer '{}': indexing its first import failed; the next cycle retries",
                    importer,
                    ar.cause());
              }
            });
  }

  static ReadinessCheck.Result readiness(ImporterStatus s, boolean indexed) {
    Instant now = Instant.now();
    String error = s.lastError() == null ? "" : "; last error: " + s.lastError();
    if (s.lastSuccess() == null) {
      return ReadinessCheck.Result.notReady(
          "no successful import yet ("
              + s.consecutiveFailures()
              + " failed cycle"
              + (s.consecutiveFailures() == 1 ? "" : "s")
              + ")"
              + error);
    }
    long age = Math.max(0, Duration.between(s.lastSuccess(), now).toSeconds());
    if (s.stale()) {
      // the last imported records keep routing: degraded, not unready (every replica sees the same
      // cluster)
      return ReadinessCheck.Result.degraded(
          "stale: last successful import "
              + age
              + " s ago ("
              + s.lastSuccess()
              + "), "
              + s.consecutiveFailures()
              + " failed cycle"
              + (s.consecutiveFailures() == 1 ? "" : "s")
              + " since; the last known records keep serving"
              + error);
    }
    if (!indexed) {
      return ReadinessCheck.Result.notReady(
          "imported " + age + " s ago; the routing index does not include it yet");
    }
    return ReadinessCheck.Result.ok(
        "imported "
            + age
            + " s ago from "
            + s.activeEndpoint()
            + (s.lastCycle() == null ? "" : " (" + s.lastCycle().outcome() + ")"));
  }

  /**
   * Coalesced: complaints within {@link #MIN_REFRESH_INTERVAL} share the registry read of the
   * first.
   */
  private Future<RegistrySnapshot> refreshForComplaint() {
    long now = System.nanoTime();
    Refresh last = lastRefresh.get();
    if (last != null && now - last.startedNanos() < MIN_REFRESH_INTERVAL.toNanos()) {
      return last.future();
    }
    // completes once the index is built from the new snapshot, off the event loop: the resolver's
    // own update(snapshot) then finds nothing left to build
    Future<RegistrySnapshot> f =
        watcher
            .refresh()
            .compose(snapshot -> updater.submit(snapshot).map(snapshot))
            .timeout(10, TimeUnit.SECONDS);
    lastRefresh.set(new Refresh(now, f));
    return f;
  }

  private void indexSwapped(FabricIndex index) {
    Set<String> keys = endpoints.retain(index);
    for (String backend : fabricBackends) {
      states.retainOnly(backend, keys);
    }
  }
}
