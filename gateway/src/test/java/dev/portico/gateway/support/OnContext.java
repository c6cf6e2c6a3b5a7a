package dev.portico.gateway.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs a chain of HTTP client calls on a Vert.x event-loop context, for a test thread to await.
 *
 * <p>Why: composed from the test's own thread, a callback attached to a future that is already
 * complete runs at once on that thread. {@code client.request(..).compose(r ->
 * r.send()).compose(resp -> resp.body())} then calls {@code body()} from the test thread while the
 * event loop delivers the response: the end can slip past before the handler is set, and the future
 * never completes (seen under load: the server had answered, the client waited forever). On the
 * context, every callback runs on the event loop that delivers the response, in order.
 */
public final class OnContext {

  private OnContext() {}

  public static <T> Future<T> run(Vertx vertx, Supplier<Future<T>> calls) {
    Promise<T> done = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v -> {
              try {
                calls.get().onComplete(done);
              } catch (RuntimeException e) {
                done.fail(e);
              }
            });
    return done.future();
  }
}
