package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayProcess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's command line and environment, through the real launcher in a child JVM: --help,
 * --version, --validate (--check), usage errors, every documented {@code PORTICO_*} variable, and a
 * clean start without a single WARN line.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliTest {

  /** The repository root (surefire runs in the module's folder). */
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  static final Pattern VARIABLE = Pattern.compile("PORTICO_[A-Z0-9_]+");

  /**
   * Names the documentation shows as mistakes (a misspelt override, single underscores), and an
   * error code.
   */
  static final Set<String> NOT_VARIABLES =
      Set.of(
          "PORTICO_LISTENERS__TRAFIC__PORT",
          "PORTICO_LISTENERS_TRAFFIC_PORT",
          "PORTICO_LISTENER_UNAVAILABLE");

  final List<GatewayProcess> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(GatewayProcess::close);
  }

  GatewayProcess run(List<String> args, Map<String, String> env) {
    GatewayProcess p = GatewayProcess.run(args, env);
    processes.add(p);
    return p;
  }

  GatewayProcess start(List<String> args, Map<String, String> env) {
    GatewayProcess p = GatewayProcess.start(args, env);
    processes.add(p);
    return p;
  }

  @Test
  void helpDocumentsTheGatewaysOwnOptionsEnvironmentAndSignals() {
    GatewayProcess p = run(List.of("--help"), Map.of());
    assertThat(p.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(p.stdout())
        .contains(
            "--config FILE",
            "--validate",
            "--check",
            "--version",
            "PORTICO_CONFIG",
            "PORTICO_LOG_LEVEL",
            "PORTICO_ADMIN_TOKEN",
            "PORTICO_HEALTHCHECK_SCHEME",
            "PORTICO_LISTENERS__TRAFFIC__PORT",
            "SIGTERM",
            "gateway.shutdown.delay",
            "gateway.shutdown.gracePeriod",
            "SIGHUP",
            "Exit status");
    // not the Vert.x launcher's
    assertThat(p.stdout())
        .doesNotContainIgnoringCase("cluster")
        .doesNotContain("-instances")
        .doesNotContain("mainVerticle");
  }

  @Test
  void versionNamesTheGatewayAndVertx() {
    GatewayProcess p = run(List.of("--version"), Map.of());
    assertThat(p.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(p.stdout())
        .matches(
            "portico-gateway \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Eclipse Vert.x 5\\.[0-9.]+, Java .*\\)\\R");
  }

  @Test
  void unknownOptionsAreUsageErrors() {
    for (String bad : List.of("-cluster", "--instances=4", "run", "--config")) {
      GatewayProcess p = run(List.of(bad), Map.of());
      assertThat(p.awaitExit(Duration.ofSeconds(30))).as(bad).isEqualTo(2);
      assertThat(p.stderr()).as(bad).contains("usage: java -jar portico-gateway.jar");
    }
  }

  @Test
  void validateChecksAsAStartWouldReportsEveryProblemAndBindsNothing(@TempDir Path dir)
      throws Exception {
    // a number for the traffic listener, not 0: the report names it, and it must still be free
    // afterwards (validating binds nothing); the management listener's is 0
    int port = GatewayProcess.freePort();
    Path good = dir.resolve("good.yaml");
    Files.writeString(
        good,
        """
      listeners: { traffic: { host: 127.0.0.1, port: %d }, management: { host: 127.0.0.1, port: 0 } }
      backends: [ { id: b, url: "http://10.0.0.1:8080" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """
            .formatted(port));
    GatewayProcess ok = run(List.of("--validate", "--config", good.toString()), Map.of());
    assertThat(ok.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(ok.stdout())
        .startsWith(
            "configuration valid: "
                + good
                + " (1 API, 1 backend, 0 named values; traffic http://127.0.0.1:"
                + port);

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
      listeners: { traffic: { port: %d } }
      backends: [ { id: b, url: "http://10.0.0.1:8080", timeouts: { respone: PT1S } } ]
      apis: [ { id: a, path: /a, backend: nowhere } ]
      """
            .formatted(port));
    GatewayProcess ko =
        run(
            List.of("--check", "--config=" + bad),
            Map.of("PORTICO_LISTENERS__TRAFIC__PORT", "8081"));
    assertThat(ko.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(ko.stderr())
        .contains(
            "invalid configuration (3 problems)",
            bad + ": backends[0].timeouts.respone: unknown field (did you mean 'response'?)",
            bad + ": apis[0].backend: unknown backend 'nowhere' (defined: b)",
            // a misspelt override is the variable's problem, not the file's
            "environment variable PORTICO_LISTENERS__TRAFIC__PORT: listeners.trafic: unknown field (did you mean 'traffic'?)");
    assertThat(ko.stdout()).doesNotContain("configuration valid");
    // nothing was bound
    try (ServerSocket s = new ServerSocket(port)) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void everyPorticoVariableTheDocumentationNamesIsAcceptedAndTheGatewayStarts(
      Vertx vertx, @TempDir Path dir) throws Exception {
    int echo = Backends.echo(vertx, "echo").actualPort();
    String token = "documented-admin-token-0123";
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        """
      namedValues:
        - { name: admin-token, env: PORTICO_ADMIN_TOKEN }
        - { name: orders-key, env: PORTICO_ORDERS_KEY }
      admin: { token: "{{admin-token}}" }
      registry:
        instances:
          - { service: pooled, url: "http://127.0.0.1:1/0" }
          - { service: pooled, url: "http://127.0.0.1:1/1" }
          - { service: pooled, url: "http://127.0.0.1:1/2" }
      backends:
        - { id: direct, url: "http://127.0.0.1:1", credentials: { header: { x-orders-key: "{{orders-key}}" } } }
        - { id: other, url: "http://127.0.0.1:1" }
        - { id: orders, url: "fabric:/Shop/Orders" }
        - { id: pooled, url: pooled }
      apis:
        - { id: orders, path: /orders, backend: orders, set-backend-service: { sf-partition-key: "segment:0" } }
        - { id: direct, path: /direct, backend: direct }
        - { id: pooled, path: /pooled, backend: pooled }
      """);
    Map<String, String> values = new HashMap<>();
    values.put("PORTICO_CONFIG", config.toString());
    values.put("PORTICO_LOG_LEVEL", "INFO");
    values.put("PORTICO_CONFIG_MAX_CHARS", "1048576");
    values.put("PORTICO_ADMIN_TOKEN", token);
    values.put("PORTICO_HEALTHCHECK_SCHEME", "http");
    // the documentation's example of a named value read from a PORTICO_ variable of one's own
    values.put("PORTICO_ORDERS_KEY", "orders-secret");
    // ports the kernel picks, read back from the ready line
    values.putAll(GatewayProcess.LOOPBACK_ANY_PORTS);
    values.put("PORTICO_LISTENERS__SERVICEFABRICREVERSEPROXY__HOST", "127.0.0.1");
    values.put("PORTICO_LISTENERS__SERVICEFABRICREVERSEPROXY__PORT", "0");
    values.put("PORTICO_GATEWAY__ID", "documented-env");
    values.put("PORTICO_GATEWAY__EVENTLOOPS", "1");
    values.put("PORTICO_GATEWAY__SHUTDOWN__DELAY", "PT0S");
    values.put("PORTICO_GATEWAY__SHUTDOWN__GRACEPERIOD", "PT10S");
    values.put("PORTICO_DEMO__INSTANCES", "1");
    values.put("PORTICO_BACKENDS__0__URL", "http://127.0.0.1:" + echo + "/direct");
    values.put("PORTICO_BACKENDS__0__TIMEOUTS__RESPONSE", "PT10S");
    values.put("PORTICO_BACKENDS__1__URL", "http://127.0.0.1:" + echo + "/other");
    for (int i = 0; i < 3; i++) {
      values.put(
          "PORTICO_REGISTRY__INSTANCES__" + i + "__URL",
          "http://127.0.0.1:" + echo + "/pooled-" + i);
    }
    values.put("PORTICO_REGISTRY__REFRESHINTERVAL", "PT1S");
    // docs/operations.md's measurements at scale
    values.put("PORTICO_METRICS__ENABLED", "false");
    values.put("PORTICO_UPSTREAM__MAXCONNECTIONSPERENDPOINT", "2");
    values.put("PORTICO_APIS__0__SET_BACKEND_SERVICE__SF_PARTITION_KEY", "header:X-Tenant");

    Set<String> documented = documentedVariables();
    assertThat(documented)
        .as("the documentation names the variables")
        .contains("PORTICO_CONFIG", "PORTICO_ADMIN_TOKEN");
    assertThat(values.keySet())
        .as("every variable the documentation names has a value in this test")
        .containsAll(documented);
    assertThat(documented).containsAll(ConfigLoader.RESERVED_VARIABLES);

    GatewayProcess p = start(List.of(), values).awaitReady();
    int traffic = p.trafficPort();
    int management = p.managementPort();
    WebClient web = WebClient.create(vertx);
    HttpResponse<Buffer> direct = web.get(traffic, "127.0.0.1", "/direct/x").send().await();
    assertThat(direct.statusCode()).isEqualTo(200);
    assertThat(direct.bodyAsJsonObject().getString("path")).isEqualTo("/direct/x");
    assertThat(direct.bodyAsJsonObject().getJsonObject("headers").getString("via"))
        .isEqualTo("1.1 documented-env");
    assertThat(direct.bodyAsJsonObject().getJsonObject("headers").getString("x-orders-key"))
        .isEqualTo("orders-secret");
    assertThat(
            web.get(traffic, "127.0.0.1", "/pooled/y")
                .send()
                .await()
                .bodyAsJsonObject()
                .getString("path"))
        .startsWith("/pooled-");
    assertThat(
            web.get(management, "127.0.0.1", "/admin/config")
                .bearerTokenAuthentication(token)
                .send()
                .await()
                .bodyAsJsonObject()
                .getString("gatewayId"))
        .isEqualTo("documented-env");
    assertThat(p.stdout()).contains("config: " + config + ")");
  }

  @Test
  void aCleanStartAndStopLogNoWarning(Vertx vertx) throws Exception {
    GatewayProcess p = start(List.of(), GatewayProcess.LOOPBACK_ANY_PORTS).awaitReady();
    int traffic = p.trafficPort();
    int management = p.managementPort();
    WebClient web = WebClient.create(vertx);
    assertThat(web.get(traffic, "127.0.0.1", "/demo/hello").send().await().statusCode())
        .isEqualTo(200);
    // the request is counted when its response has been written, which the client can see first
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        web.get(management, "127.0.0.1", "/metrics").send().await().bodyAsString())
                    .contains("portico_request_duration_seconds"));
    assertThat(p.log()).doesNotContain(" WARN ").doesNotContain(" ERROR ");
    p.signal("TERM");
    assertThat(p.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(p.log()).doesNotContain(" WARN ").doesNotContain(" ERROR ");
  }

  /**
   * Every {@code PORTICO_*} name in the README, docs/, the image and the Kubernetes manifests, and
   * in --help. Prefixes shown as examples ({@code PORTICO_LISTENERS__...}) and {@link
   * #NOT_VARIABLES} are not variables.
   */
  static Set<String> documentedVariables() throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(ROOT.resolve("README.md"));
    files.add(ROOT.resolve("docker/Dockerfile"));
    files.add(ROOT.resolve("docker/entrypoint.sh"));
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(f -> f.toString().endsWith(".md")).forEach(files::add);
    }
    Path kubernetes = ROOT.resolve("docker/kubernetes");
    if (Files.isDirectory(kubernetes)) {
      try (Stream<Path> k = Files.walk(kubernetes)) {
        k.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".md"))
            .forEach(files::add);
      }
    }
    StringBuilder text = new StringBuilder(Cli.help());
    for (Path f : files) {
      text.append(Files.readString(f));
    }
    Set<String> names = new TreeSet<>();
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      if (!m.group().endsWith("_") && !NOT_VARIABLES.contains(m.group())) {
        names.add(m.group());
      }
    }
    return names;
  }
}
