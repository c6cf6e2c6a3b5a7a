package dev.portico.gateway.support;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A bounded steady load: {@code workers} sequential clients sending GETs until stopped, or until
 * the request or time bound is reached, whichever comes first. Each answer is recorded with the
 * time it arrived and, for JSON echo backends, the {@code name} of the instance that served it.
 *
 * <p>A test drives its scenario by what the load has observed ({@link #awaitHits}), never by
 * sleeping: how many requests fit in a second depends on the machine, so the bounds given to {@link
 * #start} are generous safety nets, and the test stops the load itself once the condition it waits
 * for has been seen.
 */
public final class Load {

  /**
   * Safety nets for {@link #start(Vertx, int, String, int)}: far more than any test needs on any
   * machine.
   */
  public static final int MAX_REQUESTS = 5_000_000;

  public static final long MAX_MILLIS = 90_000;

  public record Hit(long atNanos, int status, String instance) {}

  private final Queue<Hit> hits = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger sent = new AtomicInteger();
  private final List<Future<Void>> workers = new ArrayList<>();

  private Load() {}

  /** A load that runs until {@link #stop()}, bounded only by the safety nets. */
  public static Load start(Vertx vertx, int port, String path, int workers) {
    return start(vertx, port, path, workers, MAX_REQUESTS, MAX_MILLIS);
  }

  public static Load start(
      Vertx vertx, int port, String path, int workers, int maxRequests, long maxMillis) {
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

  private void loop(
      WebClient web,
      int port,
      String path,
      int maxRequests,
      long started,
      long maxMillis,
      Promise<Void> done) {
    if (stop.get()
        || sent.incrementAndGet() > maxRequests
        || System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(maxMillis)) {
      done.tryComplete();
      return;
    }
    web.get(port, "127.0.0.1", path)
        .send()
        .onComplete(
            ar -> {
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

  /**
   * Waits until at least {@code count} answers matching {@code which} have arrived. Fails if the
   * load ended (a safety net reached) before that.
   */
  public void awaitHits(int count, Predicate<Hit> which, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(25))
        .until(
            () -> {
              if (count(which) >= count) {
                return true;
              }
              if (workers.stream().allMatch(Future::isComplete)) {
                throw new AssertionError(
                    "the load ended (a safety bound was reached) before "
                        + count
                        + " matching answers");
              }
              return false;
            });
  }

  /**
   * Waits until at least {@code count} answers came from {@code instance} after {@code sinceNanos}.
   */
  public void awaitServedBy(String instance, int count, long sinceNanos, Duration atMost) {
    awaitHits(count, h -> h.atNanos() > sinceNanos && h.instance().equals(instance), atMost);
  }

  /**
   * Waits until an answer arrives after {@code nanos} (a {@link System#nanoTime()} reading):
   * traffic went on past it.
   */
  public void awaitAnswerAfter(long nanos, Duration atMost) {
    awaitHits(1, h -> h.atNanos() > nanos, atMost);
  }

  public long count(Predicate<Hit> which) {
    long n = 0;
    for (Hit h : hits) {
      if (which.test(h)) {
        n++;
      }
    }
    return n;
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
