package dev.portico.gateway.fabric;

import static dev.portico.gateway.support.FabricRecords.address;
import static dev.portico.gateway.support.FabricRecords.awaitGeneration;
import static dev.portico.gateway.support.FabricRecords.awaitIndexed;
import static dev.portico.gateway.support.FabricRecords.int64;
import static dev.portico.gateway.support.FabricRecords.publish;
import static dev.portico.gateway.support.FabricRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.discovery.InstanceSpec;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Load;
import dev.portico.gateway.support.Load.Hit;
import dev.portico.gateway.support.Resolutions;
import dev.portico.gateway.support.Switchable;
import dev.portico.metrics.FabricResolution;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Complaint-based re-resolution of Service Fabric backends: a primary that moves under load, the
 * back-off when it has not moved (yet), the resolve condition on responses, and bodies.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServiceFabricResilienceTest {

  static final String ORDERS = "fabric:/Shop/Orders";

  Vertx vertx;
  WebClient web;
  Resolutions observed = new Resolutions();
  List<PartitionInfo> parts = int64(0, 299, 3, 20);

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
  }

  GatewayVerticle start(String cluster, String extraOperations) {
    GatewayVerticle gw =
        new GatewayVerticle(
            GatewayHarness.config(
                """
      backends:
        - { id: orders, url: "fabric:/Shop/Orders", serviceFabricCluster: %s }
      apis:
        - id: orders
          path: /orders
          backend: orders
          retry: { count: 0, bufferBodyLimit: 4096 }
          operations:
            - method: "*"
              path: /{id}
              set-backend-service: { sf-partition-key: "{id}" }
      %s
      """
                    .formatted(cluster, extraOperations),
                Map.of()),
            2,
            observed);
    vertx.deployVerticle(gw).await();
    return gw;
  }

  /** Attempts that ended at {@code s}'s endpoint so far. */
  int attemptsAt(Switchable s) {
    return observed.attemptsByEndpoint.entrySet().stream()
        .filter(e -> e.getKey().endsWith(":" + s.port()))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  InstanceSpec primary(int partition, Switchable s, long generation) {
    return record(
        ORDERS,
        ServiceKind.STATEFUL,
        parts.get(partition),
        ReplicaRole.STATEFUL_PRIMARY,
        s.name(),
        address(s.url()),
        generation);
  }

  @Test
  void aPrimaryMovesUnderLoadWithoutAnErrorAndTheGatewayReResolves() throws Exception {
    GatewayVerticle gw = start("{ maxPartitionResolutionRetries: 5 }", "");
    Switchable old = Switchable.echo(vertx, "old-primary");
    Switchable next = Switchable.echo(vertx, "new-primary");
    Switchable other = Switchable.echo(vertx, "p0-primary");
    Switchable secondary = Switchable.echo(vertx, "secondary");
    String oldId = publish(gw, primary(1, old, 1));
    String secondaryId =
        publish(
            gw,
            record(
                ORDERS,
                ServiceKind.STATEFUL,
                parts.get(1),
                ReplicaRole.STATEFUL_SECONDARY,
                "secondary",
                address(secondary.url()),
                1));
    publish(gw, primary(0, other, 1));
    awaitIndexed(gw, ORDERS, 3);

    Load load = Load.start(vertx, gw.trafficPort(), "/orders/150", 4);
    load.awaitServedBy("old-primary", 200, 0, Duration.ofSeconds(20));
    // the primary's process dies; once requests have found it gone, the cluster has failed over and
    // the registry has the partition at a newer version: the old record gone, the new primary, the
    // secondary rewritten
    int attemptsAtKill = attemptsAt(old);
    old.kill();
    long killed = System.nanoTime();
    await().atMost(10, TimeUnit.SECONDS).until(() -> attemptsAt(old) > attemptsAtKill + 4);
    gw.registry().unpublish(oldId).await();
    publish(gw, primary(1, next, 2));
    gw.registry()
        .update(
            secondaryId,
            record(
                ORDERS,
                ServiceKind.STATEFUL,
                parts.get(1),
                ReplicaRole.STATEFUL_SECONDARY,
                "secondary",
                address(secondary.url()),
                2))
        .await();
    load.awaitServedBy("new-primary", 200, killed, Duration.ofSeconds(20));
    List<Hit> hits = load.stop();

    assertThat(hits).hasSizeGreaterThan(200);
    assertThat(hits).as("failed GETs").allSatisfy(h -> assertThat(h.status()).isEqualTo(200));
    Map<String, Long> byInstance =
        hits.stream().collect(Collectors.groupingBy(Hit::instance, Collectors.counting()));
    assertThat(byInstance.keySet()).containsExactlyInAnyOrder("old-primary", "new-primary");
    assertThat(hits)
        .filteredOn(h -> h.atNanos() > killed + TimeUnit.MILLISECONDS.toNanos(50))
        .allSatisfy(h -> assertThat(h.instance()).isEqualTo("new-primary"));
    // the requests the dead primary refused were re-resolved to the newer partition and resent
    assertThat(observed.count(FabricResolution.REFRESHED)).isPositive();
    assertThat(observed.retries.get()).isPositive();
    assertThat(secondary.served() + other.served()).isZero();
  }

  @Test
  void whenThePartitionHasNotMovedYetTheResendWaitsTheClientsBackOffAndResolvesAgain() {
    GatewayVerticle gw = start("{ maxPartitionResolutionRetries: 3 }", "");
    Switchable dead = Switchable.echo(vertx, "dead");
    dead.kill();
    Switchable next = Switchable.echo(vertx, "next");
    publish(gw, primary(0, dead, 1));
    awaitIndexed(gw, ORDERS, 1);

    long started = System.nanoTime();
    Future<HttpResponse<Buffer>> pending =
        web.get(gw.trafficPort(), "127.0.0.1", "/orders/5").send();
    // the failover lands in the registry after the first complaint has already looked
    vertx.setTimer(300, t -> gw.registry().publish(primary(0, next, 2)));
    HttpResponse<Buffer> r = pending.await();
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("name")).isEqualTo("next");
    // the .NET client's first back-off: 1 s plus up to 2 s of jitter
    assertThat(tookMs).isBetween(900L, 4000L);
    assertThat(observed.count(FabricResolution.REFRESHED)).isEqualTo(1);
  }

  @Test
  void aResponseMatchingTheResolveConditionIsTheAnswerUnlessThePartitionMovedAndNeverForAPost()
      throws Exception {
    GatewayVerticle gw =
        start(
            "{ maxPartitionResolutionRetries: 3 }",
            """
        - id: strict
          path: /strict
          backend: orders
          set-backend-service: { sf-partition-key: "segment:0", sf-resolve-condition: "status >= 500 or BackendConnectionFailure" }
      """);
    Switchable busy =
        Switchable.start(
            vertx,
            "busy",
            req -> {
              if (req.path().contains("slow")) {
                vertx.setTimer(400, t -> req.response().setStatusCode(503).end("busy"));
              } else {
                req.response().setStatusCode(503).end("busy");
              }
            });
    Switchable next = Switchable.echo(vertx, "next");
    publish(gw, primary(0, busy, 1));
    awaitIndexed(gw, ORDERS, 1);

    // the service's own answer, from an endpoint that has not moved: returned at once, sent once
    long started = System.nanoTime();
    HttpResponse<Buffer> own = web.get(gw.trafficPort(), "127.0.0.1", "/strict/5").send().await();
    assertThat(own.statusCode()).isEqualTo(503);
    assertThat(own.bodyAsString()).isEqualTo("busy");
    assertThat(busy.served()).isEqualTo(1);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(800);
    // the default condition ("status != 200 or ...") matches too; without a move, the same
    assertThat(web.get(gw.trafficPort(), "127.0.0.1", "/orders/6").send().await().statusCode())
        .isEqualTo(503);
    assertThat(busy.served()).isEqualTo(2);

    // the partition moves while the old primary is answering: the answer is dropped, the request
    // resent
    int busyServed = busy.served();
    Future<HttpResponse<Buffer>> pending =
        web.get(gw.trafficPort(), "127.0.0.1", "/strict/7/slow").send();
    await().atMost(10, TimeUnit.SECONDS).until(() -> busy.served() > busyServed);
    publish(gw, primary(0, next, 2));
    awaitGeneration(gw, ORDERS, parts.get(0).id(), 2);
    HttpResponse<Buffer> moved = pending.await();
    assertThat(moved.statusCode()).isEqualTo(200);
    assertThat(moved.bodyAsJsonObject().getString("name")).isEqualTo("next");
    assertThat(observed.count(FabricResolution.REFRESHED)).isEqualTo(1);

    // a POST the service answered is never sent twice, even when the partition moved meanwhile
    publish(gw, primary(0, busy, 3));
    awaitGeneration(gw, ORDERS, parts.get(0).id(), 3);
    int nextServed = next.served();
    int busyServedBeforePost = busy.served();
    Future<HttpResponse<Buffer>> post =
        web.post(gw.trafficPort(), "127.0.0.1", "/strict/7/slow").send();
    await().atMost(10, TimeUnit.SECONDS).until(() -> busy.served() > busyServedBeforePost);
    publish(gw, primary(0, next, 4));
    awaitGeneration(gw, ORDERS, parts.get(0).id(), 4);
    HttpResponse<Buffer> answered = post.await();
    assertThat(answered.statusCode()).isEqualTo(503);
    assertThat(answered.bodyAsString()).isEqualTo("busy");
    assertThat(next.served()).isEqualTo(nextServed);
  }

  @Test
  void bodiesAreResentWholeWhenBufferedAndNeverWhenNot() {
    GatewayVerticle gw = start("{ maxPartitionResolutionRetries: 2 }", "");
    // reads the body, then drops the connection without answering
    Switchable breaking =
        Switchable.start(
            vertx, "breaking", req -> req.body().onSuccess(b -> req.connection().close()));
    Switchable next = Switchable.echo(vertx, "next");
    String id = publish(gw, primary(0, breaking, 1));
    awaitIndexed(gw, ORDERS, 1);
    // the registry moves on as soon as the first request is in: re-resolution finds the new primary
    vertx.setPeriodic(
        50,
        t -> {
          if (breaking.served() > 0) {
            vertx.cancelTimer(t);
            gw.registry().update(id, primary(0, next, 2));
          }
        });
    HttpResponse<Buffer> big =
        web.post(gw.trafficPort(), "127.0.0.1", "/orders/1")
            .sendBuffer(Buffer.buffer(new byte[8000]))
            .await();
    assertThat(big.statusCode()).as("streamed, already sent: never resent").isEqualTo(502);
    assertThat(next.served()).isZero();
    awaitGeneration(gw, ORDERS, parts.get(0).id(), 2);
    gw.registry().update(id, primary(0, breaking, 3)).await();
    awaitGeneration(gw, ORDERS, parts.get(0).id(), 3);
    vertx.setPeriodic(
        50,
        t -> {
          if (breaking.served() > 1) {
            vertx.cancelTimer(t);
            gw.registry().update(id, primary(0, next, 4));
          }
        });
    HttpResponse<Buffer> small =
        web.post(gw.trafficPort(), "127.0.0.1", "/orders/1")
            .sendBuffer(Buffer.buffer(new byte[700]))
            .await();
    assertThat(small.statusCode()).as(small.bodyAsString()).isEqualTo(200);
    assertThat(small.bodyAsJsonObject().getString("name")).isEqualTo("next");
    assertThat(small.bodyAsJsonObject().getInteger("bodyBytes")).isEqualTo(700);
  }

  @Test
  void noReResolutionWhenTheBackendAllowsNone() {
    GatewayVerticle gw = start("{ maxPartitionResolutionRetries: 0 }", "");
    Switchable dead = Switchable.echo(vertx, "dead");
    dead.kill();
    publish(gw, primary(0, dead, 1));
    awaitIndexed(gw, ORDERS, 1);
    HttpResponse<Buffer> r = web.get(gw.trafficPort(), "127.0.0.1", "/orders/5").send().await();
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.bodyAsJsonObject().getString("reason")).isEqualTo("BackendConnectionFailure");
    assertThat(observed.count(FabricResolution.REFRESHED)).isZero();
    assertThat(observed.retries.get()).isZero();
    JsonObject p = r.bodyAsJsonObject();
    assertThat(p.getString("backend")).isEqualTo("orders");
  }
}
