package dev.portico.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.RegistrySnapshot;
import dev.portico.gateway.backend.BackendStates;
import dev.portico.gateway.config.EscapedSlashes;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import dev.portico.gateway.state.RoutingStateHolder;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.RecordingBackend;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A listener assembled around a stage of its own (as the Service Fabric reverse proxy's is): the
 * shared front half runs before it, it may refuse through the shared problem path or route the
 * request, and the exchange forwards what it routed. Real sockets: a backend, the listener, a
 * client.
 */
@ExtendWith(VertxExtension.class)
class PipelineTest {

  @Test
  void aListenersOwnStageRunsAfterTheFrontHalfAndHandsItsRouteToTheExchange(Vertx vertx) {
    RecordingBackend backend = RecordingBackend.start(vertx);
    GatewayConfig config =
        GatewayHarness.config(
            """
      backends: [ { id: b, url: "http://127.0.0.1:%d/base" } ]
      apis: [ { id: a, path: /a, backend: b } ]
      """
                .formatted(backend.port()),
            Map.of());
    RoutingStateHolder states =
        new RoutingStateHolder(
            RoutingState.compile(
                config, RegistrySnapshot.of(1, List.of()), new BackendStates(t -> {}, r -> {})));
    List<ExchangeObserver.Completion> completed = new CopyOnWriteArrayList<>();
    ExchangeObserver observer =
        new ExchangeObserver() {
          @Override
          public void completed(Completion c) {
            completed.add(c);
          }
        };
    ProxyContext ctx =
        ProxyContext.of(
            vertx,
            vertx.createHttpClient(),
            states,
            "gw-pipeline-test",
            observer,
            EscapedSlashes.REJECT);
    List<String> seenByStage = new CopyOnWriteArrayList<>();
    Stage own =
        rc -> {
          // the front half ran: a request id, a normalized path
          seenByStage.add(rc.requestId() + " " + rc.path());
          if (rc.request().getHeader("X-Refuse") != null) {
            rc.reject(
                new Failure.Forbidden(403, "Forbidden", "the listener's own stage refuses it"));
            return;
          }
          Route route = states.current().apis().match(rc.request().method(), rc.path());
          String rest = rc.path().substring(route.prefixLength());
          rc.routeTo(route, route.targets().source(rc.request(), rest), rest, rc.request().query());
          rc.next();
        };
    int port =
        vertx
            .createHttpServer()
            .requestHandler(Pipeline.routedBy(ctx, "a test record", "own", own))
            .listen(0, "127.0.0.1")
            .await()
            .actualPort();
    WebClient web = WebClient.create(vertx);

    HttpResponse<Buffer> ok =
        web.get(port, "127.0.0.1", "/a/./x?q=1").putHeader("X-Request-ID", "req-1").send().await();
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(backend.last().uri()).isEqualTo("/base/x?q=1");
    assertThat(backend.last().headers().get("X-Request-ID")).isEqualTo("req-1");
    assertThat(backend.last().headers().get("Via")).isEqualTo("1.1 gw-pipeline-test");
    assertThat(seenByStage).containsExactly("req-1 /a/x");

    HttpResponse<Buffer> refused =
        web.get(port, "127.0.0.1", "/a/x").putHeader("X-Refuse", "yes").send().await();
    assertThat(refused.statusCode()).isEqualTo(403);
    JsonObject problem = refused.bodyAsJsonObject();
    assertThat(problem.getString("reason")).isEqualTo("Forbidden");
    assertThat(problem.getString("backend")).isEqualTo("own");
    assertThat(refused.getHeader("content-type")).isEqualTo("application/problem+json");

    // a loop is refused by the front half: the listener's own stage never sees it
    HttpResponse<Buffer> loop =
        web.get(port, "127.0.0.1", "/a/x").putHeader("Via", "1.1 gw-pipeline-test").send().await();
    assertThat(loop.statusCode()).isEqualTo(508);
    assertThat(loop.bodyAsJsonObject().getString("reason")).isEqualTo("LoopDetected");
    assertThat(seenByStage).hasSize(2);
    assertThat(backend.seen()).hasSize(1);

    await().atMost(10, TimeUnit.SECONDS).until(() -> completed.size() == 3);
    assertThat(completed)
        .extracting(ExchangeObserver.Completion::apiId)
        .containsExactlyInAnyOrder("a", "own", "own");
    assertThat(completed)
        .extracting(ExchangeObserver.Completion::status)
        .containsExactlyInAnyOrder(200, 403, 508);
  }
}
