package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.support.GatewayProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    // a number, not 0: the backend must point at the traffic port, and the port must be free
    // afterwards; the gateway refuses the configuration before it binds anything
    int port = GatewayProcess.freePort();
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
    Map<String, String> env = GatewayProcess.LOOPBACK_ANY_PORTS;
    AtomicInteger trafficPort = new AtomicInteger();
    Result r =
        run(
            List.of(),
            env,
            gateway -> {
              int traffic = gateway.trafficPort();
              int management = gateway.managementPort();
              trafficPort.set(traffic);
              WebClient web = WebClient.create(vertx);
              JsonObject body =
                  web.get(traffic, "127.0.0.1", "/demo/hello").send().await().bodyAsJsonObject();
              assertThat(body.getString("service")).isEqualTo("demo-echo");
              assertThat(body.getString("path")).isEqualTo("/hello");
              assertThat(
                      web.get(management, "127.0.0.1", "/health/ready").send().await().statusCode())
                  .isEqualTo(200);
            });
    assertThat(r.stdout).contains("ready: traffic on http://127.0.0.1:" + trafficPort.get());
  }

  @Test
  void sighupReloadsTheConfigurationFileOnTheNativeTransport(Vertx vertx, @TempDir Path dir)
      throws Exception {
    int one = dev.portico.gateway.support.Backends.echo(vertx, "one").actualPort();
    int two = dev.portico.gateway.support.Backends.echo(vertx, "two").actualPort();
    // port 0: the gateway reports the ports it was given in its ready line
    String common =
        """
      gateway: { nativeTransport: true }
      listeners: { traffic: { host: 127.0.0.1, port: 0 }, management: { host: 127.0.0.1, port: 0 } }
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """;
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, common.formatted(one));
    WebClient web = WebClient.create(vertx);
    Result r =
        run(
            List.of("--config", config.toString()),
            Map.of(),
            gateway -> {
              int traffic = gateway.trafficPort();
              assertThat(
                      web.get(traffic, "127.0.0.1", "/a")
                          .send()
                          .await()
                          .bodyAsJsonObject()
                          .getString("name"))
                  .isEqualTo("one");
              Files.writeString(config, common.formatted(two));
              Process hup =
                  new ProcessBuilder("kill", "-HUP", String.valueOf(gateway.pid()))
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
              assertThat(gateway.alive()).as("SIGHUP must not stop the gateway").isTrue();
            });
    assertThat(r.stdout).contains("configuration reloaded from " + config + ": generation 2");
    // Linux x86_64 here and in the container: Netty's epoll library loads
    assertThat(r.stdout).contains("transport: native");
  }

  record Result(int exit, String stdout, String stderr) {}

  /** What to do while the launched gateway is up (its ports are in its ready line). */
  interface WhileUp {
    void run(GatewayProcess gateway) throws Exception;
  }

  /**
   * Runs the launcher; with {@code whileUp}, waits for readiness, runs it, then stops the process
   * (SIGTERM).
   */
  static Result run(List<String> args, Map<String, String> env, WhileUp whileUp) throws Exception {
    try (GatewayProcess p = GatewayProcess.start(args, env)) {
      if (whileUp != null) {
        p.awaitReady();
        whileUp.run(p);
        if (p.alive()) {
          p.signal("TERM");
        }
      }
      int exit = p.awaitExit(Duration.ofSeconds(60));
      return new Result(exit, p.stdout(), p.stderr());
    }
  }
}
