package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.discovery.InstanceSpec;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each error of the error model, as a client sees it: status, problem+json body, request id. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ErrorModelTest {

  Vertx vertx;
  WebClient web;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
  }

  @Test
  void backendRefusingConnectionsIs502BackendConnectionFailure() {
    int closed = Backends.closedPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: gone, url: "http://127.0.0.1:%d/api" }
      apis:
        - { id: a, path: /a, backend: gone }
      """
                .formatted(closed));
    HttpResponse<Buffer> res = web.get(gw.trafficPort(), "127.0.0.1", "/a/x").send().await();
    assertProblem(res, 502, "BackendConnectionFailure", "gone");
    assertThat(res.bodyAsJsonObject().getString("detail"))
        .contains("refused")
        .contains("127.0.0.1:" + closed);
  }

  @Test
  void backendThatNeverAnswersIs504TimeoutWithinTheTimeout() {
    int silent = Backends.silent(vertx).actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: slow, url: "http://127.0.0.1:%d", timeouts: { response: PT0.5S } }
      apis:
        - { id: a, path: /a, backend: slow }
      """
                .formatted(silent));
    long start = System.nanoTime();
    HttpResponse<Buffer> res = web.get(gw.trafficPort(), "127.0.0.1", "/a").send().await();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertProblem(res, 504, "Timeout", "slow");
    // the timeout is 500 ms: the answer must come after it, and not much later (generous bound for
    // a noisy machine)
    assertThat(ms).isBetween(450L, 5_000L);
  }

  @Test
  void unknownPathAndUnknownOperationAre404OperationNotFound() {
    int port = Backends.echo(vertx, "b").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: b, url: "http://127.0.0.1:%d" }
      apis:
        - id: orders
          path: /orders
          backend: b
          operations:
            - { method: GET, path: "/{id}" }
      """
                .formatted(port));
    HttpResponse<Buffer> noApi =
        web.get(gw.trafficPort(), "127.0.0.1", "/nothing/here").send().await();
    assertProblem(noApi, 404, "OperationNotFound", null);
    HttpResponse<Buffer> noOp =
        web.delete(gw.trafficPort(), "127.0.0.1", "/orders/42").send().await();
    assertProblem(noOp, 404, "OperationNotFound", null);
    assertThat(noOp.bodyAsJsonObject().getString("detail")).contains("orders").contains("DELETE");
    HttpResponse<Buffer> prefixOnly =
        web.get(gw.trafficPort(), "127.0.0.1", "/ordersX/42").send().await();
    assertProblem(prefixOnly, 404, "OperationNotFound", null);
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/orders/42").send().await().statusCode())
        .isEqualTo(200);
  }

  @Test
  void serviceWithoutUpInstanceIs503BackendUnavailable() {
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: svc, url: orders-service }
      apis:
        - { id: a, path: /a, backend: svc }
      """);
    HttpResponse<Buffer> res = web.get(gw.trafficPort(), "127.0.0.1", "/a").send().await();
    assertProblem(res, 503, "BackendUnavailable", "svc");
    assertThat(res.bodyAsJsonObject().getString("detail")).contains("orders-service");
  }

  @Test
  void registryRecordPointingBackAtTheGatewayIs508LoopDetected() {
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: self, url: mirror }
      apis:
        - { id: a, path: /a, backend: self }
      """);
    // a record published at run time, pointing at the gateway's own listener: config checks cannot
    // see it
    gw.registry()
        .publish(InstanceSpec.of("mirror", "http://127.0.0.1:" + gw.trafficPort() + "/a"))
        .await();
    gw.registryWatcher().refresh().await();
    HttpResponse<Buffer> res = web.get(gw.trafficPort(), "127.0.0.1", "/a/loop").send().await();
    assertProblem(res, 508, "LoopDetected", null);
  }

  @Test
  void dotSegmentsCannotClimbOutOfAnApi() {
    int port = Backends.echo(vertx, "b").actualPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: b, url: "http://127.0.0.1:%d/base" }
      apis:
        - { id: public, path: /public, backend: b }
      """
                .formatted(port));
    // /public/../admin normalizes to /admin, which no API serves
    HttpResponse<Buffer> res =
        web.get(gw.trafficPort(), "127.0.0.1", "/public/../admin").send().await();
    assertProblem(res, 404, "OperationNotFound", null);
    HttpResponse<Buffer> ok =
        web.get(gw.trafficPort(), "127.0.0.1", "/public/a/./b/../c").send().await();
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.bodyAsJsonObject().getString("path")).isEqualTo("/base/a/c");
  }

  static void assertProblem(HttpResponse<Buffer> res, int status, String reason, String backend) {
    assertThat(res.statusCode()).isEqualTo(status);
    assertThat(res.getHeader("content-type")).isEqualTo("application/problem+json");
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("reason")).isEqualTo(reason);
    assertThat(body.getString("type")).startsWith("https://portico.dev/problems/");
    assertThat(body.getString("title")).isNotBlank();
    assertThat(body.getString("detail")).isNotBlank();
    assertThat(body.getString("requestId")).isEqualTo(res.getHeader("x-request-id")).isNotBlank();
    if (backend == null) {
      assertThat(body.containsKey("backend")).isFalse();
    } else {
      assertThat(body.getString("backend")).isEqualTo(backend);
    }
  }
}
