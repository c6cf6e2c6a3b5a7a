package dev.portico.gateway.lifecycle;

import dev.portico.gateway.config.ShutdownConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drain of a gateway, as started by SIGTERM or SIGINT:
 *
 * <ol>
 *   <li>at once, {@link DrainState} turns on: readiness answers 503 {@code draining}, and every
 *       response from now on closes its connection ({@code Connection: close}, HTTP/2 GOAWAY);
 *   <li>after {@link ShutdownConfig#delay()} the listeners stop accepting and close their idle
 *       connections; requests in flight go on, with their streaming bodies, retries and resends;
 *   <li>once every connection is closed the drain is over; at the latest when {@link
 *       ShutdownConfig#gracePeriod()} (counted from the signal) is over, and then what is still in
 *       flight is logged and counted, and cut off by the caller's stop.
 * </ol>
 *
 * Draining again returns the first drain's outcome.
 */
public final class GracefulShutdown {

  private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

  /**
   * @param abandoned requests still in flight when the grace period ended (0 when all finished)
   * @param took from the signal to the end of the drain
   */
  public record Outcome(int abandoned, Duration took) {}

  private final Vertx vertx;
  private final DrainState state;
  private final Supplier<List<? extends DrainableListener>> listeners;
  private final LongConsumer abandonedCounter;
  private Future<Outcome> running;

  /**
   * @param listeners the traffic listeners to close (asked when the delay is over)
   * @param abandonedCounter told how many requests the grace period cut off
   */
  public GracefulShutdown(
      Vertx vertx,
      DrainState state,
      Supplier<List<? extends DrainableListener>> listeners,
      LongConsumer abandonedCounter) {
    this.vertx = vertx;
    this.state = state;
    this.listeners = listeners;
    this.abandonedCounter = abandonedCounter;
  }

  /** Requests in flight on every listener now. */
  public int inFlight() {
    int n = 0;
    for (DrainableListener l : listeners.get()) {
      n += l.inFlight();
    }
    return n;
  }

  public synchronized Future<Outcome> drain(ShutdownConfig config, String cause) {
    if (running != null) {
      return running;
    }
    long start = System.nanoTime();
    state.begin(config.gracePeriod());
    Promise<Outcome> done = Promise.promise();
    running = done.future();
    log.info(
        "draining ({}): readiness answers 503; listeners close in {} s; {} requests in flight have until {} s"
            + " from now",
        cause,
        seconds(config.delay()),
        inFlight(),
        seconds(config.gracePeriod()));
    long graceTimer =
        vertx.setTimer(
            Math.max(1, config.gracePeriod().toMillis()),
            t -> {
              int left = inFlight();
              if (done.tryComplete(
                  new Outcome(left, Duration.ofNanos(System.nanoTime() - start)))) {
                abandonedCounter.accept(left);
                log.warn(
                    "drain: grace period of {} s over with {} requests still in flight: they are cut off",
                    seconds(config.gracePeriod()),
                    left);
              }
            });
    Runnable close =
        () -> {
          List<? extends DrainableListener> all = listeners.get();
          log.info(
              "drain: the listeners stop accepting connections; waiting for {} requests in flight",
              inFlight());
          // Vert.x force-closes a little after the grace period, so that what is left is counted
          // first
          long timeout = state.remainingMillis() + 1_000;
          Future.join(all.stream().map(l -> l.stopAccepting(timeout)).toList())
              .onComplete(
                  ar -> {
                    vertx.cancelTimer(graceTimer);
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    if (done.tryComplete(new Outcome(0, took))) {
                      log.info(
                          "drain: every request finished, every connection closed after {} ms",
                          took.toMillis());
                    }
                  });
        };
    if (config.delay().isZero()) {
      close.run();
    } else {
      vertx.setTimer(config.delay().toMillis(), t -> close.run());
    }
    return running;
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0
        ? String.valueOf(d.toSeconds())
        : String.valueOf(d.toMillis() / 1000.0);
  }
}
