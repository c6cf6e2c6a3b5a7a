package dev.portico.discovery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Runs an asynchronous operation over many items with a bounded number in flight: thousands of
 * registry writes go out as fast as the registry answers (pipelined on a Redis connection, back to
 * back on the local map) without one timer and one chained callback per item waiting for the
 * previous one, and without flooding the registry with all of them at once.
 */
final class Window<T, R> {

  private final List<T> items;
  private final int inFlight;
  private final Function<T, Future<R>> op;
  private final Object[] results;
  private final Promise<List<R>> done = Promise.promise();
  private int next;
  private int running;
  private int finished;
  private Throwable failure;

  /**
   * A thread is starting operations: an operation that ends meanwhile (even synchronously, on that
   * thread) does not start more itself.
   */
  private boolean pumping;

  private Window(List<T> items, int inFlight, Function<T, Future<R>> op) {
    this.items = items;
    this.inFlight = Math.max(1, inFlight);
    this.op = op;
    this.results = new Object[items.size()];
  }

  /**
   * Applies {@code op} to every item, at most {@code inFlight} at a time. Completes with the
   * results in the order of {@code items} once every operation succeeded, or fails with the first
   * failure once the operations already started have ended (none is started after a failure).
   */
  static <T, R> Future<List<R>> map(List<T> items, int inFlight, Function<T, Future<R>> op) {
    if (items.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Window<T, R> w = new Window<>(items, inFlight, op);
    w.pump();
    return w.done.future();
  }

  private void pump() {
    synchronized (this) {
      if (pumping) {
        return;
      }
      pumping = true;
    }
    while (true) {
      int index;
      synchronized (this) {
        if (failure != null || next >= items.size() || running >= inFlight) {
          pumping = false;
          return;
        }
        index = next++;
        running++;
      }
      Future<R> f;
      try {
        f = op.apply(items.get(index));
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> ended(index, ar.succeeded() ? ar.result() : null, ar.cause()));
    }
  }

  @SuppressWarnings("unchecked")
  private void ended(int index, R result, Throwable cause) {
    boolean complete;
    synchronized (this) {
      running--;
      finished++;
      if (cause != null && failure == null) {
        failure = cause;
      }
      results[index] = result;
      complete = failure != null ? running == 0 : finished == items.size();
    }
    if (complete) {
      if (failure != null) {
        done.tryFail(failure);
      } else {
        done.tryComplete(new ArrayList<>((List<R>) Arrays.asList(results)));
      }
      return;
    }
    pump();
  }
}
