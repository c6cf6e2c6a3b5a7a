package dev.portico.discovery;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an immutable {@link RegistrySnapshot} in step with the registry, off the event loops and
 * incrementally.
 *
 * <p><b>When.</b> An announcement of a single write names the record written (a local registry's on
 * this process's event bus; a shared registry's from any gateway, this one included), and only that
 * record is read again; an announcement of a batch, and the periodic refresh, read every record.
 * Reads never overlap: what arrives during one is served by one more read afterwards (coalesced).
 * The periodic refresh catches writers whose announcements this process does not hear.
 *
 * <p><b>What.</b> Records are read as stored (the JSON text Service Discovery keeps, every read
 * bounded by the registry's call timeout) and decoded once per version: a record whose text is
 * unchanged is not decoded again. Only services with a record added, removed or changed get a new
 * {@link RegistrySnapshot.ServiceGroup}; the new snapshot shares every other group with the
 * previous one (so its consumers, such as the routing state, rebuild only what depends on those
 * services). A read that finds nothing new makes no snapshot at all and tells no listener.
 *
 * <p><b>Where.</b> All of it runs on a worker context of its own (a worker verticle), never on an
 * event loop, so neither reading nor decoding nor the listeners' rebuilds delay requests. The
 * snapshot is replaced atomically; readers on any thread see either the old or the new one, never a
 * mix. Listeners are called on that worker context, one snapshot at a time, in order.
 */
public final class RegistryWatcher {

  private static final Logger log = LoggerFactory.getLogger(RegistryWatcher.class);

  /** Announced ids waiting beyond this are served by reading every record instead. */
  private static final int MAX_TARGETED = 256;

  private final Vertx vertx;
  private final Registry registry;
  private final List<Consumer<RegistrySnapshot>> listeners = new CopyOnWriteArrayList<>();

  /**
   * Looks at a read before it becomes the snapshot: it may repair the registry and read again, or
   * keep records; a failed future keeps the last snapshot, as a failed read does. It sees every
   * record (decoded once, as the snapshot's groups are), on the watcher's worker context.
   */
  public interface ReadCheck {
    Future<List<ServiceInstance>> apply(RegistrySnapshot current, List<ServiceInstance> read);

    /**
     * Whether a read of a few announced records must pass through the check too; otherwise only
     * reads of every record (periodic, after a resubscription, after a batch) do.
     */
    default boolean checksPartialReads() {
      return true;
    }
  }

  private volatile RegistrySnapshot current = RegistrySnapshot.EMPTY;
  private ReadCheck check;
  private volatile Instant lastSuccess;
  private volatile Throwable lastError;
  private volatile Context context;
  private volatile String deployment;

  // --- confined to the watcher's worker context ----------------------------------------------

  /** What was read last of each record, by registration id. */
  private final Map<String, Known> known = new HashMap<>();

  /**
   * The same records by their text as read last (and the texts that name no id or cannot be
   * decoded): a read of every record finds each unchanged one by its text alone, without its id.
   */
  private final Map<String, Known> byText = new HashMap<>();

  /** The registration ids two records were found naming (each reported once). */
  private final Set<String> duplicates = new HashSet<>();

  /** The decoded HTTP-endpoint records of each service, by id (so a group is in id order). */
  private final Map<String, TreeMap<String, ServiceInstance>> byService = new HashMap<>();

  private int generation;

  /**
   * The next snapshot is made whole, not derived from the last: the last came from what the check
   * returned rather than from the records read, or a read was applied but never became a snapshot.
   */
  private boolean wholeNext;

  private boolean reading;
  private boolean fullPending;
  private final Set<String> idsPending = new LinkedHashSet<>();
  private List<Promise<RegistrySnapshot>> waiting = new ArrayList<>();

  private static final class Known {
    final String id; // null: the text names no registration id or cannot be decoded
    String stored;
    ServiceInstance instance; // null: not an HTTP endpoint, or undecodable
    int seen; // the generation of the last read of every record that found it

    Known(String id, String stored, ServiceInstance instance) {
      this.id = id;
      this.stored = stored;
      this.instance = instance;
    }
  }

  public RegistryWatcher(Vertx vertx, Registry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  /**
   * Subscribes to announcements, builds the first snapshot and starts the periodic refresh.
   * Completes on the caller's context (when called on one).
   */
  public Future<RegistrySnapshot> start() {
    Context caller = Vertx.currentContext();
    Promise<RegistrySnapshot> first = Promise.promise();
    vertx
        .deployVerticle(
            new Worker(first), new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .onSuccess(id -> deployment = id)
        .onFailure(first::tryFail);
    return onCaller(caller, first.future());
  }

  public Future<Void> stop() {
    String id = deployment;
    deployment = null;
    // a Vert.x closing undeploys it first: there is nothing left to stop then
    return id == null ? Future.succeededFuture() : vertx.undeploy(id).otherwiseEmpty();
  }

  /**
   * How many record texts the watcher keeps (every record, with those it ignores), for tests: read
   * it after a {@link #refresh()} has completed.
   */
  int tracked() {
    return byText.size();
  }

  /** The newest snapshot. Lock-free; safe from any thread. */
  public RegistrySnapshot current() {
    return current;
  }

  /** When the last read of the registry succeeded ({@code null} before the first). */
  public Instant lastSuccess() {
    return lastSuccess;
  }

  /** The error of the last read, {@code null} when it succeeded. */
  public Throwable lastError() {
    return lastError;
  }

  /**
   * Passes reads through {@code check} before they become the snapshot (set before {@link
   * #start()}).
   */
  public void checkReads(ReadCheck check) {
    this.check = check;
  }

  /**
   * Called with each new snapshot, after it has become {@link #current()}, on the watcher's worker
   * context.
   */
  public void onChange(Consumer<RegistrySnapshot> listener) {
    listeners.add(listener);
  }

  /**
   * Reads every record now (or right after the read in flight) and completes with a snapshot that
   * reflects every registry write completed before this call. Completes on the caller's context
   * (when called on one).
   */
  public Future<RegistrySnapshot> refresh() {
    Context caller = Vertx.currentContext();
    Promise<RegistrySnapshot> promise = Promise.promise();
    context.runOnContext(
        v -> {
          waiting.add(promise);
          fullPending = true;
          next();
        });
    return onCaller(caller, promise.future());
  }

  /**
   * {@code f}, its outcome handed over on {@code caller} (as is without one): the caller's state
   * stays confined to it.
   */
  private static <T> Future<T> onCaller(Context caller, Future<T> f) {
    if (caller == null) {
      return f;
    }
    Promise<T> p = Promise.promise();
    f.onComplete(
        ar -> {
          if (Vertx.currentContext() == caller) {
            p.handle(ar);
          } else {
            caller.runOnContext(v -> p.handle(ar));
          }
        });
    return p.future();
  }

  /** The verticle whose worker context the watcher lives on. */
  private final class Worker extends VerticleBase {
    private final Promise<RegistrySnapshot> first;

    Worker(Promise<RegistrySnapshot> first) {
      this.first = first;
    }

    @Override
    public Future<?> start() {
      RegistryWatcher.this.context = context;
      if (registry.shared()) {
        // every write through a Registry (this process's too) is announced with its id through the
        // shared registry: the local event bus would only repeat this process's writes
        registry.onRemoteChange(id -> context.runOnContext(v -> announced(id)));
      } else {
        // a single write names its record: only that one is read again (at 50,000 records a read
        // of every record took tens of milliseconds per change); anything else reads every record
        vertx
            .eventBus()
            .consumer(
                registry.options().announceAddress(),
                msg ->
                    announced(
                        msg.body() instanceof JsonObject j
                                && j.getValue(Registry.RECORD_FIELD) instanceof String id
                            ? id
                            : null));
      }
      long period = Math.max(100, registry.options().refreshInterval().toMillis());
      vertx.setPeriodic(
          period,
          t -> {
            fullPending = true;
            next();
          });
      waiting.add(first);
      fullPending = true;
      next();
      return Future.succeededFuture();
    }
  }

  /** A write was announced: of record {@code id}, or of anything ({@code null}). */
  private void announced(String id) {
    if (id == null) {
      fullPending = true;
    } else {
      idsPending.add(id);
    }
    next();
  }

  /** Starts the next read unless one is in flight (then it runs after it). */
  private void next() {
    if (reading || !fullPending && idsPending.isEmpty()) {
      return;
    }
    reading = true;
    if (fullPending || idsPending.size() > MAX_TARGETED) {
      fullPending = false;
      idsPending.clear();
      List<Promise<RegistrySnapshot>> served = waiting;
      waiting = new ArrayList<>();
      onContext(registry.stored(), ar -> readDone(ar, this::applyAll, null, served));
    } else {
      Set<String> ids = new HashSet<>(idsPending);
      idsPending.clear();
      onContext(
          registry.stored(ids), ar -> readDone(ar, read -> applySome(read, ids), ids, List.of()));
    }
  }

  /** Runs {@code handler} with {@code f}'s outcome on the watcher's context. */
  private <T> void onContext(Future<T> f, Handler<AsyncResult<T>> handler) {
    f.onComplete(
        ar -> {
          if (Vertx.currentContext() == context) {
            handler.handle(ar);
          } else {
            context.runOnContext(v -> handler.handle(ar));
          }
        });
  }

  /**
   * @param apply turns what was read into the groups of the services that changed
   * @param ids the ids read, or {@code null} for a read of every record
   */
  private <T> void readDone(
      AsyncResult<T> ar,
      Function<T, Map<String, RegistrySnapshot.ServiceGroup>> apply,
      Collection<String> ids,
      List<Promise<RegistrySnapshot>> served) {
    reading = false;
    if (ar.failed()) {
      if (ids != null) {
        // the next read (announcement or periodic) reads everything: nothing announced is lost
        fullPending = true;
      }
      failed(ar.cause(), served);
      return;
    }
    Map<String, RegistrySnapshot.ServiceGroup> changed;
    try {
      changed = apply.apply(ar.result());
    } catch (RuntimeException e) {
      log.error("applying a registry read failed; the last snapshot keeps serving", e);
      changed = Map.of();
      wholeNext = true;
    }
    boolean whole = wholeNext;
    if (check == null || ids != null && !whole && !check.checksPartialReads()) {
      if (whole) {
        wholeNext = false;
        publish(RegistrySnapshot.of(current.version() + 1, everything()));
      } else if (!changed.isEmpty()) {
        publish(current.with(current.version() + 1, changed));
      }
      succeeded(served);
      return;
    }
    List<ServiceInstance> read = everything();
    Map<String, RegistrySnapshot.ServiceGroup> delta = changed;
    // no other read until the check is done: it may write to the registry and read it again
    reading = true;
    Future<List<ServiceInstance>> checked;
    try {
      checked = check.apply(current, read);
    } catch (RuntimeException e) {
      checked = Future.failedFuture(e);
    }
    onContext(
        checked,
        cr -> {
          reading = false;
          if (cr.failed()) {
            // what was read is known now but is not in the snapshot: the next one is made whole
            wholeNext = true;
            failed(cr.cause(), served);
            return;
          }
          List<ServiceInstance> result = cr.result();
          if (result == read && !whole) {
            if (!delta.isEmpty()) {
              publish(current.with(current.version() + 1, delta));
            }
          } else {
            // the check repaired the registry or kept records (or did last time): a whole snapshot
            publish(RegistrySnapshot.of(current.version() + 1, result));
            wholeNext = result != read;
          }
          succeeded(served);
        });
  }

  private void failed(Throwable cause, List<Promise<RegistrySnapshot>> served) {
    if (lastError == null) {
      log.warn("registry refresh failed; the last snapshot keeps serving: {}", cause.toString());
    }
    lastError = cause;
    served.forEach(p -> p.fail(cause));
    // no next read at once: a registry that fails is read again at the next announcement or period
  }

  private void succeeded(List<Promise<RegistrySnapshot>> served) {
    lastSuccess = Instant.now();
    if (lastError != null) {
      log.info("registry reachable again: {} records", current.size());
    }
    lastError = null;
    RegistrySnapshot snapshot = current;
    served.forEach(p -> p.complete(snapshot));
    next();
  }

  /**
   * Every HTTP-endpoint record known now, decoded (what a read of every record would have
   * returned).
   */
  private List<ServiceInstance> everything() {
    List<ServiceInstance> all = new ArrayList<>(known.size());
    for (TreeMap<String, ServiceInstance> records : byService.values()) {
      all.addAll(records.values());
    }
    return all;
  }

  private void publish(RegistrySnapshot snapshot) {
    current = snapshot;
    for (Consumer<RegistrySnapshot> l : listeners) {
      try {
        l.accept(snapshot);
      } catch (RuntimeException e) {
        log.error("registry snapshot listener failed", e);
      }
    }
  }

  /**
   * Every record's text as stored now: the groups of the services that changed (null for a service
   * gone).
   */
  private Map<String, RegistrySnapshot.ServiceGroup> applyAll(List<String> stored) {
    int gen = ++generation;
    int seen = 0;
    Set<String> touched = new HashSet<>();
    for (String text : stored) {
      Known k = byText.get(text);
      if (k == null) {
        k = upsert(text, null, gen, touched);
        if (k == null) {
          continue;
        }
      }
      if (k.seen != gen) {
        k.seen = gen;
        seen++;
      }
    }
    if (seen < byText.size()) {
      for (Iterator<Known> it = byText.values().iterator(); it.hasNext(); ) {
        Known k = it.next();
        if (k.seen != gen) {
          it.remove();
          if (k.id != null) {
            known.remove(k.id);
            removed(k, touched);
          }
        }
      }
    }
    return groups(touched);
  }

  /**
   * The records {@code ids} as stored now (an id absent from {@code stored} has no record any
   * more).
   */
  private Map<String, RegistrySnapshot.ServiceGroup> applySome(
      Map<String, String> stored, Collection<String> ids) {
    Set<String> touched = new HashSet<>();
    for (String id : ids) {
      String text = stored.get(id);
      Known k = known.get(id);
      if (text == null) {
        if (k != null) {
          known.remove(id);
          byText.remove(k.stored);
          removed(k, touched);
        }
      } else if (k == null || !k.stored.equals(text)) {
        upsert(text, id, -1, touched);
      }
    }
    return groups(touched);
  }

  /**
   * A record's text not seen before: new, or a record's new version. Decodes it once (not at all
   * when this process wrote it) and returns what is known of it now, or {@code null} when it is
   * left out (a second record of one read naming the same registration id).
   *
   * @param key the id the record was read by (a read of a few), {@code null} in a read of every
   *     record
   * @param gen the generation of the read of every record in progress, -1 for a read of a few
   */
  private Known upsert(String text, String key, int gen, Set<String> touched) {
    ServiceInstance next = registry.writtenAs(text);
    String id = next == null ? null : next.id();
    if (next == null) {
      try {
        Registry.Decoded decoded = Registry.decode(text);
        id = decoded.id();
        next = decoded.instance();
        if (id == null) {
          log.warn("a registry record names no registration id and is ignored: {}", brief(text));
        }
      } catch (RuntimeException e) {
        log.warn(
            "a registry record cannot be decoded and is ignored: {} ({})",
            brief(text),
            e.toString());
      }
    }
    if (id == null) {
      // kept by its text only, so that it is neither decoded nor reported again while it stays
      Known ignored = new Known(null, text, null);
      byText.put(text, ignored);
      return ignored;
    }
    if (key != null && !key.equals(id)) {
      // stored under one id, naming another (written outside Service Discovery): a read of a few
      // cannot tell which of two such records stays, the reads of every record can (below)
      if (duplicates.add(id)) {
        log.warn(
            "registry record {} names registration id {} and is ignored: {}", key, id, brief(text));
      }
      return null;
    }
    Known k = known.get(id);
    if (k == null) {
      k = new Known(id, text, next);
      known.put(id, k);
      byText.put(text, k);
    } else if (k.seen == gen) {
      // two records of one read name the same registration id (written outside Service Discovery,
      // which keys each record by its id): the one read first stays; this one is decoded again at
      // each read, so that it takes over once the other is gone
      if (duplicates.add(id)) {
        log.warn(
            "two registry records name registration id {}; one is ignored: {}", id, brief(text));
      }
      return null;
    } else {
      ServiceInstance before = k.instance;
      byText.remove(k.stored);
      byText.put(text, k);
      k.stored = text;
      k.instance = next;
      if (next != null && next.equals(before)) {
        // written again with nothing changed (or only in how the text is laid out)
        return k;
      }
      if (before != null) {
        byService.get(before.service()).remove(id);
        touched.add(before.service());
      }
    }
    if (next != null) {
      byService.computeIfAbsent(next.service(), s -> new TreeMap<>()).put(id, next);
      touched.add(next.service());
    }
    return k;
  }

  /** The start of a record's text, for a log line. */
  private static String brief(String text) {
    return text.length() <= 120 ? text : text.substring(0, 120) + "…";
  }

  private void removed(Known k, Set<String> touched) {
    if (k.instance != null) {
      byService.get(k.instance.service()).remove(k.id);
      touched.add(k.instance.service());
    }
  }

  private Map<String, RegistrySnapshot.ServiceGroup> groups(Set<String> touched) {
    Map<String, RegistrySnapshot.ServiceGroup> changed = new HashMap<>();
    for (String service : touched) {
      TreeMap<String, ServiceInstance> records = byService.get(service);
      if (records == null || records.isEmpty()) {
        byService.remove(service);
        if (current.service(service) != null) {
          changed.put(service, null);
        }
      } else {
        changed.put(service, RegistrySnapshot.group(service, new ArrayList<>(records.values())));
      }
    }
    return changed;
  }
}
