package dev.portico.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.GatewayApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real gateway launcher ({@link GatewayApplication#main}) in a child JVM, as an operator runs
 * it: command line, environment, signals, exit status, and its log (stdout and stderr, each in a
 * file). Every {@code PORTICO_*} variable of the test's own environment is removed first.
 */
public final class GatewayProcess implements AutoCloseable {

  private final Process process;
  private final Path out;
  private final Path err;

  private GatewayProcess(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /**
   * The environment that puts both listeners on loopback, on ports the kernel picks: read them back
   * with {@link #trafficPort()} and {@link #managementPort()} once ready. A port picked beforehand
   * could be taken first (the built-in default binds its demo backends on ephemeral ports in the
   * same process).
   */
  public static final Map<String, String> LOOPBACK_ANY_PORTS =
      Map.of(
          "PORTICO_LISTENERS__TRAFFIC__HOST", "127.0.0.1",
          "PORTICO_LISTENERS__TRAFFIC__PORT", "0",
          "PORTICO_LISTENERS__MANAGEMENT__HOST", "127.0.0.1",
          "PORTICO_LISTENERS__MANAGEMENT__PORT", "0");

  /**
   * Starts the launcher with {@code args} and {@code env} (added to this JVM's environment minus
   * {@code PORTICO_*}).
   */
  public static GatewayProcess start(List<String> args, Map<String, String> env) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                GatewayApplication.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("PORTICO_"));
    pb.environment().putAll(env);
    try {
      Path out = Files.createTempFile("gateway", ".out");
      Path err = Files.createTempFile("gateway", ".err");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      return new GatewayProcess(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the launcher to its end (for commands that exit by themselves: --help, --validate ...).
   */
  public static GatewayProcess run(List<String> args, Map<String, String> env) {
    GatewayProcess p = start(args, env);
    p.awaitExit(Duration.ofSeconds(60));
    return p;
  }

  /** Waits for the start-up line ("ready: traffic on ..."); fails early when the process exits. */
  public GatewayProcess awaitReady() {
    return awaitLog("ready: traffic on", Duration.ofSeconds(60));
  }

  private static final Pattern READY =
      Pattern.compile("ready: traffic on https?://\\S+:(\\d+), management on https?://\\S+:(\\d+)");

  /**
   * The traffic port the ready line names: a gateway started on port 0 reports the port the kernel
   * gave it, so a test need not pick a "free" port that something else may take before the gateway
   * binds it.
   */
  public int trafficPort() {
    return readyPort(1);
  }

  /** The management port the ready line names (see {@link #trafficPort()}). */
  public int managementPort() {
    return readyPort(2);
  }

  private int readyPort(int group) {
    Matcher m = READY.matcher(log());
    if (!m.find()) {
      throw new IllegalStateException("no ready line yet (awaitReady first):\n" + log());
    }
    return Integer.parseInt(m.group(group));
  }

  /**
   * Waits until stdout or stderr contains {@code text}; fails early when the process exits without
   * it.
   */
  public GatewayProcess awaitLog(String text, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              if (log().contains(text)) {
                return true;
              }
              if (!process.isAlive() && !log().contains(text)) {
                throw new AssertionError(
                    "the gateway exited ("
                        + process.exitValue()
                        + ") without logging '"
                        + text
                        + "':\n"
                        + log());
              }
              return false;
            });
    return this;
  }

  /**
   * Sends a signal by name ({@code TERM}, {@code INT}, {@code HUP}) with kill(1), as an operator or
   * an orchestrator would.
   */
  public void signal(String name) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits for the process to end; fails if it is still running after {@code atMost}. */
  public int awaitExit(Duration atMost) {
    try {
      if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the gateway still runs after " + atMost + ":\n" + log());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return process.exitValue();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public String stdout() {
    return read(out);
  }

  public String stderr() {
    return read(err);
  }

  /**
   * Waits for a refused start: exit status 2 and exactly one line on stderr (blank ones aside),
   * which it returns; fails, showing the output, otherwise.
   */
  public String refusedStartLine(Duration atMost) {
    assertThat(awaitExit(atMost)).as(log()).isEqualTo(2);
    List<String> lines = stderr().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(log()).hasSize(1);
    return lines.get(0);
  }

  /** stdout then stderr. */
  public String log() {
    return stdout() + stderr();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    } catch (IOException ignored) {
      // temporary files
    }
  }

  /**
   * A port free now, and nothing more: it is free only until something else binds it, and the
   * gateway's own demo backends (ephemeral ports, bound in the same process before its listeners)
   * or any other process may take it between this call and a bind. So never a port for a listener
   * the gateway is meant to open: start the gateway on port 0 and read its ports from the ready
   * line ({@link #trafficPort()}, {@link #managementPort()}).
   *
   * <p>Only for a number a test needs although the gateway must not bind it: a configuration that
   * is only validated, or refused before any listener opens, where port 0 would change what is
   * checked (a backend pointing at the traffic port; that the port is still free afterwards).
   */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
