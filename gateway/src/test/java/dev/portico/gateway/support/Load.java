package dev.portico.gateway.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded steady load: {@code workers} sequential clients sending GETs until stopped, or until
 * the request or time bound is reached, whichever comes first. Each answer is recorded with the
 * time it arrived and, for JSON echo backends, the {@code name} of the instance that served it.
 */
public final class Load {

  public record Hit(long atNanos, int status, String instance) {
  }

  private final Queue<Hit> hits = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger sent = new AtomicInteger();
  private final List<Future<Void>> workers = new ArrayList<>();

  private Load() {
  }

  public static Load start(Vertx vertx, int port, String path, int workers, int maxRequests, long maxMillis) {
    Load load = new Load();
    WebClient web = WebClient.create(vertx);
    long started = System.nanoTime();
    for (int w = 0; w < workers; w++) {
      Promise<Void> done = Promise.promise();
      load.workers.add(done.future());
      vertx.runOnContext(v -> load.loop(web, port, path, maxRequests, started, maxMillis, done));
    }
    return load;
  }

  private void loop(WebClient web, int port, String path, int maxRequests, long started, long maxMillis, Promise<Void> done) {
    if (stop.get() || sent.incrementAndGet() > maxRequests
      || System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(maxMillis)) {
      done.tryComplete();
      return;
    }
    web.get(port, "127.0.0.1", path).send().onComplete(ar -> {
      long now = System.nanoTime();
      if (ar.succeeded()) {
        String instance = "-";
        if (ar.result().statusCode() == 200) {
          JsonObject body = ar.result().bodyAsJsonObject();
          instance = body == null ? "-" : body.getString("name", "-");
        }
        hits.add(new Hit(now, ar.result().statusCode(), instance));
      } else {
        hits.add(new Hit(now, -1, "-"));
      }
      loop(web, port, path, maxRequests, started, maxMillis, done);
    });
  }

  /** Stops the workers and waits for their last requests. */
  public List<Hit> stop() throws java.util.concurrent.TimeoutException {
    stop.set(true);
    Future.all(workers).await(30, TimeUnit.SECONDS);
    return hits();
  }

  public List<Hit> hits() {
    return List.copyOf(hits);
  }
}
