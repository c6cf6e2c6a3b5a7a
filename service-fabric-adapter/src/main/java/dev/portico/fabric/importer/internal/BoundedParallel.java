package dev.portico.fabric.importer.internal;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** Runs an asynchronous function over a list with at most {@code limit} calls in flight, keeping order. */
public final class BoundedParallel {

    private BoundedParallel() {
    }

    /** Completes with every result in input order, or fails with the first failure (no new calls start then). */
    public static <T, R> Future<List<R>> map(List<T> items, int limit, Function<T, Future<R>> fn) {
        if (items.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return new Run<>(items, fn).start(Math.max(1, limit));
    }

    private static final class Run<T, R> {
        private final List<T> items;
        private final Function<T, Future<R>> fn;
        private final Object[] results;
        private final Promise<List<R>> promise = Promise.promise();
        private int next;
        private int done;
        private boolean failed;

        Run(List<T> items, Function<T, Future<R>> fn) {
            this.items = items;
            this.fn = fn;
            this.results = new Object[items.size()];
        }

        Future<List<R>> start(int limit) {
            for (int i = 0; i < limit; i++) {
                launchNext();
            }
            return promise.future();
        }

        private void launchNext() {
            int i;
            synchronized (this) {
                if (failed || next >= items.size()) {
                    return;
                }
                i = next++;
            }
            Future<R> f;
            try {
                f = fn.apply(items.get(i));
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(ar -> {
                boolean complete;
                synchronized (this) {
                    if (failed) {
                        return;
                    }
                    if (ar.failed()) {
                        failed = true;
                    } else {
                        results[i] = ar.result();
                        done++;
                    }
                    complete = done == items.size();
                }
                if (ar.failed()) {
                    promise.tryFail(ar.cause());
                } else if (complete) {
                    promise.tryComplete(collect());
                } else {
                    launchNext();
                }
            });
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
