package dev.portico.gateway;

import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.observability.Observability;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.reload.ConfigSource;
import dev.portico.metrics.PorticoMetrics;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar portico-gateway.jar [--config FILE] [--validate] [--import-openapi FILE]
 * [--help] [--version]} (see {@link Cli} for the usage text, which is also {@code --help}'s).
 *
 * <p>The configuration is loaded and validated before Vert.x starts, so a bad file stops the
 * process with exit code 2 and one line per problem, having bound nothing. Without {@code --config}
 * (or {@code PORTICO_CONFIG}) the built-in default runs: local registry plus two demo backends
 * behind {@code /demo}.
 *
 * <p>Signals: SIGTERM and SIGINT drain the gateway ({@link GatewayVerticle#drain}) and then exit
 * with status 0; a second one ends the process at once (status 128 + the signal's number). SIGHUP
 * reloads the configuration.
 */
public final class GatewayApplication extends VertxApplication implements VertxApplicationHooks {

  /**
   * Exit status for an invalid configuration, or an invalid command line (the launcher's own codes
   * start at 11).
   */
  public static final int EXIT_INVALID_CONFIG = 2;

  private static final Logger log = LoggerFactory.getLogger(GatewayApplication.class);

  private final GatewayConfig config;
  private final ConfigSource source;

  /** The deployed gateway, for SIGHUP and SIGTERM; {@code null} until deployed. */
  private volatile GatewayVerticle gateway;

  /**
   * Created with Vert.x so that Vert.x's own meters land in the same registry; {@code null} when
   * metrics are off.
   */
  private PorticoMetrics metrics;

  private final AtomicInteger terminationSignals = new AtomicInteger();

  private GatewayApplication(GatewayConfig config, ConfigSource source) {
    // no launcher arguments: the command line is the gateway's own (Cli), not the Vert.x launcher's
    super(new String[0]);
    this.config = config;
    this.source = source;
  }

  public static void main(String[] args) {
    Cli cli;
    try {
      cli = Cli.parse(args, System.getenv());
    } catch (Cli.UsageException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: " + Cli.SYNOPSIS + " (--help for more)");
      System.exit(EXIT_INVALID_CONFIG);
      return;
    }
    switch (cli.action()) {
      case HELP -> {
        System.out.print(Cli.help());
        System.exit(0);
      }
      case VERSION -> {
        System.out.println(Cli.version());
        System.exit(0);
      }
      case IMPORT_OPENAPI -> {
        System.exit(
            dev.portico.gateway.openapi.ImportCommand.run(
                cli.importOpenApi(), System.out, System.err));
      }
      default -> {}
    }
    GatewayConfig config;
    ConfigSource source = new ConfigSource(cli.config(), System.getenv());
    try {
      config = ConfigLoader.loadBlocking(source.file(), source.env());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(EXIT_INVALID_CONFIG);
      return;
    }
    if (cli.action() == Cli.Action.VALIDATE) {
      try {
        // as a start would: what only compiling the policies finds (templates, keys, address
        // ranges)
        GatewayVerticle.checkPolicies(config);
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        System.exit(EXIT_INVALID_CONFIG);
        return;
      }
      System.out.println(Cli.valid(config));
      System.exit(0);
      return;
    }
    GatewayApplication app = new GatewayApplication(config, source);
    app.reloadOnHangup();
    app.drainOnTermination();
    app.launch();
  }

  /**
   * SIGTERM and SIGINT drain the gateway, then exit 0: the JVM's own handling would run the
   * shutdown hooks at once (closing every connection mid-request) and ignore a second signal.
   */
  private void drainOnTermination() {
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), this::terminationSignal);
      } catch (IllegalArgumentException unavailable) {
        // -Xrs, or a platform without it: the JVM's shutdown hook still stops Vert.x (without a
        // drain)
      }
    }
  }

  private void terminationSignal(sun.misc.Signal signal) {
    String name = "SIG" + signal.getName();
    GatewayVerticle g = gateway;
    if (terminationSignals.incrementAndGet() > 1) {
      log.warn(
          "{} again: stopping now, {} requests in flight are cut off",
          name,
          g == null ? 0 : g.inFlight());
      Runtime.getRuntime().halt(128 + signal.getNumber());
      return;
    }
    Future<?> drained = g == null ? Future.failedFuture("not deployed yet") : g.drain(name);
    drained.onComplete(
        ar -> {
          if (ar.failed()) {
            log.info("{}: stopping (the gateway had not started: nothing to drain)", name);
          }
          // not on the thread that completed the drain: an event loop, which closing Vert.x needs
          Thread exit = new Thread(() -> System.exit(0), "portico-exit");
          exit.start();
        });
  }

  /**
   * SIGHUP reloads the configuration, as it does for nginx and HAProxy ({@code kill -HUP}, {@code
   * docker kill -s HUP}); the JVM would otherwise exit on it.
   */
  private void reloadOnHangup() {
    try {
      sun.misc.Signal.handle(
          new sun.misc.Signal("HUP"),
          signal -> {
            GatewayVerticle g = gateway;
            // the reload logs how it ended; only a signal before the start is left to say here
            (g == null ? Future.failedFuture("not deployed yet") : g.reload())
                .onFailure(e -> log.warn("SIGHUP: no configuration reload: {}", e.getMessage()));
          });
    } catch (IllegalArgumentException unavailable) {
      // no SIGHUP on this platform, or the JVM runs with -Xrs: the admin API still reloads
    }
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    VertxBuilder builder = Vertx.builder();
    if (config.metrics().enabled()) {
      metrics = Observability.createMetrics(config);
      if (config.metrics().vertx()) {
        options.setMetricsOptions(metrics.vertxMetricsOptions(config.metrics().vertxHttp()));
        builder.withMetrics(metrics.vertxMetricsFactory());
      }
    }
    // opt-in epoll (when Netty's native library loads: Linux x86_64, as in the container); measured
    // no faster than the JDK's transport at 32 connections on 2 cores (bench/transport-ab.sh)
    return builder.with(
        options
            .setEventLoopPoolSize(config.eventLoops())
            .setPreferNativeTransport(config.nativeTransport()));
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> {
      GatewayVerticle g =
          new GatewayVerticle(config, config.eventLoops(), ExchangeObserver.NONE, metrics)
              .reloadableFrom(source);
      gateway = g;
      return g;
    };
  }

  /**
   * A start that failed for a reason outside the gateway ({@link StartFailure}: an unreachable
   * registry, a port taken) ends like an invalid configuration: one line on stderr, exit status 2,
   * no stack trace.
   */
  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable t) {
    Future<Void> closed = context.vertx().close();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConfigException invalid) {
        // what only compiling finds (a policy's template, key or address range): like any invalid
        // configuration
        System.err.println(invalid.getMessage());
        try {
          closed.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception stillClosing) {
          // exiting anyway
        }
        System.exit(EXIT_INVALID_CONFIG);
      }
      if (c instanceof StartFailure failure) {
        System.err.println("gateway not started: " + failure.getMessage());
        try {
          closed.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception stillClosing) {
          // exiting anyway
        }
        System.exit(EXIT_INVALID_CONFIG);
      }
    }
  }

  @Override
  public void afterVertxStopped(HookContext context) {
    if (metrics != null) {
      metrics.close();
    }
  }
}
