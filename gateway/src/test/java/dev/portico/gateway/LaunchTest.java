package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher in a child JVM: bad configuration exits non-zero having bound nothing; the
 * default starts and serves.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LaunchTest {

  @Test
  void invalidConfigurationExitsWithOneLinePerProblem(@TempDir Path dir) throws Exception {
    int port = freePort();
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
      listeners: { traffic: { port: %d } }
      backends:
        - { id: self, url: "http://127.0.0.1:%d" }
        - { id: self, url: "http://10.0.0.1" }
      apis:
        - { id: a, path: /a, backend: ghost, tiemout: 1 }
      """
            .formatted(port, port));
    Result r = run(List.of("--config", config.toString()), Map.of(), null);
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.stderr)
        .contains("invalid configuration (4 problems)")
        .contains(config + ": apis[0].tiemout: unknown field")
        .contains(config + ": backends[0].url: points at this gateway's own traffic listener")
        .contains(config + ": backends[1].id: duplicate backend id 'self'")
        .contains(config + ": apis[0].backend: unknown backend 'ghost'");
    // nothing was bound: the port is still free
    try (ServerSocket s = new ServerSocket(port)) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void theBuiltInDefaultServesTheDemoApi(Vertx vertx) throws Exception {
    int traffic = freePort();
    int management = freePort();
    Map<String, String> env =
        Map.of(
            "PORTICO_LISTENERS__TRAFFIC__PORT",
            String.valueOf(traffic),
            "PORTICO_LISTENERS__TRAFFIC__HOST",
            "127.0.0.1",
            "PORTICO_LISTENERS__MANAGEMENT__PORT",
            String.valueOf(management),
            "PORTICO_LISTENERS__MANAGEMENT__HOST",
            "127.0.0.1");
    Result r =
        run(
            List.of(),
            env,
            process -> {
              WebClient web = WebClient.create(vertx);
              JsonObject body =
                  web.get(traffic, "127.0.0.1", "/demo/hello").send().await().bodyAsJsonObject();
              assertThat(body.getString("service")).isEqualTo("demo-echo");
              assertThat(body.getString("path")).isEqualTo("/hello");
              assertThat(
                      web.get(management, "127.0.0.1", "/health/ready").send().await().statusCode())
                  .isEqualTo(200);
            });
    assertThat(r.stdout).contains("ready: traffic on http://127.0.0.1:" + traffic);
  }

  @Test
  void sighupReloadsTheConfigurationFileOnTheNativeTransport(Vertx vertx, @TempDir Path dir)
      throws Exception {
    int one = dev.portico.gateway.support.Backends.echo(vertx, "one").actualPort();
    int two = dev.portico.gateway.support.Backends.echo(vertx, "two").actualPort();
    int traffic = freePort();
    String common =
        """
      gateway: { nativeTransport: true }
      listeners: { traffic: { host: 127.0.0.1, port: %d }, management: { host: 127.0.0.1, port: %d } }
      backends: [ { id: b, url: "http://127.0.0.1:%%d" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """
            .formatted(traffic, freePort());
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, common.formatted(one));
    WebClient web = WebClient.create(vertx);
    Result r =
        run(
            List.of("--config", config.toString()),
            Map.of(),
            process -> {
              assertThat(
                      web.get(traffic, "127.0.0.1", "/a")
                          .send()
                          .await()
                          .bodyAsJsonObject()
                          .getString("name"))
                  .isEqualTo("one");
              Files.writeString(config, common.formatted(two));
              Process hup =
                  new ProcessBuilder("kill", "-HUP", String.valueOf(process.pid()))
                      .inheritIO()
                      .start();
              assertThat(hup.waitFor(10, TimeUnit.SECONDS)).isTrue();
              // the reload is an observable event: wait for it, generously (a loaded machine starts
              // JVMs slowly)
              await("SIGHUP reloads the configuration")
                  .atMost(Duration.ofSeconds(60))
                  .pollInterval(Duration.ofMillis(100))
                  .until(
                      () ->
                          "two"
                              .equals(
                                  web.get(traffic, "127.0.0.1", "/a")
                                      .send()
                                      .await()
                                      .bodyAsJsonObject()
                                      .getString("name")));
              assertThat(process.isAlive()).as("SIGHUP must not stop the gateway").isTrue();
            });
    assertThat(r.stdout).contains("configuration reloaded from " + config + ": generation 2");
    // Linux x86_64 here and in the container: Netty's epoll library loads
    assertThat(r.stdout).contains("transport: native");
  }

  record Result(int exit, String stdout, String stderr) {}

  /** What to do while the launched gateway is up. */
  interface WhileUp {
    void run(Process process) throws Exception;
  }

  /**
   * Runs the launcher; with {@code whileUp}, waits for readiness, runs it, then stops the process.
   */
  static Result run(List<String> args, Map<String, String> env, WhileUp whileUp) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                GatewayApplication.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("PORTICO_"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile("launch", ".out");
    Path err = Files.createTempFile("launch", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    try {
      if (whileUp != null) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(out).contains("ready: traffic on")) {
          assertThat(p.isAlive()).as("gateway exited early: %s", Files.readString(err)).isTrue();
          assertThat(System.nanoTime()).as("gateway did not start in time").isLessThan(deadline);
          Thread.sleep(100);
        }
        whileUp.run(p);
        p.destroy();
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
