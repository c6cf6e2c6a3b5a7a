package dev.portico.fabric.importer.internal;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Runs an asynchronous function over a list with at most {@code limit} calls in flight, keeping
 * order.
 *
 * <p>Calls are started by a loop, never by the completion of the previous call: a function whose
 * futures complete at once (a local registry answers synchronously) would otherwise start the next
 * call from inside the previous one's callback, one stack frame deeper per item, until the stack
 * overflows (it did at 900 partitions).
 */
public final class BoundedParallel {

  private BoundedParallel() {}

  /**
   * Completes with every result in input order, or fails with the first failure (no new calls start
   * then).
   */
  public static <T, R> Future<List<R>> map(List<T> items, int limit, Function<T, Future<R>> fn) {
    if (items.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Run<T, R> run = new Run<>(items, fn, Math.max(1, limit));
    run.pump();
    return run.promise.future();
  }

  private static final class Run<T, R> {
    private final List<T> items;
    private final Function<T, Future<R>> fn;
    private final int limit;
    private final Object[] results;
    private final Promise<List<R>> promise = Promise.promise();
    // guarded by this
    private int next;
    private int inFlight;
    private int done;
    private boolean failed;

    /**
     * A thread is in {@link #pump()}'s loop: completions only update the counts, that loop starts
     * the calls.
     */
    private boolean pumping;

    Run(List<T> items, Function<T, Future<R>> fn, int limit) {
      this.items = items;
      this.fn = fn;
      this.limit = limit;
      this.results = new Object[items.size()];
    }

    /** Starts calls while there is room; returns when there is none or nothing is left to start. */
    void pump() {
      synchronized (this) {
        if (pumping) {
          return;
        }
        pumping = true;
      }
      while (true) {
        int i;
        synchronized (this) {
          if (failed || next >= items.size() || inFlight >= limit) {
            pumping = false;
            return;
          }
          i = next++;
          inFlight++;
        }
        Future<R> f;
        try {
          f = fn.apply(items.get(i));
        } catch (RuntimeException e) {
          f = Future.failedFuture(e);
        }
        f.onComplete(ar -> completed(i, ar.succeeded(), ar.result(), ar.cause()));
      }
    }

    private void completed(int i, boolean ok, R result, Throwable cause) {
      boolean complete;
      synchronized (this) {
        inFlight--;
        if (failed) {
          return;
        }
        if (!ok) {
          failed = true;
        } else {
          results[i] = result;
          done++;
        }
        complete = done == items.size();
      }
      if (!ok) {
        promise.tryFail(cause);
      } else if (complete) {
        promise.tryComplete(collect());
      } else {
        pump();
      }
    }

    @SuppressWarnings("unchecked")
    private List<R> collect() {
      List<R> out = new ArrayList<>(results.length);
      for (Object o : Arrays.asList(results)) {
        out.add((R) o);
      }
      return out;
    }
  }
}
