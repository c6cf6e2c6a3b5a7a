package dev.portico.gateway.observability;

import static dev.portico.gateway.observability.Scrape.l;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.ServiceInstance;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The meters a scrape of {@code /metrics} shows after real traffic, breaker events and registry
 * changes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayMetricsTest {

  static final String REQ = "portico_request_duration_seconds_count";
  static final String UP = "portico_upstream_duration_seconds_count";

  Vertx vertx;
  WebClient web;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
  }

  @Test
  void successNotFoundBadGatewayAndTimeoutCarryTheirLabels() {
    int echo = Backends.echo(vertx, "e").actualPort();
    int closed = Backends.closedPort();
    int silent = Backends.silent(vertx).actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: echo, url: "http://127.0.0.1:%d" }
        - { id: gone, url: "http://127.0.0.1:%d" }
        - { id: slow, url: "http://127.0.0.1:%d", timeouts: { response: PT0.3S } }
      apis:
        - { id: ok, path: /ok, backend: echo }
        - { id: broken, path: /broken, backend: gone }
        - { id: hang, path: /hang, backend: slow }
      """
                .formatted(echo, closed, silent));
    int port = gw.trafficPort();
    assertThat(web.get(port, "127.0.0.1", "/ok/a").send().await().statusCode()).isEqualTo(200);
    assertThat(
            web.post(port, "127.0.0.1", "/ok/b")
                .sendBuffer(Buffer.buffer("x"))
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(web.get(port, "127.0.0.1", "/nowhere").send().await().statusCode()).isEqualTo(404);
    assertThat(web.get(port, "127.0.0.1", "/broken").send().await().statusCode()).isEqualTo(502);
    assertThat(web.get(port, "127.0.0.1", "/hang").send().await().statusCode()).isEqualTo(504);

    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              Scrape s = Scrape.get(vertx, gw.managementPort());
              assertThat(
                      s.value(
                          REQ,
                          l(
                              "api",
                              "ok",
                              "backend",
                              "echo",
                              "method",
                              "GET",
                              "status_class",
                              "2xx",
                              "reason",
                              "none")))
                  .isEqualTo(1);
              assertThat(
                      s.value(
                          REQ,
                          l(
                              "api",
                              "ok",
                              "backend",
                              "echo",
                              "method",
                              "POST",
                              "status_class",
                              "2xx",
                              "reason",
                              "none")))
                  .isEqualTo(1);
              assertThat(
                      s.value(
                          REQ,
                          l(
                              "api",
                              "unmatched",
                              "backend",
                              "none",
                              "method",
                              "GET",
                              "status_class",
                              "4xx",
                              "reason",
                              "OperationNotFound")))
                  .isEqualTo(1);
              assertThat(
                      s.value(
                          REQ,
                          l(
                              "api",
                              "broken",
                              "backend",
                              "gone",
                              "method",
                              "GET",
                              "status_class",
                              "5xx",
                              "reason",
                              "BackendConnectionFailure")))
                  .isEqualTo(1);
              assertThat(
                      s.value(
                          REQ,
                          l(
                              "api",
                              "hang",
                              "backend",
                              "slow",
                              "method",
                              "GET",
                              "status_class",
                              "5xx",
                              "reason",
                              "Timeout")))
                  .isEqualTo(1);
              assertThat(s.value(UP, l("backend", "echo", "status_class", "2xx", "reason", "none")))
                  .isEqualTo(2);
              assertThat(
                      s.value(
                          UP,
                          l(
                              "backend",
                              "gone",
                              "status_class",
                              "none",
                              "reason",
                              "BackendConnectionFailure")))
                  .isEqualTo(1);
              assertThat(
                      s.value(
                          UP, l("backend", "slow", "status_class", "none", "reason", "Timeout")))
                  .isEqualTo(1);
              for (String api : new String[] {"ok", "broken", "hang", "unmatched"}) {
                assertThat(s.value("portico_requests_in_flight", l("api", api)))
                    .as("in flight of %s", api)
                    .isEqualTo(0);
              }
            });

    Scrape s = Scrape.get(vertx, gw.managementPort());
    assertThat(s.text())
        .contains("# TYPE portico_request_duration_seconds histogram")
        .contains("# TYPE portico_upstream_duration_seconds histogram")
        .contains("# TYPE portico_requests_in_flight gauge");
    Map<String, String> timeout = l("api", "hang", "status_class", "5xx", "reason", "Timeout");
    // the 504 took at least the 0.3 s response timeout: not in the 0.25 s bucket, in the 0.5 s one
    assertThat(s.value("portico_request_duration_seconds_bucket", with(timeout, "le", "0.25")))
        .isEqualTo(0);
    assertThat(s.value("portico_request_duration_seconds_bucket", with(timeout, "le", "+Inf")))
        .isEqualTo(1);
    assertThat(s.value("portico_request_duration_seconds_sum", timeout))
        .isGreaterThanOrEqualTo(0.3);
    // JVM meters come with the gateway's own registry even when Vert.x was not built with metrics
    assertThat(s.text()).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
  }

  @Test
  void theExpositionIsTheTextFormatOrOpenMetricsWhenAsked() {
    int echo = Backends.echo(vertx, "e").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends: [ { id: echo, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: ok, path: /ok, backend: echo } ]
      """
                .formatted(echo));
    HttpResponse<Buffer> text =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await();
    assertThat(text.getHeader("content-type"))
        .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(text.bodyAsString()).contains("portico_requests_in_flight{api=\"ok\"} 0");
    HttpResponse<Buffer> om =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics")
            .putHeader(
                "accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
            .send()
            .await();
    assertThat(om.getHeader("content-type"))
        .isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(om.bodyAsString()).endsWith("# EOF\n");
    // the traffic listener does not serve metrics
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/metrics").send().await().statusCode())
        .isEqualTo(404);
  }

  @Test
  void breakerTransitionsOnTheEventBusBecomeStateAndTransitionMeters() {
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends: [ { id: orders, url: "http://127.0.0.1:9" } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """);
    publish("orders", "10.0.0.4:8081", "CLOSED", "OPEN", 30L);
    publish("orders", "10.0.0.5:8081", "CLOSED", "OPEN", 30L);
    publish("orders", "10.0.0.4:8081", "OPEN", "HALF_OPEN", null);
    // malformed events are ignored, not fatal
    vertx.eventBus().publish(BreakerEvents.ADDRESS, new JsonObject().put("backend", "orders"));
    vertx
        .eventBus()
        .publish(
            BreakerEvents.ADDRESS,
            new JsonObject().put("backend", "orders").put("endpoint", "x:1").put("to", "SIDEWAYS"));
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              Scrape s = Scrape.get(vertx, gw.managementPort());
              String st = "portico_circuit_breaker_state";
              assertThat(
                      s.value(
                          st,
                          l(
                              "backend",
                              "orders",
                              "endpoint",
                              "10.0.0.4:8081",
                              "state",
                              "half_open")))
                  .isEqualTo(1);
              assertThat(
                      s.value(
                          st, l("backend", "orders", "endpoint", "10.0.0.4:8081", "state", "open")))
                  .isEqualTo(0);
              assertThat(
                      s.value(
                          st,
                          l("backend", "orders", "endpoint", "10.0.0.4:8081", "state", "closed")))
                  .isEqualTo(0);
              assertThat(
                      s.value(
                          st, l("backend", "orders", "endpoint", "10.0.0.5:8081", "state", "open")))
                  .isEqualTo(1);
              String tr = "portico_circuit_breaker_transitions_total";
              assertThat(
                      s.value(
                          tr, l("backend", "orders", "endpoint", "10.0.0.4:8081", "to", "open")))
                  .isEqualTo(1);
              assertThat(
                      s.value(
                          tr,
                          l("backend", "orders", "endpoint", "10.0.0.4:8081", "to", "half_open")))
                  .isEqualTo(1);
              assertThat(
                      s.value(
                          tr, l("backend", "orders", "endpoint", "10.0.0.5:8081", "to", "open")))
                  .isEqualTo(1);
              assertThat(s.find(st, l("endpoint", "x:1"))).isEmpty();
            });
    publish("orders", "10.0.0.4:8081", "HALF_OPEN", "CLOSED", null);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              Scrape s = Scrape.get(vertx, gw.managementPort());
              assertThat(
                      s.value(
                          "portico_circuit_breaker_state",
                          l("backend", "orders", "endpoint", "10.0.0.4:8081", "state", "closed")))
                  .isEqualTo(1);
              assertThat(
                      s.value(
                          "portico_circuit_breaker_state",
                          l(
                              "backend",
                              "orders",
                              "endpoint",
                              "10.0.0.4:8081",
                              "state",
                              "half_open")))
                  .isEqualTo(0);
            });
  }

  @Test
  void aBreakersSeriesGoWhenItsEndpointLeavesTheRegistry() {
    int echo = Backends.echo(vertx, "e").actualPort();
    int dead = Backends.closedPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      registry:
        refreshInterval: PT30S
        instances:
          - { service: orders, url: "http://127.0.0.1:%d" }
          - { service: orders, url: "http://127.0.0.1:%d" }
      backends:
        - id: orders
          url: orders
          circuitBreaker: { rules: [ { failureCondition: { count: 1, interval: PT10S, errorReasons: [BackendConnectionFailure] }, tripDuration: PT60S } ] }
      apis: [ { id: orders, path: /orders, backend: orders, retry: { count: 1 } } ]
      """
                .formatted(echo, dead));
    String st = "portico_circuit_breaker_state";
    String deadEndpoint = "127.0.0.1:" + dead;
    for (int i = 0; i < 4; i++) {
      assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/orders/x").send().await().statusCode())
          .isEqualTo(200);
    }
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(
                        Scrape.get(vertx, gw.managementPort())
                            .value(
                                st,
                                l("backend", "orders", "endpoint", deadEndpoint, "state", "open")))
                    .isEqualTo(1));

    ServiceInstance gone =
        gw.registry().instances().await().stream()
            .filter(i -> i.port() == dead)
            .findFirst()
            .orElseThrow();
    gw.registry().unpublish(gone.id()).await();
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              Scrape s = Scrape.get(vertx, gw.managementPort());
              assertThat(s.find(st, l("endpoint", deadEndpoint))).isEmpty();
              assertThat(
                      s.find(
                          "portico_circuit_breaker_transitions_total", l("endpoint", deadEndpoint)))
                  .isEmpty();
            });
    // the healthy sibling's breaker never transitioned: it has no series, and still serves
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/orders/x").send().await().statusCode())
        .isEqualTo(200);
  }

  @Test
  void registryInstancesFollowPublishStatusAndUnpublish() {
    int echo = Backends.echo(vertx, "e").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      registry:
        refreshInterval: PT30S
        instances: [ { service: orders, url: "http://127.0.0.1:%d" } ]
      backends: [ { id: orders, url: orders } ]
      apis: [ { id: orders, path: /orders, backend: orders } ]
      """
                .formatted(echo));
    String name = "portico_registry_instances";
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              Scrape s = Scrape.get(vertx, gw.managementPort());
              assertThat(s.value(name, l("service", "orders", "status", "up"))).isEqualTo(1);
              for (String st : new String[] {"down", "out_of_service", "unknown"}) {
                assertThat(s.value(name, l("service", "orders", "status", st))).isEqualTo(0);
              }
            });
    ServiceInstance second =
        gw.registry().publish(InstanceSpec.of("orders", "http://127.0.0.1:" + (echo + 1))).await();
    gw.registry().setStatus(second.id(), InstanceStatus.DOWN).await();
    ServiceInstance stray =
        gw.registry().publish(InstanceSpec.of("stray", "http://127.0.0.1:1")).await();
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              Scrape s = Scrape.get(vertx, gw.managementPort());
              assertThat(s.value(name, l("service", "orders", "status", "up"))).isEqualTo(1);
              assertThat(s.value(name, l("service", "orders", "status", "down"))).isEqualTo(1);
              assertThat(s.value(name, l("service", "stray", "status", "up"))).isEqualTo(1);
            });
    gw.registry().unpublish(stray.id()).await();
    gw.registry().unpublish(second.id()).await();
    for (ServiceInstance i : gw.registry().instances().await()) {
      gw.registry().unpublish(i.id()).await();
    }
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              Scrape s = Scrape.get(vertx, gw.managementPort());
              // a service the configuration routes to drops to 0 (alerts see it); any other one
              // goes away
              assertThat(s.value(name, l("service", "orders", "status", "up"))).isEqualTo(0);
              assertThat(s.value(name, l("service", "orders", "status", "down"))).isEqualTo(0);
              assertThat(s.find(name, l("service", "stray"))).isEmpty();
            });
  }

  @Test
  void disabledMetricsServeNoMetricsAndTrafficStillFlows() {
    int echo = Backends.echo(vertx, "e").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      metrics: { enabled: false }
      backends: [ { id: echo, url: "http://127.0.0.1:%d" } ]
      apis: [ { id: ok, path: /ok, backend: echo } ]
      """
                .formatted(echo));
    assertThat(gw.metrics()).isNull();
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/ok").send().await().statusCode())
        .isEqualTo(200);
    assertThat(web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await().statusCode())
        .isEqualTo(404);
    assertThat(
            web.get(gw.managementPort(), "127.0.0.1", "/health/ready").send().await().statusCode())
        .isEqualTo(200);
  }

  private void publish(String backend, String endpoint, String from, String to, Long retryAfter) {
    JsonObject msg =
        new JsonObject()
            .put("backend", backend)
            .put("endpoint", endpoint)
            .put("from", from)
            .put("to", to)
            .put("at", Instant.now().toString());
    if (retryAfter != null) {
      msg.put("retryAfterSeconds", retryAfter);
    }
    vertx.eventBus().publish(BreakerEvents.ADDRESS, msg);
  }

  private static Map<String, String> with(Map<String, String> labels, String k, String v) {
    Map<String, String> m = new java.util.LinkedHashMap<>(labels);
    m.put(k, v);
    return m;
  }
}
