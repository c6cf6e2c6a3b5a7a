package dev.portico.discovery;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the writes of one {@link RegistryWrites} with at most {@code window} in flight. Writes are
 * started by a loop, never from the completion of the previous one: a local registry completes
 * its writes at once, and starting the next from that callback would nest one stack frame deeper
 * per record.
 */
final class BatchWriter {

  private final Registry registry;
  private final RegistryWrites writes;
  private final int window;
  private final Promise<RegistryWrites.Result> done = Promise.promise();
  private final Object[] outcomes;   // per write: its result (id / ServiceInstance), or a failure line (Failed)
  // guarded by this
  private int next;
  private int inFlight;
  private int completed;
  private boolean pumping;

  private record Failed(String line) {
  }

  BatchWriter(Registry registry, RegistryWrites writes, int window) {
    this.registry = registry;
    this.writes = writes;
    this.window = Math.max(1, window);
    this.outcomes = new Object[writes.size()];
  }

  Future<RegistryWrites.Result> run() {
    if (outcomes.length == 0) {
      return Future.succeededFuture(new RegistryWrites.Result(List.of(), List.of(), List.of(), List.of()));
    }
    pump();
    return done.future();
  }

  private void pump() {
    synchronized (this) {
      if (pumping) {
        return;
      }
      pumping = true;
    }
    while (true) {
      int i;
      synchronized (this) {
        if (next >= outcomes.length || inFlight >= window) {
          pumping = false;
          return;
        }
        i = next++;
        inFlight++;
      }
      Future<?> f;
      try {
        f = start(i);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> finished(i, ar.succeeded() ? ar.result() : new Failed(describe(i) + ": " + ar.cause().getMessage())));
    }
  }

  private Future<?> start(int i) {
    int u = writes.unpublish().size();
    int p = u + writes.update().size();
    if (i < u) {
      String id = writes.unpublish().get(i);
      return registry.unpublishQuietly(id).map(id);
    }
    if (i < p) {
      RegistryWrites.Update update = writes.update().get(i - u);
      return registry.updateQuietly(update.id(), update.spec());
    }
    return registry.publishQuietly(writes.publish().get(i - p));
  }

  private String describe(int i) {
    int u = writes.unpublish().size();
    int p = u + writes.update().size();
    if (i < u) {
      return "unpublish of record " + writes.unpublish().get(i);
    }
    if (i < p) {
      return "update of record " + writes.update().get(i - u).id();
    }
    return "publish of a " + writes.publish().get(i - p).service() + " record";
  }

  private void finished(int i, Object outcome) {
    boolean all;
    synchronized (this) {
      outcomes[i] = outcome;
      inFlight--;
      completed++;
      all = completed == outcomes.length;
    }
    if (all) {
      done.complete(result());
    } else {
      pump();
    }
  }

  private RegistryWrites.Result result() {
    List<String> unpublished = new ArrayList<>();
    List<ServiceInstance> updated = new ArrayList<>();
    List<ServiceInstance> published = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    int u = writes.unpublish().size();
    int p = u + writes.update().size();
    for (int i = 0; i < outcomes.length; i++) {
      Object o = outcomes[i];
      if (o instanceof Failed f) {
        failures.add(f.line());
      } else if (i < u) {
        unpublished.add((String) o);
      } else if (i < p) {
        updated.add((ServiceInstance) o);
      } else {
        published.add((ServiceInstance) o);
      }
    }
    return new RegistryWrites.Result(unpublished, updated, published, failures);
  }
}
