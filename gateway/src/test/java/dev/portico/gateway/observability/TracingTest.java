package dev.portico.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.OtlpReceiver;
import dev.portico.gateway.support.OtlpReceiver.Received;
import dev.portico.gateway.support.RecordingBackend;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenTelemetry tracing end to end: a real OTLP receiver on loopback (HTTP/protobuf and gRPC,
 * decoded with the OTLP proto classes) gets the gateway's spans; real backends see the propagated
 * trace context; problem documents, the access log and the metrics' exemplars name the trace.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TracingTest {

  static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CALLER_SPAN = "00f067aa0ba902b7";

  Vertx vertx;
  WebClient web;
  OtlpReceiver receiver;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
    this.receiver = OtlpReceiver.start(vertx);
  }

  @AfterEach
  void tearDown() {
    receiver.close();
  }

  /**
   * Tracing on, exporting to the receiver every 20 ms, with {@code extra} (more tracing fields) and
   * {@code rest} of the YAML.
   */
  GatewayVerticle gateway(String tracingExtra, String rest) {
    return GatewayHarness.start(
        vertx,
        """
      tracing: { enabled: true, endpoint: "%s", scheduleDelay: PT0.02S, serviceName: edge-1 %s }
      %s
      """
            .formatted(receiver.httpEndpoint(), tracingExtra, rest));
  }

  /**
   * The trace's SERVER span and its CLIENT spans, once the receiver has the server span and {@code
   * clients} client spans.
   */
  List<Received> awaitTrace(String traceId, int clients) {
    await()
        .atMost(20, TimeUnit.SECONDS)
        .until(
            () -> {
              List<Received> t = receiver.trace(traceId);
              return t.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER).count() == 1
                  && t.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT).count()
                      == clients;
            });
    return receiver.trace(traceId);
  }

  static Received server(List<Received> trace) {
    return trace.stream()
        .filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER)
        .findFirst()
        .orElseThrow();
  }

  static List<Received> clients(List<Received> trace) {
    return trace.stream()
        .filter(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT)
        .sorted(
            (a, b) ->
                Long.compare(a.span().getStartTimeUnixNano(), b.span().getStartTimeUnixNano()))
        .toList();
  }

  static String traceIdOf(String traceparent) {
    return traceparent.split("-")[1];
  }

  @Test
  void aProxiedRequestIsAServerSpanWithAClientSpanChildThatTheBackendSeesAsItsParent(
      @TempDir Path dir) throws Exception {
    RecordingBackend backend = RecordingBackend.start(vertx);
    Path log = dir.resolve("access.log");
    GatewayVerticle gw =
        gateway(
            "",
            """
      accessLog: { enabled: true, output: "%s" }
      backends: [ { id: orders, url: "http://127.0.0.1:%d/api" } ]
      apis:
        - id: orders
          path: /orders
          backend: orders
          operations: [ { id: get-order, method: GET, path: "/{id}" } ]
      """
                .formatted(log, backend.port()));
    HttpResponse<Buffer> res =
        web.get(gw.trafficPort(), "localhost", "/orders/7?secret=x").send().await();
    assertThat(res.statusCode()).isEqualTo(200);

    String traceparent = backend.last().headers().get("traceparent");
    // sampled (01), and the SDK's ids are random (W3C trace context level 2's flag 02)
    assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]");
    String traceId = traceIdOf(traceparent);
    List<Received> trace = awaitTrace(traceId, 1);
    Received server = server(trace);
    Received client = clients(trace).get(0);
    // the backend's parent is the attempt's client span, whose parent is the request's server span
    assertThat(traceparent.split("-")[2]).isEqualTo(client.spanId());
    assertThat(client.parentSpanId()).isEqualTo(server.spanId());
    assertThat(server.span().getParentSpanId().isEmpty())
        .as("a new trace: the server span is its root")
        .isTrue();

    assertThat(server.span().getName()).isEqualTo("GET orders/get-order");
    assertThat(server.attr("http.request.method")).isEqualTo("GET");
    assertThat(server.attr("url.path")).isEqualTo("/orders/7");
    assertThat(server.attr("server.address")).isEqualTo("localhost");
    assertThat(server.attr("http.route")).isEqualTo("orders/get-order");
    assertThat(server.attr("portico.api.id")).isEqualTo("orders");
    assertThat(server.attr("portico.operation.id")).isEqualTo("get-order");
    assertThat(server.attr("portico.backend.id")).isEqualTo("orders");
    assertThat(server.attr("http.response.status_code")).isEqualTo("200");
    assertThat(server.attr("portico.request.id")).isEqualTo(res.getHeader("x-request-id"));
    assertThat(server.resource()).containsEntry("service.name", "edge-1");

    assertThat(client.attr("http.request.method")).isEqualTo("GET");
    assertThat(client.attr("server.address")).isEqualTo("127.0.0.1");
    assertThat(client.attr("network.peer.address")).isEqualTo("127.0.0.1");
    assertThat(client.attr("network.peer.port")).isEqualTo(String.valueOf(backend.port()));
    assertThat(client.attr("portico.backend.id")).isEqualTo("orders");
    assertThat(client.attr("http.response.status_code")).isEqualTo("200");
    assertThat(client.attr("http.request.resend_count"))
        .as("a first attempt is no resend")
        .isNull();
    // no query string anywhere in a span: it may carry secrets
    assertThat(trace).allSatisfy(s -> assertThat(s.span().toString()).doesNotContain("secret=x"));

    // the access log line names the trace
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> Files.exists(log) && !Files.readAllLines(log).isEmpty());
    JsonObject line = new JsonObject(Files.readAllLines(log).get(0));
    assertThat(line.getString("traceId")).isEqualTo(traceId);
  }

  @Test
  void anIncomingTraceparentIsContinuedAndItsStateAndBaggageTravelOn() {
    RecordingBackend backend = RecordingBackend.start(vertx);
    GatewayVerticle gw =
        gateway(
            "",
            """
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: api, path: /, backend: b } ]
      """
                .formatted(backend.port()));
    assertThat(
            web.get(gw.trafficPort(), "127.0.0.1", "/x")
                .putHeader("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01")
                .putHeader("tracestate", "vendor=opaque")
                .putHeader("baggage", "tenant=acme")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);

    List<Received> trace = awaitTrace(CALLER_TRACE, 1);
    Received server = server(trace);
    Received client = clients(trace).get(0);
    assertThat(server.parentSpanId())
        .as("the caller's span is the server span's parent")
        .isEqualTo(CALLER_SPAN);
    assertThat(client.parentSpanId()).isEqualTo(server.spanId());
    var seen = backend.last().headers();
    assertThat(seen.getAll("traceparent"))
        .containsExactly("00-" + CALLER_TRACE + "-" + client.spanId() + "-01");
    assertThat(seen.getAll("tracestate")).containsExactly("vendor=opaque");
    assertThat(seen.getAll("baggage")).containsExactly("tenant=acme");
  }

  @Test
  void aRetriedRequestHasOneClientSpanPerAttemptWithTheResendCount() {
    AtomicInteger hits = new AtomicInteger();
    int port =
        Backends.http(
                vertx,
                req ->
                    req.response()
                        .setStatusCode(hits.incrementAndGet() == 1 ? 503 : 200)
                        .end("attempt " + hits.get()))
            .actualPort();
    GatewayVerticle gw =
        gateway(
            "",
            """
      backends: [ { id: flaky, url: "http://127.0.0.1:%d" } ]
      apis:
        - id: api
          path: /
          backend: flaky
          retry: { count: 1, statusCodes: [503], backoff: { base: PT0.001S, max: PT0.002S } }
      """
                .formatted(port));
    HttpResponse<Buffer> res =
        web.get(gw.trafficPort(), "127.0.0.1", "/x")
            .putHeader("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01")
            .send()
            .await();
    assertThat(res.statusCode()).isEqualTo(200);

    List<Received> trace = awaitTrace(CALLER_TRACE, 2);
    Received server = server(trace);
    List<Received> attempts = clients(trace);
    assertThat(attempts).allSatisfy(c -> assertThat(c.parentSpanId()).isEqualTo(server.spanId()));
    assertThat(attempts.get(0).attr("http.response.status_code")).isEqualTo("503");
    assertThat(attempts.get(0).attr("error.type")).isEqualTo("503");
    assertThat(attempts.get(0).attr("http.request.resend_count")).isNull();
    assertThat(attempts.get(1).attr("http.response.status_code")).isEqualTo("200");
    assertThat(attempts.get(1).attr("http.request.resend_count")).isEqualTo("1");
    assertThat(server.attr("portico.attempts")).isEqualTo("2");
    assertThat(server.events("portico.retry"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(OtlpReceiver.text(e.getAttributesList(), "portico.retry.reason"))
                    .isEqualTo("status:503"));
  }

  @Test
  void aFailedRequestsProblemDocumentAndAccessLogLineNameTheTrace(@TempDir Path dir)
      throws Exception {
    Path log = dir.resolve("access.log");
    GatewayVerticle gw =
        gateway(
            "",
            """
      accessLog: { enabled: true, output: "%s" }
      backends: [ { id: gone, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: broken, path: /broken, backend: gone } ]
      """
                .formatted(log, Backends.closedPort()));
    HttpResponse<Buffer> res = web.get(gw.trafficPort(), "127.0.0.1", "/broken/x").send().await();
    assertThat(res.statusCode()).isEqualTo(502);
    assertThat(res.getHeader("content-type")).isEqualTo("application/problem+json");
    String traceId = res.bodyAsJsonObject().getString("traceId");
    assertThat(traceId).matches("[0-9a-f]{32}");
    HttpResponse<Buffer> unmatched =
        web.get(gw.trafficPort(), "127.0.0.1", "/nowhere").send().await();
    assertThat(unmatched.statusCode()).isEqualTo(404);
    String unmatchedTrace = unmatched.bodyAsJsonObject().getString("traceId");
    assertThat(unmatchedTrace).matches("[0-9a-f]{32}").isNotEqualTo(traceId);

    List<Received> trace = awaitTrace(traceId, 1);
    Received server = server(trace);
    assertThat(server.span().getStatus().getCode().name()).isEqualTo("STATUS_CODE_ERROR");
    assertThat(server.attr("http.response.status_code")).isEqualTo("502");
    assertThat(server.attr("portico.error.reason")).isEqualTo("BackendConnectionFailure");
    assertThat(clients(trace).get(0).attr("error.type")).isEqualTo("BackendConnectionFailure");
    await().atMost(10, TimeUnit.SECONDS).until(() -> receiver.trace(unmatchedTrace).size() == 1);
    assertThat(receiver.trace(unmatchedTrace).get(0).attr("portico.api.id")).isEqualTo("unmatched");

    // A line is written when its exchange ends, which may be after the client saw the response:
    // the 502's line can follow the 404's, so find each by its path, not by its position.
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                Files.exists(log)
                    && Files.readAllLines(log).size() == 2
                    && Files.readString(log).endsWith("\n"));
    assertThat(Files.readAllLines(log))
        .map(JsonObject::new)
        .anySatisfy(
            line -> {
              assertThat(line.getString("path")).isEqualTo("/broken/x");
              assertThat(line.getString("traceId")).isEqualTo(traceId);
            })
        .anySatisfy(
            line -> {
              assertThat(line.getString("path")).isEqualTo("/nowhere");
              assertThat(line.getString("traceId")).isEqualTo(unmatchedTrace);
            });
  }

  @Test
  void requestsThroughPoliciesAreTracedAndAPolicysRefusalNamesTheTrace() {
    RecordingBackend backend = RecordingBackend.start(vertx);
    GatewayVerticle gw =
        gateway(
            "",
            """
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis:
        - id: open
          path: /open
          backend: b
          policies: [ { set-header: { name: X-Policy, value: seen } } ]
        - id: closed
          path: /closed
          backend: b
          policies: [ { ip-filter: { action: allow, addresses: [203.0.113.0/24] } } ]
      """
                .formatted(backend.port()));
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/open/x").send().await().statusCode())
        .isEqualTo(200);
    assertThat(backend.last().headers().get("x-policy")).isEqualTo("seen");
    String passed = traceIdOf(backend.last().headers().get("traceparent"));
    List<Received> trace = awaitTrace(passed, 1);
    assertThat(server(trace).attr("portico.api.id")).isEqualTo("open");
    assertThat(backend.last().headers().get("traceparent").split("-")[2])
        .isEqualTo(clients(trace).get(0).spanId());

    HttpResponse<Buffer> refused =
        web.get(gw.trafficPort(), "127.0.0.1", "/closed/x").send().await();
    assertThat(refused.statusCode()).isEqualTo(403);
    String traceId = refused.bodyAsJsonObject().getString("traceId");
    assertThat(traceId).matches("[0-9a-f]{32}");
    await().atMost(20, TimeUnit.SECONDS).until(() -> receiver.trace(traceId).size() == 1);
    Received server = receiver.trace(traceId).get(0);
    assertThat(server.kind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
    assertThat(server.attr("http.response.status_code")).isEqualTo("403");
    assertThat(server.attr("portico.api.id")).isEqualTo("closed");
  }

  @Test
  void samplingRatioZeroExportsNoNewTraceButFollowsACallersDecision() {
    RecordingBackend backend = RecordingBackend.start(vertx);
    GatewayVerticle gw =
        gateway(
            ", samplingRatio: 0",
            """
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: api, path: /, backend: b } ]
      """
                .formatted(backend.port()));
    // no parent: a new trace, not sampled; its id still travels, marked not sampled
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/new").send().await().statusCode())
        .isEqualTo(200);
    String unsampled = backend.last().headers().get("traceparent");
    assertThat(unsampled).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]");
    // a caller that did not sample: nor does the gateway
    String notSampledCaller = "0af7651916cd43dd8448eb211c80319c";
    assertThat(
            web.get(gw.trafficPort(), "127.0.0.1", "/unsampled-parent")
                .putHeader("traceparent", "00-" + notSampledCaller + "-b7ad6b7169203331-00")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    // a caller that sampled: the parent-based sampler follows it
    assertThat(
            web.get(gw.trafficPort(), "127.0.0.1", "/sampled-parent")
                .putHeader("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    // spans are exported in the order they ended: once the last request's spans arrived, the
    // first two would have too
    awaitTrace(CALLER_TRACE, 1);
    assertThat(receiver.spans()).extracting(Received::traceId).containsOnly(CALLER_TRACE);
  }

  @Test
  void spansAreExportedOverGrpcToo() {
    RecordingBackend backend = RecordingBackend.start(vertx);
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      tracing: { enabled: true, protocol: grpc, endpoint: "%s", scheduleDelay: PT0.02S }
      gateway: { id: gw-grpc }
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: api, path: /, backend: b } ]
      """
                .formatted(receiver.grpcEndpoint(), backend.port()));
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/x").send().await().statusCode())
        .isEqualTo(200);
    String traceId = traceIdOf(backend.last().headers().get("traceparent"));
    List<Received> trace = awaitTrace(traceId, 1);
    assertThat(receiver.grpcExports()).isPositive();
    assertThat(receiver.httpExports()).isZero();
    // the service name defaults to the gateway id
    assertThat(server(trace).resource()).containsEntry("service.name", "gw-grpc");
  }

  @Test
  void theLatencyHistogramsCarryExemplarsOfSampledTracesAndPromtoolStillAcceptsTheExposition(
      @TempDir Path dir) throws Exception {
    RecordingBackend backend = RecordingBackend.start(vertx);
    GatewayVerticle gw =
        gateway(
            "",
            """
      backends: [ { id: b, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: api, path: /, backend: b } ]
      """
                .formatted(backend.port()));
    assertThat(
            web.get(gw.trafficPort(), "127.0.0.1", "/x")
                .putHeader("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    List<Received> trace = awaitTrace(CALLER_TRACE, 1);
    String serverSpan = server(trace).spanId();
    String clientSpan = clients(trace).get(0).spanId();

    String open =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics")
            .putHeader("accept", "application/openmetrics-text;version=1.0.0")
            .send()
            .await()
            .bodyAsString();
    assertThat(
            open.lines()
                .filter(
                    l ->
                        l.startsWith("portico_request_duration_seconds_bucket")
                            && l.contains(" # {")))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("span_id=\"" + serverSpan + "\"")
                    .contains("trace_id=\"" + CALLER_TRACE + "\""));
    assertThat(
            open.lines()
                .filter(
                    l ->
                        l.startsWith("portico_upstream_duration_seconds_bucket")
                            && l.contains(" # {")))
        .anySatisfy(l -> assertThat(l).contains("span_id=\"" + clientSpan + "\""));

    String text =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics")
            .putHeader("accept", "text/plain")
            .send()
            .await()
            .bodyAsString();
    PrometheusTools.checkMetrics(text, dir);
  }

  @Test
  void badTracingSettingsAreConfigurationErrorsNamingTheField() {
    assertThatThrownBy(
            () ->
                GatewayHarness.config(
                    """
      tracing: { enabled: true, endpoint: "ftp://collector/v1/traces" }
      """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.yaml")
        .hasMessageContaining("tracing.endpoint")
        .hasMessageContaining("http:// or https://");
    assertThatThrownBy(
            () ->
                GatewayHarness.config(
                    """
      tracing: { protocol: grpc, endpoint: "http://collector:4317/v1/traces" }
      """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.endpoint")
        .hasMessageContaining("without a path");
    assertThatThrownBy(
            () ->
                GatewayHarness.config(
                    """
      tracing: { maxQueueSize: 100, maxExportBatchSize: 200 }
      """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.maxExportBatchSize");
    assertThatThrownBy(
            () ->
                GatewayHarness.config(
                    """
      tracing: { samplingRatio: 1.5 }
      """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.samplingRatio");
    assertThatThrownBy(
            () ->
                GatewayHarness.config(
                    """
      tracing: { protocol: zipkin }
      """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.protocol");
    assertThatThrownBy(
            () ->
                GatewayHarness.config(
                    """
      tracing: { headers: { "bad header": x } }
      """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.headers.bad header");
    assertThatThrownBy(
            () ->
                GatewayHarness.config(
                    """
      tracing: { scheduleDelay: soon }
      """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.scheduleDelay");
  }
}
