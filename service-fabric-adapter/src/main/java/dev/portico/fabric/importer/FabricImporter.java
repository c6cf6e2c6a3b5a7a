package dev.portico.fabric.importer;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.Registry;
import dev.portico.discovery.ServiceInstance;
import dev.portico.fabric.importer.internal.BoundedParallel;
import dev.portico.fabric.importer.internal.ClusterObservation;
import dev.portico.fabric.importer.internal.ClusterReader;
import dev.portico.fabric.importer.internal.ManagementClient;
import dev.portico.fabric.importer.internal.Reconciler;
import dev.portico.fabric.registry.FabricRecords;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps registry records in step with a real Service Fabric cluster, read over its HTTP
 * management endpoint (applications, services, partitions, ResolvePartition).
 *
 * <p>Each cycle publishes records for new replicas, rewrites records of replicas that moved or
 * changed role (keeping their registry id) and removes records of replicas, partitions, services
 * and applications that are gone. It only ever touches records whose {@code sf.source} is its
 * {@linkplain ImporterConfig#name() name}. Every change to a partition's endpoints gives all of
 * its records a new, higher generation, which is what lets a resolver's complaint-based
 * re-resolution see the move; the cluster's own opaque version is kept as {@code sf.clusterVersion}.
 *
 * <p>When the cluster cannot be read, nothing is written: the last known records keep serving,
 * and {@link #status()} reports the failure and, after a while, staleness. A part of the cluster
 * that cannot be read (one service answering 503, say) leaves that part's records as they were.
 *
 * <p>Cycles never overlap; they run on the Vert.x context the importer was created on, and never
 * block it.
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

    // confined to the context
    private boolean running;
    private boolean stopped;
    private long timerId = -1;
    private Future<CycleSummary> inFlight;

    private volatile Instant startedAt;
    private volatile Instant lastAttempt;
    private volatile Instant lastSuccess;
    private volatile String lastError;
    private volatile int consecutiveFailures;
    private volatile CycleSummary lastCycle;
    private volatile boolean runningFlag;

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

    /** An importer working on the calling context (or a new event-loop context off Vert.x threads). */
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
        context.runOnContext(v -> {
            if (stopped) {
                started.fail(new IllegalStateException("A stopped importer cannot be restarted; create a new one"));
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
     * Stops cycling for good, waits for a cycle in flight, and closes the HTTP client. The records stay in
     * the registry (a restarted importer of the same name takes them over); {@link #removeRecords()}
     * deletes them.
     */
    public Future<Void> stop() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            running = false;
            stopped = true;
            runningFlag = false;
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
                timerId = -1;
            }
            Future<?> pending = inFlight == null ? Future.succeededFuture() : inFlight;
            pending.transform(ar -> client.close()).onComplete(ar -> done.tryComplete());
        });
        return done.future();
    }

    /**
     * Runs one cycle now, or joins the one in flight. Always succeeds, with the cycle's summary;
     * a failed cycle has outcome FAILED and an error.
     */
    public Future<CycleSummary> runOnce() {
        Promise<CycleSummary> done = Promise.promise();
        context.runOnContext(v -> {
            if (inFlight == null) {
                Future<CycleSummary> cycle = cycle();
                inFlight = cycle;
                cycle.onComplete(ar -> {
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
        return new ImporterStatus(config.name(), runningFlag, lastAttempt, lastSuccess, lastError, consecutiveFailures,
                stale, client.activeEndpoint(), lastCycle);
    }

    /** Unpublishes every record of this importer; completes with how many were removed. */
    public Future<Integer> removeRecords() {
        return owned().compose(records -> BoundedParallel.map(records, config.parallelism(),
                r -> bounded(registry.unpublish(r.id())).map(1).otherwise(0))
                .map(done -> done.stream().mapToInt(Integer::intValue).sum()));
    }

    private void schedule(long delayMillis) {
        if (!running) {
            return;
        }
        timerId = vertx.setTimer(Math.max(1, delayMillis), id -> {
            timerId = -1;
            runOnce().onComplete(ar -> schedule(config.interval().toMillis()));
        });
    }

    /** Registry calls are bounded too: one that never answers must not stall every cycle after it. */
    private <T> Future<T> bounded(Future<T> registryCall) {
        return registryCall.timeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private Future<List<ServiceInstance>> owned() {
        return bounded(registry.instances()).map(all -> {
            List<ServiceInstance> mine = new ArrayList<>();
            for (ServiceInstance i : all) {
                if (config.name().equals(i.metadata(FabricRecords.SOURCE))) {
                    mine.add(i);
                }
            }
            return mine;
        });
    }

    private Future<CycleSummary> cycle() {
        Instant started = clock.instant();
        lastAttempt = started;
        return reader.read()
                .compose(observation -> {
                    if (observation.learntNothing()) {
                        return Future.failedFuture(new IllegalStateException(
                                "no part of the cluster could be read: " + observation.problems()));
                    }
                    return owned().compose(records -> {
                        Reconciler.Plan plan = Reconciler.plan(config.name(), observation, records, clock.millis(),
                                replicaIds);
                        return apply(plan).map(writes -> summary(started, observation, plan, writes));
                    });
                })
                .transform(ar -> {
                    CycleSummary summary = ar.succeeded() ? ar.result()
                            : CycleSummary.failed(started, Duration.between(started, clock.instant()),
                            client.activeEndpoint(), String.valueOf(ar.cause().getMessage()));
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

    private void record(CycleSummary summary) {
        CycleSummary previous = lastCycle;
        lastCycle = summary;
        if (summary.outcome() == CycleSummary.Outcome.FAILED) {
            if (consecutiveFailures == 0) {
                log.warn("Service Fabric import '{}' failed; the last known records keep serving: {}",
                        config.name(), summary.error());
            } else {
                log.debug("Service Fabric import '{}' failed again: {}", config.name(), summary.error());
            }
            consecutiveFailures++;
            lastError = summary.error();
            return;
        }
        if (consecutiveFailures > 0) {
            log.info("Service Fabric import '{}' recovered after {} failed cycle(s)", config.name(), consecutiveFailures);
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
    private record Writes(int published, int updated, int unpublished, List<String> failures) {
    }

    private Future<Writes> apply(Reconciler.Plan plan) {
        List<Supplier<Future<String>>> actions = new ArrayList<>();
        for (Reconciler.Unpublish u : plan.unpublish()) {
            actions.add(() -> bounded(registry.unpublish(u.id())).map("U"));
        }
        for (Reconciler.Update u : plan.update()) {
            actions.add(() -> bounded(registry.update(u.id(), u.spec())).map("u"));
        }
        for (InstanceSpec spec : plan.publish()) {
            actions.add(() -> bounded(registry.publish(spec)).map("p"));
        }
        return BoundedParallel.map(actions, config.parallelism(),
                a -> a.get().otherwise(e -> "!" + e.getMessage())).map(results -> {
            int published = 0;
            int updated = 0;
            int unpublished = 0;
            List<String> failures = new ArrayList<>();
            for (String r : results) {
                if (r.equals("p")) {
                    published++;
                } else if (r.equals("u")) {
                    updated++;
                } else if (r.equals("U")) {
                    unpublished++;
                } else {
                    failures.add("registry write failed: " + r.substring(1));
                }
            }
            return new Writes(published, updated, unpublished, failures);
        });
    }

    private CycleSummary summary(Instant started, ClusterObservation observation, Reconciler.Plan plan, Writes writes) {
        List<String> problems = new ArrayList<>(observation.problems());
        problems.addAll(plan.problems());
        problems.addAll(writes.failures());
        CycleSummary.Outcome outcome = problems.isEmpty() ? CycleSummary.Outcome.COMPLETE : CycleSummary.Outcome.PARTIAL;
        return new CycleSummary(outcome, started, Duration.between(started, clock.instant()), client.activeEndpoint(),
                observation.applications(), observation.services(), observation.resolved().size(), plan.replicas(),
                writes.published(), writes.updated(), writes.unpublished(), plan.unchanged(), plan.kept(), problems, null);
    }
}
