package dev.portico.gateway.reload;

import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.document.RootCause;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the configuration source again and decides: apply (only APIs, backends, named values and
 * certificates changed), nothing to do, or refuse whole (invalid, or a section only a restart
 * applies). Reloads run one at a time, in the order asked, on the gateway's context; the gateway
 * applies an accepted configuration itself.
 */
public final class ConfigReloader {

  private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

  private final Vertx vertx;
  private final Context context;
  private final ConfigSource source;
  private final Supplier<GatewayConfig> running;
  private final BiConsumer<GatewayConfig, ConfigChange> apply;
  private final Consumer<ReloadResult> outcomes;
  private volatile long generation = 1;
  private volatile ReloadResult last;
  private Future<ReloadResult> reloading = Future.succeededFuture();

  /**
   * @param context the gateway's context, where reloads run and {@code apply} is called
   * @param source where to read again; {@code null} when the gateway was given its configuration in
   *     memory
   * @param running the configuration in force
   * @param apply puts an accepted configuration in force; throws when it cannot, leaving the
   *     running one untouched
   * @param outcomes told about every result (metrics)
   */
  public ConfigReloader(
      Vertx vertx,
      Context context,
      ConfigSource source,
      Supplier<GatewayConfig> running,
      BiConsumer<GatewayConfig, ConfigChange> apply,
      Consumer<ReloadResult> outcomes) {
    this.vertx = vertx;
    this.context = context;
    this.source = source;
    this.running = running;
    this.apply = apply;
    this.outcomes = outcomes;
  }

  /** How many configurations this process has run: 1 at start, +1 per applied reload. */
  public long generation() {
    return generation;
  }

  /** How the last reload ended; {@code null} before the first. */
  public ReloadResult last() {
    return last;
  }

  /**
   * Completes (never fails) with how the reload ended; only {@link ReloadResult.Applied} changed
   * anything.
   */
  public Future<ReloadResult> reload() {
    Promise<ReloadResult> done = Promise.promise();
    context.runOnContext(
        v -> {
          Future<ReloadResult> next = reloading.transform(ar -> once());
          reloading = next;
          next.onComplete(done);
        });
    return done.future();
  }

  private Future<ReloadResult> once() {
    Instant at = Instant.now();
    if (source == null) {
      return Future.succeededFuture(
          ended(
              new ReloadResult.Failed(
                  at,
                  "this gateway was started from an in-memory configuration: there is no file to read again")));
    }
    return source
        .load(vertx)
        .transform(
            ar ->
                Future.succeededFuture(
                    ended(
                        ar.succeeded()
                            ? decide(at, ar.result())
                            : ar.cause() instanceof ConfigException ce
                                ? new ReloadResult.Invalid(at, ce.problems())
                                : new ReloadResult.Failed(at, RootCause.message(ar.cause())))));
  }

  private ReloadResult decide(Instant at, GatewayConfig loaded) {
    GatewayConfig current = running.get();
    // a hop id generated at start is kept: this gateway's identity in Via headers and logs stays
    // put
    GatewayConfig next =
        loaded.gatewayIdConfigured() ? loaded : loaded.withGatewayId(current.gatewayId());
    ConfigChange change = ConfigChange.between(current, next);
    if (!change.restartRequired().isEmpty()) {
      return new ReloadResult.RestartRequired(at, change.restartRequired());
    }
    if (change.isEmpty()) {
      return new ReloadResult.Unchanged(at, generation);
    }
    try {
      apply.accept(next, change);
    } catch (ConfigException e) {
      // what only compiling can find (a policy's template, key or address range): refused whole
      return new ReloadResult.Invalid(at, e.problems());
    } catch (RuntimeException e) {
      // a validated configuration applies; should it not, the running one stays
      log.error("configuration reload: the new configuration could not be applied", e);
      return new ReloadResult.Failed(at, "the configuration could not be applied: " + e);
    }
    generation++;
    return new ReloadResult.Applied(at, generation, change);
  }

  private ReloadResult ended(ReloadResult result) {
    last = result;
    outcomes.accept(result);
    String from = running.get().source();
    if (result instanceof ReloadResult.Applied a) {
      log.info(
          "configuration reloaded from {}: generation {}; APIs {}; backends {}; named values {}",
          from,
          a.generation(),
          summary(a.change().apis()),
          summary(a.change().backends()),
          summary(a.change().namedValues()));
    } else if (result instanceof ReloadResult.Unchanged u) {
      log.info("configuration reload: {} is unchanged (generation {})", from, u.generation());
    } else if (result instanceof ReloadResult.Invalid i) {
      log.warn(
          "configuration reload refused, the running configuration stays:\n  {}",
          String.join("\n  ", i.problems().stream().map(Object::toString).toList()));
    } else if (result instanceof ReloadResult.RestartRequired r) {
      log.warn(
          "configuration reload refused, the running configuration stays: {} changed, which only a restart applies",
          String.join(", ", r.sections()));
    } else if (result instanceof ReloadResult.Failed f) {
      log.warn("configuration reload failed, the running configuration stays: {}", f.reason());
    }
    return result;
  }

  private static String summary(ConfigChange.Diff d) {
    return d.isEmpty()
        ? "unchanged"
        : "added " + d.added() + " removed " + d.removed() + " changed " + d.changed();
  }
}
