package dev.portico.discovery;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Runs the writes of one {@link RegistryWrites} with at most {@code window} in flight (a {@link
 * Window}). A write that fails does not stop the others: its outcome is a failure line.
 */
final class BatchWriter {

  private final Registry registry;
  private final RegistryWrites writes;
  private final int window;

  private record Failed(String line) {}

  BatchWriter(Registry registry, RegistryWrites writes, int window) {
    this.registry = registry;
    this.writes = writes;
    this.window = window;
  }

  Future<RegistryWrites.Result> run() {
    List<Integer> indices = IntStream.range(0, writes.size()).boxed().toList();
    return Window.map(indices, window, this::attempt).map(this::result);
  }

  /**
   * The outcome of write {@code i}: its result (id / ServiceInstance) or a {@link Failed} line;
   * never a failed future.
   */
  private Future<Object> attempt(int i) {
    Future<?> f;
    try {
      f = start(i);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.<Object>map(r -> r).otherwise(e -> new Failed(describe(i) + ": " + e.getMessage()));
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

  private RegistryWrites.Result result(List<Object> outcomes) {
    List<String> unpublished = new ArrayList<>();
    List<ServiceInstance> updated = new ArrayList<>();
    List<ServiceInstance> published = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    int u = writes.unpublish().size();
    int p = u + writes.update().size();
    for (int i = 0; i < outcomes.size(); i++) {
      Object o = outcomes.get(i);
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
