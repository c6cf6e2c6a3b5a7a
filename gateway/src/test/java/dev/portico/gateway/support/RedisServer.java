package dev.portico.gateway.support;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian package {@code redis-server}) on a free loopback port,
 * without persistence, for the shared-registry tests. It can be paused (SIGSTOP: connections stay
 * open and calls hang, as behind a dead route) and resumed. A missing binary fails the test with
 * the way out.
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final String password;
  private Process process;

  private RedisServer(Path dir, int port, String password) {
    this.dir = dir;
    this.port = port;
    this.password = password;
  }

  public static RedisServer start(Path dir) throws Exception {
    return start(dir, null);
  }

  public static RedisServer start(Path dir, String password) throws Exception {
    RedisServer server = new RedisServer(dir, Backends.closedPort(), password);
    server.launch();
    return server;
  }

  /**
   * Stops the server (its data is gone: no persistence) and starts an empty one on the same port.
   */
  public void restart() throws Exception {
    stop();
    launch();
  }

  private void launch() throws Exception {
    Path binary = require("redis-server");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--daemonize",
                "no",
                "--loglevel",
                "warning"));
    if (password != null) {
      cmd.addAll(List.of("--requirepass", password));
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve("redis-" + port + ".log").toFile()))
            .start();
    process = p;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!answersPing()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        fail(
            "redis-server did not start on port "
                + port
                + ": "
                + Files.readString(dir.resolve("redis-" + port + ".log")));
      }
      Thread.sleep(50);
    }
  }

  public int port() {
    return port;
  }

  public String endpoint() {
    return "redis://127.0.0.1:" + port;
  }

  public void pause() throws Exception {
    signal("STOP");
  }

  public void resume() throws Exception {
    signal("CONT");
  }

  /** Sends one command in RESP and returns the raw reply (enough for HLEN/PING in assertions). */
  public String command(String... args) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      if (password != null) {
        write(out, "AUTH", password);
        readLine(s.getInputStream());
      }
      write(out, args);
      return readLine(s.getInputStream());
    }
  }

  @Override
  public void close() throws Exception {
    resume();
    stop();
  }

  private void stop() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  private boolean answersPing() {
    try {
      return command("PING").startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private void signal(String name) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      fail("could not send SIG" + name + " to redis-server " + process.pid());
    }
  }

  private static void write(OutputStream out, String... args) throws IOException {
    StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      b.append('$')
          .append(a.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(a)
          .append("\r\n");
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  private static Path require(String name) {
    String path =
        System.getenv().getOrDefault("PATH", "")
            + File.pathSeparator
            + "/usr/bin"
            + File.pathSeparator
            + "/usr/sbin";
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name);
      }
    }
    return fail(
        "'"
            + name
            + "' is not installed: run scripts/install-test-tools.sh (as root; it installs the Debian"
            + " package 'redis-server', which CI installs before the tests)");
  }
}
