package dev.portico.fabric.importer;

import dev.portico.discovery.Registry;
import dev.portico.discovery.RegistryWrites;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.importer.internal.BoundedParallel;
import dev.portico.fabric.importer.internal.ClusterObservation;
import dev.portico.fabric.importer.internal.ClusterReader;
import dev.portico.fabric.importer.internal.ManagementClient;
import dev.portico.fabric.importer.internal.Reconciler;
import dev.portico.fabric.registry.FabricRecords;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps registry records in step with a real Service Fabric cluster, read over its HTTP management
 * endpoint (applications, services, partitions, ResolvePartition).
 *
 * <p>Each cycle publishes records for new replicas, rewrites records of replicas that moved or
 * changed role (keeping their registry id) and removes records of replicas, partitions, services
 * and applications that are gone. It only ever touches records whose {@code sf.source} is its
 * {@linkplain ImporterConfig#name() name}. Every change to a partition's endpoints gives all of its
 * records a new, higher generation, which is what lets a resolver's complaint-based re-resolution
 * see the move; the cluster's own opaque version is kept as {@code sf.clusterVersion}. A listed
 * partition with no replica to publish gets an offline-partition record, so its range stays known.
 *
 * <p>Writes go to the registry in batches of at most {@link ImporterConfig#batchSize()} records (a
 * partition's writes are never split), one after another, and are announced once per cycle: each
 * announcement makes every watcher re-read the whole registry.
 *
 * <p>Between cycles, {@link #reresolve} re-resolves one partition when a caller complains about it
 * (complaint-based re-resolution, as Service Fabric's clients do, with {@code PreviousRspVersion}):
 * at most once per partition per {@link ImporterConfig#reresolveInterval()}, complaints meanwhile
 * sharing the answer; what changed is written to the registry at once.
 *
 * <p>When the cluster cannot be read, nothing is written: the last known records keep serving, and
 * {@link #status()} reports the failure and, after a while, staleness. A part of the cluster that
 * cannot be read (one service answering 503, say) leaves that part's records as they were.
 *
 * <p>Cycles never overlap; they run on the Vert.x context the importer was created on, and never
 * block it for long: planning a cycle's writes over tens of thousands of records takes a fraction
 * of a second of CPU, which is why the gateway {@linkplain #deploy deploys} importers on a worker
 * context rather than an event loop.
 */
public final class FabricImporter {

  private static final Logger log = LoggerFactory.getLogger(FabricImporter.class);

  private final Vertx vertx;
  private final Registry registry;
  private final ImporterConfig config;
  private final Clock clock;
  private final Context context;
  private final ManagementClient client;
  private final ClusterReader reader;
  private final Supplier<String> replicaIds;
  private final List<Consumer<CycleSummary>> cycleListeners = new CopyOnWriteArrayList<>();

  /**
   * The partitions of the last cycle (lower-case ids), for complaints: where to ask, which records
   * to rewrite.
   */
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();

  /**
   * Complaint-driven re-resolutions by partition: in flight, or done within the re-resolve
   * interval.
   */
  private final Map<String, Complaint> complaints = new ConcurrentHashMap<>();

  /**
   * When a complaint last rewrote a partition: a cycle that read the registry before leaves it
   * alone.
   */
  private final Map<String, Long> complainedAt = new ConcurrentHashMap<>();

  private final AtomicLong complaintCalls = new AtomicLong();
  private final AtomicLong complaintsShared = new AtomicLong();
  private final AtomicLong complaintChanges = new AtomicLong();

  // confined to the context
  private boolean running;
  private boolean stopped;
  private long timerId = -1;
  private Future<CycleSummary> inFlight;
  private Runnable undeploy = () -> {};

  private volatile Instant startedAt;
  private volatile Instant lastAttempt;
  private volatile Instant lastSuccess;
  private volatile String lastError;
  private volatile int consecutiveFailures;
  private volatile CycleSummary lastCycle;
  private volatile boolean runningFlag;

  /** What the importer knows of a partition it imported. */
  private record Tracked(
      FabricName application,
      FabricName service,
      ServiceKind kind,
      String serviceId,
      PartitionInfo partition,
      String clusterVersion,
      List<String> recordIds) {
    Tracked withResult(String version, List<String> ids) {
      return new Tracked(
          application, service, kind, serviceId, partition, version, List.copyOf(ids));
    }
  }

  private record Complaint(long startedNanos, Promise<PartitionRefresh> promise) {}

  private FabricImporter(Vertx vertx, Registry registry, ImporterConfig config, Clock clock) {
    this.vertx = vertx;
    this.registry = registry;
    this.config = config;
    this.clock = clock;
    this.context = vertx.getOrCreateContext();
    this.client = new ManagementClient(vertx, config);
    this.reader = new ClusterReader(client, config);
    this.replicaIds = () -> UUID.randomUUID().toString();
  }

  /**
   * An importer working on the calling context (or a new event-loop context off Vert.x threads).
   */
  public static FabricImporter create(Vertx vertx, Registry registry, ImporterConfig config) {
    return create(vertx, registry, config, Clock.systemUTC());
  }

  static FabricImporter create(Vertx vertx, Registry registry, ImporterConfig config, Clock clock) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    return new FabricImporter(vertx, registry, config, clock);
  }

  /**
   * An importer on a worker context of its own (a worker verticle, undeployed by {@link #stop()}):
   * its cycles plan thousands of registry writes and read the whole registry, work that must not
   * hold an event loop. Not started.
   */
  public static Future<FabricImporter> deploy(
      Vertx vertx, Registry registry, ImporterConfig config) {
    Objects.requireNonNull(config, "config");
    FabricImporter[] made = new FabricImporter[1];
    return vertx
        .deployVerticle(
            new VerticleBase() {
              @Override
              public Future<?> start() {
                made[0] = create(vertx, registry, config);
                return Future.succeededFuture();
              }
            },
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .map(
            id -> {
              made[0].undeploy = () -> vertx.undeploy(id);
              return made[0];
            });
  }

  public ImporterConfig config() {
    return config;
  }

  /**
   * Calls {@code listener} after every cycle, with its summary, on the importer's context; the
   * registry writes of that cycle are complete by then.
   */
  public void onCycle(Consumer<CycleSummary> listener) {
    cycleListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Starts cycling: the first cycle begins at once, each next one {@link ImporterConfig#interval()}
   * after the previous ended. Completes once scheduled; use {@link #status()} to learn when the
   * first import succeeded.
   */
  public Future<Void> start() {
    Promise<Void> started = Promise.promise();
    context.runOnContext(
        v -> {
          if (stopped) {
            started.fail(
                new IllegalStateException(
                    "A stopped importer cannot be restarted; create a new one"));
            return;
          }
          if (!running) {
            running = true;
            runningFlag = true;
            startedAt = clock.instant();
            schedule(0);
          }
          started.tryComplete();
        });
    return started.future();
  }

  /**
   * Stops cycling for good, waits for a cycle in flight, and closes the HTTP client. The records
   * stay in the registry (a restarted importer of the same name takes them over); {@link
   * #removeRecords()} deletes them.
   */
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          running = false;
          stopped = true;
          runningFlag = false;
          if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
          }
          Future<?> pending = inFlight == null ? Future.succeededFuture() : inFlight;
          pending
              .transform(ar -> client.close())
              .onComplete(
                  ar -> {
                    done.tryComplete();
                    undeploy.run();
                  });
        });
    return done.future();
  }

  /**
   * Runs one cycle now, or joins the one in flight. Always succeeds, with the cycle's summary; a
   * failed cycle has outcome FAILED and an error.
   */
  public Future<CycleSummary> runOnce() {
    Promise<CycleSummary> done = Promise.promise();
    context.runOnContext(
        v -> {
          if (inFlight == null) {
            Future<CycleSummary> cycle = cycle();
            inFlight = cycle;
            cycle.onComplete(
                ar -> {
                  if (inFlight == cycle) {
                    inFlight = null;
                  }
                });
          }
          inFlight.onComplete(done);
        });
    return done.future();
  }

  /** The importer's health; cheap, safe from any thread. */
  public ImporterStatus status() {
    Instant now = clock.instant();
    boolean stale = consecutiveFailures >= config.staleAfterFailures();
    Instant since = lastSuccess != null ? lastSuccess : startedAt;
    if (since != null && Duration.between(since, now).compareTo(config.staleAfter()) > 0) {
      stale = true;
    }
    return new ImporterStatus(
        config.name(),
        runningFlag,
        lastAttempt,
        lastSuccess,
        lastError,
        consecutiveFailures,
        stale,
        client.activeEndpoint(),
        lastCycle,
        new ImporterStatus.Complaints(
            complaintCalls.get(), complaintsShared.get(), complaintChanges.get()));
  }

  /** Unpublishes every record of this importer; completes with how many were removed. */
  public Future<Integer> removeRecords() {
    return owned()
        .compose(
            records -> {
              List<String> ids = new ArrayList<>(records.size());
              records.forEach(r -> ids.add(r.id()));
              List<List<String>> batches = new ArrayList<>();
              for (int i = 0; i < ids.size(); i += config.batchSize()) {
                batches.add(ids.subList(i, Math.min(ids.size(), i + config.batchSize())));
              }
              return BoundedParallel.map(
                      batches,
                      1,
                      b -> bounded(registry.write(new RegistryWrites(b, List.of(), List.of()))))
                  .map(results -> results.stream().mapToInt(r -> r.unpublished().size()).sum());
            });
  }

  /**
   * Whether this importer imported the partition {@code partitionId} (and so can re-resolve it).
   */
  public boolean imports(String partitionId) {
    return tracked.containsKey(lower(partitionId));
  }

  /**
   * Complaint-based re-resolution of one partition this importer imported: a caller found its
   * endpoint stale (connection failure, timeout, 410, 503, a 404 not marked as the service's own).
   * Asks the cluster ({@code ResolvePartition} with {@code PreviousRspVersion}) and writes what
   * changed to the registry at once, as one batch. At most one call per partition per {@link
   * ImporterConfig#reresolveInterval()}: complaints in flight or within it share its answer. Never
   * fails; safe from any thread; completes on the caller's context when called on one.
   */
  public Future<PartitionRefresh> reresolve(String partitionId) {
    String pid = lower(partitionId);
    Tracked t = tracked.get(pid);
    if (t == null || !runningFlag) {
      return Future.succeededFuture(new PartitionRefresh.Unknown());
    }
    long now = System.nanoTime();
    long interval = config.reresolveInterval().toNanos();
    Complaint fresh = new Complaint(now, Promise.promise());
    Complaint current =
        complaints.compute(
            pid,
            (k, c) ->
                c != null
                        && (!c.promise().future().isComplete() || now - c.startedNanos() < interval)
                    ? c
                    : fresh);
    if (current != fresh) {
      complaintsShared.incrementAndGet();
      return current.promise().future();
    }
    complaintCalls.incrementAndGet();
    complainedAt.put(pid, now);
    // the cluster is asked from the importer's own context, as its cycles are: a caller's thread
    // (an event loop, or none at all) must not drive the importer's client
    Promise<PartitionRefresh> asked = Promise.promise();
    context.runOnContext(v -> reresolveNow(pid, t).onComplete(asked));
    asked
        .future()
        .onComplete(
            ar -> {
              complainedAt.put(pid, System.nanoTime());
              fresh
                  .promise()
                  .complete(
                      ar.succeeded()
                          ? ar.result()
                          : new PartitionRefresh.Failed(String.valueOf(ar.cause().getMessage())));
              // forget the answer once nobody may share it any more
              vertx.setTimer(
                  Math.max(1, config.reresolveInterval().toMillis()),
                  id -> complaints.remove(pid, fresh));
            });
    return fresh.promise().future();
  }

  private Future<PartitionRefresh> reresolveNow(String pid, Tracked t) {
    return reader
        .resolvePartition(
            t.application(),
            t.service(),
            t.kind(),
            t.serviceId(),
            t.partition(),
            t.clusterVersion())
        .compose(
            resolved ->
                currentRecords(t)
                    .compose(
                        records -> {
                          ClusterObservation observation =
                              new ClusterObservation(
                                  List.of(resolved.partition()),
                                  Set.of(),
                                  Set.of(),
                                  Set.of(),
                                  List.of(),
                                  1,
                                  1,
                                  0);
                          Reconciler.Plan plan =
                              Reconciler.plan(
                                  config.name(), observation, records, clock.millis(), replicaIds);
                          String version = resolved.partition().clusterVersion();
                          if (plan.isEmpty()) {
                            tracked.computeIfPresent(
                                pid, (k, old) -> old.withResult(version, old.recordIds()));
                            return Future.succeededFuture(new PartitionRefresh.Unchanged());
                          }
                          return bounded(registry.write(batch(plan.partitions())))
                              .map(
                                  result -> {
                                    complaintChanges.incrementAndGet();
                                    Map<String, ServiceInstance> after = new HashMap<>();
                                    records.forEach(r -> after.put(r.id(), r));
                                    result.unpublished().forEach(after::remove);
                                    result.updated().forEach(r -> after.put(r.id(), r));
                                    result.published().forEach(r -> after.put(r.id(), r));
                                    tracked.computeIfPresent(
                                        pid,
                                        (k, old) ->
                                            old.withResult(
                                                version, new ArrayList<>(after.keySet())));
                                    if (!result.failures().isEmpty()) {
                                      log.warn(
                                          "Service Fabric importer '{}': re-resolving partition {} of {} on a complaint, some registry"
                                              + " writes failed: {}",
                                          config.name(),
                                          t.partition().id(),
                                          t.service(),
                                          result.failures());
                                    }
                                    log.debug(
                                        "Service Fabric importer '{}': partition {} of {} re-resolved on a complaint: {}",
                                        config.name(),
                                        t.partition().id(),
                                        t.service(),
                                        resolved.partition().endpoints());
                                    return (PartitionRefresh)
                                        new PartitionRefresh.Changed(List.copyOf(after.values()));
                                  });
                        }));
  }

  /**
   * This importer's records of one partition, as the registry has them now (records gone meanwhile
   * are left out).
   */
  private Future<List<ServiceInstance>> currentRecords(Tracked t) {
    List<Future<ServiceInstance>> reads = new ArrayList<>(t.recordIds().size());
    for (String id : t.recordIds()) {
      reads.add(bounded(registry.instance(id)).otherwiseEmpty());
    }
    return Future.all(reads)
        .map(
            all -> {
              List<ServiceInstance> out = new ArrayList<>(reads.size());
              for (Future<ServiceInstance> f : reads) {
                ServiceInstance i = f.result();
                if (i != null && config.name().equals(i.metadata(FabricRecords.SOURCE))) {
                  out.add(i);
                }
              }
              return out;
            });
  }

  private void schedule(long delayMillis) {
    if (!running) {
      return;
    }
    timerId =
        vertx.setTimer(
            Math.max(1, delayMillis),
            id -> {
              timerId = -1;
              runOnce().onComplete(ar -> schedule(config.interval().toMillis()));
            });
  }

  /** Registry calls are bounded too: one that never answers must not stall every cycle after it. */
  private <T> Future<T> bounded(Future<T> registryCall) {
    return registryCall.timeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private Future<List<ServiceInstance>> owned() {
    return bounded(registry.instances())
        .map(
            all -> {
              List<ServiceInstance> mine = new ArrayList<>();
              for (ServiceInstance i : all) {
                if (config.name().equals(i.metadata(FabricRecords.SOURCE))) {
                  mine.add(i);
                }
              }
              return mine;
            });
  }

  /** A cycle's plan, and what the importer will know of each partition once it is applied. */
  private record Planned(
      ClusterObservation observation, Reconciler.Plan plan, Map<String, Tracked> tracking) {}

  private Future<CycleSummary> cycle() {
    Instant started = clock.instant();
    long startedNanos = System.nanoTime();
    lastAttempt = started;
    long[] phases = new long[3];
    return reader
        .read()
        .compose(
            observation -> {
              phases[0] = System.nanoTime();
              if (observation.learntNothing()) {
                return Future.failedFuture(
                    new IllegalStateException(
                        "no part of the cluster could be read: " + observation.problems()));
              }
              return owned()
                  .map(
                      records -> {
                        Reconciler.Plan plan =
                            Reconciler.plan(
                                config.name(), observation, records, clock.millis(), replicaIds);
                        return new Planned(observation, plan, tracking(observation, records));
                      });
            })
        .compose(
            planned -> {
              phases[1] = System.nanoTime();
              return apply(planned, startedNanos)
                  .map(
                      writes -> {
                        phases[2] = System.nanoTime();
                        log.debug(
                            "Service Fabric import '{}': read the cluster in {} ms, planned in {} ms, wrote in {} ms",
                            config.name(),
                            (phases[0] - startedNanos) / 1_000_000,
                            (phases[1] - phases[0]) / 1_000_000,
                            (phases[2] - phases[1]) / 1_000_000);
                        return summary(started, planned, writes);
                      });
            })
        .transform(
            ar -> {
              complainedAt.values().removeIf(t -> t - startedNanos < 0);
              CycleSummary summary =
                  ar.succeeded()
                      ? ar.result()
                      : CycleSummary.failed(
                          started,
                          Duration.between(started, clock.instant()),
                          client.activeEndpoint(),
                          String.valueOf(ar.cause().getMessage()));
              record(summary);
              for (Consumer<CycleSummary> listener : cycleListeners) {
                try {
                  listener.accept(summary);
                } catch (RuntimeException e) {
                  log.warn("A cycle listener of importer '{}' failed", config.name(), e);
                }
              }
              return Future.succeededFuture(summary);
            });
  }

  /**
   * Per listed partition: where to ask and the ids of its records once the plan is applied
   * (published ones added later).
   */
  private static Map<String, Tracked> tracking(
      ClusterObservation observation, List<ServiceInstance> records) {
    Map<String, List<String>> ids = new HashMap<>();
    for (ServiceInstance r : records) {
      String pid = r.metadata(dev.portico.fabric.registry.FabricReplicaMetadata.PARTITION_ID);
      if (pid != null) {
        ids.computeIfAbsent(lower(pid), k -> new ArrayList<>(3)).add(r.id());
      }
    }
    Map<String, Tracked> out = new HashMap<>();
    for (ClusterObservation.ObservedPartition p : observation.partitions()) {
      String pid = lower(p.partition().id());
      out.put(
          pid,
          new Tracked(
              p.application(),
              p.service(),
              p.serviceKind(),
              ClusterReader.serviceSegment(p.service()),
              p.partition(),
              p.clusterVersion(),
              ids.getOrDefault(pid, List.of())));
    }
    return out;
  }

  private void record(CycleSummary summary) {
    CycleSummary previous = lastCycle;
    lastCycle = summary;
    if (summary.outcome() == CycleSummary.Outcome.FAILED) {
      if (consecutiveFailures == 0) {
        log.warn(
            "Service Fabric import '{}' failed; the last known records keep serving: {}",
            config.name(),
            summary.error());
      } else {
        log.debug("Service Fabric import '{}' failed again: {}", config.name(), summary.error());
      }
      consecutiveFailures++;
      lastError = summary.error();
      return;
    }
    if (consecutiveFailures > 0) {
      log.info(
          "Service Fabric import '{}' recovered after {} failed cycle(s)",
          config.name(),
          consecutiveFailures);
    }
    consecutiveFailures = 0;
    lastError = null;
    lastSuccess = summary.startedAt();
    boolean newProblems = previous == null || !previous.problems().equals(summary.problems());
    if (summary.changed() || (summary.outcome() == CycleSummary.Outcome.PARTIAL && newProblems)) {
      log.info("Service Fabric import '{}': {}", config.name(), summary);
    } else {
      log.debug("Service Fabric import '{}': {}", config.name(), summary);
    }
  }

  /** Counts of successful writes, and one line per failed one. */
  private record Writes(
      int published, int updated, int unpublished, int skipped, List<String> failures) {}

  /**
   * Writes the plan in batches of whole partitions, one after another, each on a turn of its own on
   * the context. A partition a complaint rewrote since the cycle began is left out: the complaint's
   * answer is newer than what this cycle planned from.
   */
  private Future<Writes> apply(Planned planned, long startedNanos) {
    Reconciler.Plan plan = planned.plan();
    Map<String, Tracked> tracking = planned.tracking();
    Promise<Writes> done = Promise.promise();
    int[] counts = new int[4];
    List<String> failures = new ArrayList<>();
    List<Reconciler.PartitionWrites> parts = plan.partitions();
    Runnable[] next = new Runnable[1];
    int[] position = {0};
    boolean[] straysDone = {plan.strays().isEmpty()};
    next[0] =
        () -> {
          List<Reconciler.PartitionWrites> batch = new ArrayList<>();
          List<String> strays = new ArrayList<>();
          int size = 0;
          if (!straysDone[0]) {
            straysDone[0] = true;
            plan.strays().forEach(u -> strays.add(u.id()));
            size = strays.size();
          }
          while (position[0] < parts.size()) {
            Reconciler.PartitionWrites w = parts.get(position[0]);
            if (size > 0 && size + w.size() > config.batchSize()) {
              break;
            }
            position[0]++;
            if (rewrittenSince(w.partitionId(), startedNanos)) {
              counts[3] += w.size();
              continue;
            }
            batch.add(w);
            size += w.size();
          }
          if (size == 0) {
            retrack(planned.observation(), tracking, startedNanos);
            if (counts[0] + counts[1] + counts[2] > 0) {
              // once for the whole cycle: each announcement costs every watcher a re-read of the
              // registry
              registry.announce("import '" + config.name() + "'");
            }
            done.complete(new Writes(counts[0], counts[1], counts[2], counts[3], failures));
            return;
          }
          RegistryWrites writes = batch(batch);
          List<String> all = new ArrayList<>(strays);
          all.addAll(writes.unpublish());
          RegistryWrites withStrays = new RegistryWrites(all, writes.update(), writes.publish());
          bounded(registry.writeUnannounced(withStrays))
              .onComplete(
                  ar -> {
                    if (ar.failed()) {
                      failures.add(
                          "registry write of "
                              + withStrays.size()
                              + " records failed: "
                              + ar.cause().getMessage());
                    } else {
                      RegistryWrites.Result r = ar.result();
                      counts[0] += r.published().size();
                      counts[1] += r.updated().size();
                      counts[2] += r.unpublished().size();
                      r.failures().forEach(f -> failures.add("registry write failed: " + f));
                      track(tracking, r);
                    }
                    // the next batch on a turn of its own: a local registry answers at once, and
                    // the
                    // context's other work (complaints, timers) must get its turn between batches
                    context.runOnContext(v -> next[0].run());
                  });
        };
    next[0].run();
    return done.future();
  }

  /**
   * What complaints work from after a cycle: its partitions (a partition a complaint rewrote
   * meanwhile keeps the complaint's view), and those of applications and services it could not
   * read, as they were.
   */
  private void retrack(
      ClusterObservation observation, Map<String, Tracked> tracking, long startedNanos) {
    tracking.forEach(
        (pid, t) -> {
          if (rewrittenSince(pid, startedNanos)) {
            return;
          }
          Tracked old = tracked.get(pid);
          // a partition that could not be resolved this time keeps the version it was last resolved
          // at
          tracked.put(
              pid,
              t.clusterVersion().isEmpty() && old != null
                  ? t.withResult(old.clusterVersion(), t.recordIds())
                  : t);
        });
    tracked
        .entrySet()
        .removeIf(
            e ->
                !tracking.containsKey(e.getKey())
                    && !observation.unknownServices().contains(e.getValue().service())
                    && !observation.unknownApplications().contains(e.getValue().application()));
  }

  private boolean rewrittenSince(String pid, long startedNanos) {
    Long at = complainedAt.get(pid);
    return at != null && at - startedNanos >= 0;
  }

  /**
   * Adds published records to, and takes unpublished ones from, the tracked partitions' record ids.
   */
  private static void track(Map<String, Tracked> tracking, RegistryWrites.Result r) {
    Set<String> removed = Set.copyOf(r.unpublished());
    Map<String, List<String>> added = new HashMap<>();
    for (ServiceInstance i : r.published()) {
      String pid = i.metadata(dev.portico.fabric.registry.FabricReplicaMetadata.PARTITION_ID);
      if (pid != null) {
        added.computeIfAbsent(lower(pid), k -> new ArrayList<>(3)).add(i.id());
      }
    }
    if (removed.isEmpty() && added.isEmpty()) {
      return;
    }
    tracking.replaceAll(
        (pid, t) -> {
          List<String> plus = added.get(pid);
          boolean minus = !removed.isEmpty() && t.recordIds().stream().anyMatch(removed::contains);
          if (plus == null && !minus) {
            return t;
          }
          List<String> ids = new ArrayList<>(t.recordIds());
          ids.removeAll(removed);
          if (plus != null) {
            ids.addAll(plus);
          }
          return t.withResult(t.clusterVersion(), ids);
        });
  }

  private static RegistryWrites batch(List<Reconciler.PartitionWrites> partitions) {
    List<String> unpublish = new ArrayList<>();
    List<RegistryWrites.Update> update = new ArrayList<>();
    List<dev.portico.discovery.InstanceSpec> publish = new ArrayList<>();
    for (Reconciler.PartitionWrites w : partitions) {
      w.unpublish().forEach(u -> unpublish.add(u.id()));
      w.update().forEach(u -> update.add(new RegistryWrites.Update(u.id(), u.spec())));
      publish.addAll(w.publish());
    }
    return new RegistryWrites(unpublish, update, publish);
  }

  private CycleSummary summary(Instant started, Planned planned, Writes writes) {
    ClusterObservation observation = planned.observation();
    Reconciler.Plan plan = planned.plan();
    List<String> problems = new ArrayList<>(observation.problems());
    problems.addAll(plan.problems());
    problems.addAll(writes.failures());
    CycleSummary.Outcome outcome =
        problems.isEmpty() ? CycleSummary.Outcome.COMPLETE : CycleSummary.Outcome.PARTIAL;
    return new CycleSummary(
        outcome,
        started,
        Duration.between(started, clock.instant()),
        client.activeEndpoint(),
        observation.applications(),
        observation.services(),
        observation.resolvedCount(),
        plan.replicas(),
        writes.published(),
        writes.updated(),
        writes.unpublished(),
        plan.unchanged(),
        plan.kept() + writes.skipped(),
        plan.offline(),
        problems,
        null);
  }

  private static String lower(String id) {
    return id.toLowerCase(Locale.ROOT);
  }
}
