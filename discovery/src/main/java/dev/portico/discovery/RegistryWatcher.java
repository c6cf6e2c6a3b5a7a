package dev.portico.discovery;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Keeps an immutable {@link RegistrySnapshot} in step with the registry. Announcements (this
 * process's, on its event bus, and other gateways' through a shared registry) trigger a rebuild
 * (several arriving during one rebuild coalesce into one more rebuild), and a periodic refresh
 * catches writers whose announcements this process does not see. The snapshot
 * is replaced atomically; readers on any thread see either the old or the new one, never a mix.
 *
 * <p>All callbacks run on the context that called {@link #start()}.
 */
public final class RegistryWatcher {

  private static final Logger log = LoggerFactory.getLogger(RegistryWatcher.class);

  private final Vertx vertx;
  private final Registry registry;
  private final List<Consumer<RegistrySnapshot>> listeners = new CopyOnWriteArrayList<>();

  /**
   * Looks at each read before it becomes the snapshot: it may repair the registry and read again,
   * or keep records; a failed future keeps the last snapshot, as a failed read does.
   */
  public interface ReadCheck {
    Future<List<ServiceInstance>> apply(RegistrySnapshot current, List<ServiceInstance> read);
  }

  private volatile RegistrySnapshot current = RegistrySnapshot.EMPTY;
  private ReadCheck check;
  private volatile Instant lastSuccess;
  private volatile Throwable lastError;

  private Context context;
  private MessageConsumer<JsonObject> consumer;
  private long timerId = -1;
  private boolean rebuilding;
  private boolean dirty;
  private List<Promise<RegistrySnapshot>> waiting = new java.util.ArrayList<>();

  public RegistryWatcher(Vertx vertx, Registry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  /** Subscribes to announcements, builds the first snapshot and starts the periodic refresh. */
  public Future<RegistrySnapshot> start() {
    context = vertx.getOrCreateContext();
    consumer = vertx.eventBus().consumer(registry.options().announceAddress(), msg -> refresh());
    registry.onRemoteChange(this::refresh);
    long period = Math.max(100, registry.options().refreshInterval().toMillis());
    timerId = vertx.setPeriodic(period, id -> refresh());
    return consumer.completion().compose(v -> refresh());
  }

  public Future<Void> stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** The newest snapshot. Lock-free; safe from any thread. */
  public RegistrySnapshot current() {
    return current;
  }

  /** When the last rebuild succeeded ({@code null} before the first). */
  public Instant lastSuccess() {
    return lastSuccess;
  }

  /** The error of the last rebuild, {@code null} when it succeeded. */
  public Throwable lastError() {
    return lastError;
  }

  /** Passes every read through {@code check} before it becomes the snapshot (set before {@link #start()}). */
  public void checkReads(ReadCheck check) {
    this.check = check;
  }

  /** Called with each new snapshot, after it has become {@link #current()}. */
  public void onChange(Consumer<RegistrySnapshot> listener) {
    listeners.add(listener);
  }

  /**
   * Rebuilds the snapshot now (or right after the rebuild in flight) and completes with a snapshot
   * that reflects every registry write completed before this call.
   */
  public Future<RegistrySnapshot> refresh() {
    Promise<RegistrySnapshot> promise = Promise.promise();
    context.runOnContext(v -> {
      waiting.add(promise);
      if (rebuilding) {
        dirty = true;
      } else {
        rebuild();
      }
    });
    return promise.future();
  }

  private void rebuild() {
    rebuilding = true;
    dirty = false;
    List<Promise<RegistrySnapshot>> served = waiting;
    waiting = new java.util.ArrayList<>();
    registry.instances()
      .compose(read -> check == null ? Future.succeededFuture(read) : check.apply(current, read))
      .map(instances -> RegistrySnapshot.of(current.version() + 1, instances))
      .onComplete(ar -> {
        rebuilding = false;
        if (ar.succeeded()) {
          current = ar.result();
          lastSuccess = Instant.now();
          if (lastError != null) {
            log.info("registry reachable again: snapshot rebuilt with {} records", ar.result().all().size());
          }
          lastError = null;
          for (Consumer<RegistrySnapshot> l : listeners) {
            try {
              l.accept(ar.result());
            } catch (RuntimeException e) {
              log.error("registry snapshot listener failed", e);
            }
          }
          served.forEach(p -> p.complete(ar.result()));
        } else {
          if (lastError == null) {
            log.warn("registry refresh failed; the last snapshot keeps serving: {}", ar.cause().toString());
          }
          lastError = ar.cause();
          served.forEach(p -> p.fail(ar.cause()));
        }
        if (dirty) {
          rebuild();
        }
      });
  }
}
