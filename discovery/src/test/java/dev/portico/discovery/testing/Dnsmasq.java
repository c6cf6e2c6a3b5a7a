package dev.portico.discovery.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server, Debian's {@code dnsmasq} (package {@code dnsmasq-base}, installed by
 * scripts/install-test-tools.sh), on a free loopback port (UDP and TCP), without upstream servers:
 * a name of the {@code test} domain it has no data for is NXDOMAIN (dnsmasq answers {@code test}
 * locally), a domain sent upstream ({@code --server=/orders.test/#}) is REFUSED. dnsmasq does not
 * re-read SRV records on SIGHUP, so the records change by {@link #restart(List) restarting} it on
 * the same port; queries sent meanwhile time out, as against a DNS server that is briefly down.
 */
public final class Dnsmasq implements AutoCloseable {

  private final Path dir;
  private final int port;
  private Process process;
  private Path log;
  private int runs;

  private Dnsmasq(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /**
   * @param records dnsmasq options describing the data, e.g. {@code
   *     --srv-host=_http._tcp.orders.test,a.orders.test,8081,10,60} and {@code
   *     --host-record=a.orders.test,127.0.0.1}
   */
  public static Dnsmasq start(Path dir, List<String> records) throws IOException {
    Dnsmasq d = new Dnsmasq(dir, freeUdpAndTcpPort());
    d.launch(records);
    return d;
  }

  public int port() {
    return port;
  }

  /** Stops the server and starts it again on the same port with other records. */
  public void restart(List<String> records) throws IOException {
    stop();
    launch(records);
  }

  /** Stops the server: queries time out until it is started again. */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts a stopped server again on the same port. */
  public void launch(List<String> records) throws IOException {
    String binary = require();
    log = dir.resolve("dnsmasq-" + port + "-" + (++runs) + ".log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary,
                "--no-daemon",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                "--no-poll",
                "--pid-file=",
                "--port=" + port,
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--local=/test/",
                "--log-facility=-",
                "--log-queries"));
    cmd.addAll(records);
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    process = p;
    Path l = log;
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              if (!p.isAlive()) {
                fail(
                    "dnsmasq exited ("
                        + p.exitValue()
                        + "): "
                        + Files.readString(l, StandardCharsets.UTF_8));
              }
              return Files.readString(l, StandardCharsets.UTF_8).contains("started, version");
            });
  }

  /** The log of the current run (queries included). */
  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    stop();
  }

  private static String require() {
    for (String candidate : List.of("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return fail(
        "dnsmasq is not installed: run scripts/install-test-tools.sh (Debian package dnsmasq-base)");
  }

  private static int freeUdpAndTcpPort() throws IOException {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    for (int attempt = 0; attempt < 50; attempt++) {
      try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
        int port = udp.getLocalPort();
        try (ServerSocket tcp = new ServerSocket()) {
          tcp.bind(new InetSocketAddress(loopback, port));
          return port;
        } catch (IOException taken) {
          // that port is in use for TCP: try another
        }
      }
    }
    throw new IOException("no port free for both UDP and TCP on 127.0.0.1");
  }
}
