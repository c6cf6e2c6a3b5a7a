package dev.portico.gateway.fabric;

import static dev.portico.gateway.support.FabricRecords.address;
import static dev.portico.gateway.support.FabricRecords.addresses;
import static dev.portico.gateway.support.FabricRecords.awaitGeneration;
import static dev.portico.gateway.support.FabricRecords.awaitIndexed;
import static dev.portico.gateway.support.FabricRecords.guid;
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
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Resolutions;
import dev.portico.gateway.support.Switchable;
import dev.portico.metrics.FabricResolution;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Service-Fabric-reverse-proxy-compatible listener: URL routing, defaults, and each retry rule.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReverseProxyTest {

  static final String ORDERS = "fabric:/Shop/Orders";

  Vertx vertx;
  WebClient web;
  GatewayVerticle gw;
  Resolutions observed = new Resolutions();
  List<PartitionInfo> parts = int64(0, 99, 2, 60);

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
    gw =
        new GatewayVerticle(
            GatewayHarness.config(
                """
      listeners:
        serviceFabricReverseProxy: { enabled: true, host: 127.0.0.1, port: 0, backoffMax: PT0.05S, maxRetries: 10, bufferBodyLimit: 1024 }
      """,
                Map.of()),
            2,
            observed);
    vertx.deployVerticle(gw).await();
  }

  /** A replica answering JSON with its name, path, query, body size and a few request headers. */
  Switchable replica(String name) {
    return Switchable.start(vertx, name, echo(name));
  }

  static Handler<HttpServerRequest> echo(String name) {
    return req ->
        req.body()
            .onSuccess(
                b ->
                    req.response()
                        .putHeader("content-type", "application/json")
                        .end(
                            new JsonObject()
                                .put("name", name)
                                .put("path", req.path())
                                .put("query", req.query())
                                .put("bodyBytes", b.length())
                                .put("via", req.getHeader("via"))
                                .put("xff", req.getHeader("x-forwarded-for"))
                                .put("xfh", req.getHeader("x-forwarded-host"))
                                .put("xfport", req.getHeader("x-forwarded-port"))
                                .put("forwarded", req.getHeader("forwarded"))
                                .put("retriesHeader", req.getHeader("x-portico-sf-retries"))
                                .encode()));
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

  HttpRequest<Buffer> get(String uri) {
    return web.get(gw.reverseProxyPort(), "127.0.0.1", uri);
  }

  @Test
  void urlsRouteByTheLongestServicePrefixWithTheProxysParametersStrippedAndItsDefaults() {
    Switchable p0 = replica("p0-primary");
    Switchable s0 = replica("p0-secondary");
    Switchable p1 = replica("p1-primary");
    publish(
        gw,
        record(
            ORDERS,
            ServiceKind.STATEFUL,
            parts.get(0),
            ReplicaRole.STATEFUL_PRIMARY,
            "p0",
            addresses(Map.of("", p0.url(), "Admin", p0.url() + "/admin")),
            1));
    publish(
        gw,
        record(
            ORDERS,
            ServiceKind.STATEFUL,
            parts.get(0),
            ReplicaRole.STATEFUL_SECONDARY,
            "s0",
            address(s0.url()),
            1));
    publish(gw, primary(1, p1, 1));
    Switchable archive = replica("archive");
    publish(
        gw,
        record(
            "fabric:/Shop/Orders/Archive",
            ServiceKind.STATELESS,
            new PartitionInfo.Singleton(guid(70)),
            ReplicaRole.STATELESS,
            "a",
            address(archive.url() + "/arch/"),
            1));
    Switchable eu = replica("ledger-eu");
    publish(
        gw,
        record(
            "fabric:/Shop/Ledger",
            ServiceKind.STATEFUL,
            new PartitionInfo.Named(guid(71), "eu"),
            ReplicaRole.STATEFUL_PRIMARY,
            "eu",
            address(eu.url()),
            1));
    Switchable w1 = replica("web-1");
    Switchable w2 = replica("web-2");
    for (Switchable w : List.of(w1, w2)) {
      publish(
          gw,
          record(
              "fabric:/Shop/Web",
              ServiceKind.STATELESS,
              new PartitionInfo.Singleton(guid(72)),
              ReplicaRole.STATELESS,
              w.name(),
              address(w.url()),
              1));
    }
    awaitIndexed(gw, ORDERS, 3);
    awaitIndexed(gw, "fabric:/Shop/Orders/Archive", 1);
    awaitIndexed(gw, "fabric:/Shop/Ledger", 1);
    awaitIndexed(gw, "fabric:/Shop/Web", 2);

    JsonObject r =
        json(
            get("/Shop/Orders/items/7?PartitionKind=Int64Range&x=1&PartitionKey=7&ListenerName=&Timeout=10&y=a%20b")
                .putHeader("X-Portico-SF-Retries", "2")
                .send()
                .await());
    assertThat(r.getString("name")).isEqualTo("p0-primary");
    assertThat(r.getString("path")).isEqualTo("/items/7");
    assertThat(r.getString("query")).isEqualTo("x=1&y=a%20b");
    assertThat(r.getString("via")).startsWith("1.1 ");
    assertThat(r.getString("xff")).isEqualTo("127.0.0.1");
    assertThat(r.getString("retriesHeader")).isNull();
    // parameter names without case; no PartitionKind: the service's own kind
    assertThat(json(get("/Shop/Orders/x?partitionkey=60").send().await()).getString("name"))
        .isEqualTo("p1-primary");
    assertThat(
            json(get("/Shop/Orders/x?PartitionKey=5&TargetReplicaSelector=RandomSecondaryReplica")
                    .send()
                    .await())
                .getString("name"))
        .isEqualTo("p0-secondary");
    JsonObject admin = json(get("/Shop/Orders/x?PartitionKey=5&ListenerName=admin").send().await());
    assertThat(admin.getString("path")).isEqualTo("/admin/x");
    // the longest prefix naming a service wins
    JsonObject arch = json(get("/Shop/Orders/Archive/2020/01").send().await());
    assertThat(arch.getString("name")).isEqualTo("archive");
    assertThat(arch.getString("path")).isEqualTo("/arch/2020/01");
    assertThat(json(get("/Shop/Orders/Archive").send().await()).getString("path"))
        .isEqualTo("/arch");
    assertThat(
            json(get("/Shop/Ledger/accounts?PartitionKind=Named&PartitionKey=eu").send().await())
                .getString("name"))
        .isEqualTo("ledger-eu");
    Set<String> instances = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      instances.add(json(get("/Shop/Web/").send().await()).getString("name"));
    }
    assertThat(instances).containsExactlyInAnyOrder("web-1", "web-2");

    problem(
        get("/shop/orders/x?PartitionKey=5").send().await(),
        404,
        "No service is registered under /shop/orders/x");
    problem(get("/Shop").send().await(), 404, "/Shop");
    problem(get("/Shop/Orders/x?PartitionKind=Named&PartitionKey=7").send().await(), 400, "Named");
    problem(get("/Shop/Orders/x?PartitionKey=500").send().await(), 400, "500");
    problem(get("/Shop/Orders/x").send().await(), 400, "Int64Range");
    problem(
        get("/Shop/Web/?TargetReplicaSelector=RandomSecondaryReplica").send().await(),
        400,
        "stateless");
    problem(get("/Shop/Web/?TargetReplicaSelector=Bogus").send().await(), 400, "Bogus");
    problem(get("/Shop/Orders/x?PartitionKey=5&ListenerName=nope").send().await(), 503, "nope");
    HttpResponse<Buffer> badTimeout = get("/Shop/Web/?Timeout=soon").send().await();
    assertThat(badTimeout.statusCode()).isEqualTo(400);
    assertThat(badTimeout.bodyAsJsonObject().getString("reason")).isEqualTo("BadRequest");
    assertThat(observed.resolutions)
        .anyMatch(
            x ->
                x.service().equals("fabric:/shop/orders")
                    && x.result() == FabricResolution.NOT_FOUND);
  }

  @Test
  void incomingForwardingHeadersAreReplacedAsServiceFabricDoesUnlessTheChainIsKept() {
    Switchable p0 = replica("p0-primary");
    publish(gw, primary(0, p0, 1));
    awaitIndexed(gw, ORDERS, 1);
    JsonObject replaced =
        json(
            get("/Shop/Orders/x?PartitionKey=1")
                .putHeader("X-Forwarded-For", "6.6.6.6")
                .putHeader("X-Forwarded-Host", "evil.example")
                .putHeader("X-Forwarded-Port", "1")
                .putHeader("Forwarded", "for=6.6.6.6;host=evil.example")
                .send()
                .await());
    assertThat(replaced.getString("xff")).isEqualTo("127.0.0.1");
    assertThat(replaced.getString("xfh")).isEqualTo("127.0.0.1:" + gw.reverseProxyPort());
    assertThat(replaced.getString("xfport")).isNull();
    assertThat(replaced.getString("forwarded"))
        .isEqualTo("for=127.0.0.1;host=\"127.0.0.1:" + gw.reverseProxyPort() + "\";proto=http");

    // an operator behind a trusted proxy keeps the chain (a port of its own: port 0 would share the
    // first gateway's random reverse-proxy port within this Vert.x)
    GatewayVerticle chained =
        new GatewayVerticle(
            GatewayHarness.config(
                """
      listeners:
        serviceFabricReverseProxy: { enabled: true, host: 127.0.0.1, port: %d, forwardedHeaders: append }
      """
                    .formatted(Backends.closedPort()),
                Map.of()),
            1,
            observed);
    vertx.deployVerticle(chained).await();
    publish(chained, primary(0, p0, 1));
    awaitIndexed(chained, ORDERS, 1);
    JsonObject kept =
        json(
            web.get(chained.reverseProxyPort(), "127.0.0.1", "/Shop/Orders/x?PartitionKey=1")
                .putHeader("X-Forwarded-For", "6.6.6.6")
                .putHeader("Forwarded", "for=6.6.6.6")
                .send()
                .await());
    assertThat(kept.getString("xff")).isEqualTo("6.6.6.6, 127.0.0.1");
    assertThat(kept.getString("forwarded")).startsWith("for=6.6.6.6, for=127.0.0.1;");
  }

  @Test
  void aConnectionFailureReResolvesAndResends() {
    Switchable dead = replica("dead");
    Switchable next = replica("next");
    String id = publish(gw, primary(0, dead, 1));
    awaitIndexed(gw, ORDERS, 1);
    dead.kill();
    Future<HttpResponse<Buffer>> pending = get("/Shop/Orders/x?PartitionKey=3").send();
    // the cluster fails over once the gateway has found the primary gone
    vertx.setPeriodic(
        5,
        t -> {
          if (observed.attemptsByEndpoint.containsKey("127.0.0.1:" + dead.port())) {
            vertx.cancelTimer(t);
            gw.registry().update(id, primary(0, next, 2));
          }
        });
    HttpResponse<Buffer> r = pending.await();
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(json(r).getString("name")).isEqualTo("next");
    assertThat(observed.count(FabricResolution.REFRESHED)).isPositive();
  }

  @Test
  void getHeadAndOptionsAreResentAfter503And410ButAPostIsNot() {
    AtomicInteger calls = new AtomicInteger();
    Switchable flaky =
        Switchable.start(
            vertx,
            "flaky",
            req -> {
              int n = calls.incrementAndGet();
              if (n % 2 == 1) {
                req.response()
                    .setStatusCode(req.path().contains("gone") ? 410 : 503)
                    .end("not now");
              } else {
                echo("flaky").handle(req);
              }
            });
    publish(gw, primary(0, flaky, 1));
    awaitIndexed(gw, ORDERS, 1);

    HttpResponse<Buffer> r503 = get("/Shop/Orders/a?PartitionKey=1").send().await();
    assertThat(r503.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> r410 = get("/Shop/Orders/gone?PartitionKey=1").send().await();
    assertThat(r410.statusCode()).isEqualTo(200);
    assertThat(
            web.head(gw.reverseProxyPort(), "127.0.0.1", "/Shop/Orders/a?PartitionKey=1")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(calls.get()).isEqualTo(6);
    HttpResponse<Buffer> post =
        web.post(gw.reverseProxyPort(), "127.0.0.1", "/Shop/Orders/a?PartitionKey=1")
            .sendBuffer(Buffer.buffer("{}"))
            .await();
    assertThat(post.statusCode()).isEqualTo(503);
    assertThat(calls.get()).isEqualTo(7);
  }

  @Test
  void a404IsResentABoundedNumberOfTimesThenAnsweredAndAResourceNotFoundOneNever()
      throws Exception {
    AtomicInteger oldCalls = new AtomicInteger();
    Switchable old =
        Switchable.start(
            vertx,
            "old",
            req -> {
              oldCalls.incrementAndGet();
              long delay = req.path().contains("slow") ? 400 : 1;
              vertx.setTimer(
                  delay,
                  t -> {
                    if (req.path().contains("marked")) {
                      req.response()
                          .setStatusCode(404)
                          .putHeader("X-ServiceFabric", "ResourceNotFound")
                          .end("no such order");
                    } else {
                      req.response().setStatusCode(404).end("nothing here");
                    }
                  });
            });
    Switchable next = replica("next");
    String id = publish(gw, primary(0, old, 1));
    awaitIndexed(gw, ORDERS, 1);

    // not moved: re-resolved and resent (Service Fabric's rule), notFoundRetries (2) times, then
    // answered as the 404 it is, well within the request's Timeout (the reference answers 504 then)
    HttpResponse<Buffer> own = get("/Shop/Orders/order/9?PartitionKey=1&Timeout=5").send().await();
    assertThat(own.statusCode()).isEqualTo(404);
    assertThat(own.bodyAsString()).isEqualTo("nothing here");
    assertThat(oldCalls.get()).isEqualTo(3);
    // marked as the service's own answer: returned at once
    HttpResponse<Buffer> marked = get("/Shop/Orders/marked?PartitionKey=1").send().await();
    assertThat(marked.statusCode()).isEqualTo(404);
    assertThat(marked.getHeader("X-ServiceFabric")).isEqualTo("ResourceNotFound");
    assertThat(oldCalls.get()).isEqualTo(4);
    // a Timeout shorter than the back-offs: the 404 is the answer, not a 504
    HttpResponse<Buffer> bounded =
        get("/Shop/Orders/order/9?PartitionKey=1&Timeout=1")
            .putHeader("X-Portico-SF-Retries", "10")
            .send()
            .await();
    assertThat(bounded.statusCode()).isEqualTo(404);

    // the replica moves while the old one answers 404: it is not the service's answer any more
    int before = oldCalls.get();
    Future<HttpResponse<Buffer>> pending = get("/Shop/Orders/slow?PartitionKey=1").send();
    await().atMost(10, TimeUnit.SECONDS).until(() -> oldCalls.get() > before);
    gw.registry().update(id, primary(0, next, 2)).await();
    awaitGeneration(gw, ORDERS, parts.get(0).id(), 2);
    HttpResponse<Buffer> moved = pending.await();
    assertThat(moved.statusCode()).isEqualTo(200);
    assertThat(json(moved).getString("name")).isEqualTo("next");
    assertThat(oldCalls.get()).isEqualTo(before + 1);
  }

  @Test
  void timeoutBoundsTheWholeRequestAndRetriesCanBeSwitchedOff() {
    AtomicInteger calls = new AtomicInteger();
    Switchable busy =
        Switchable.start(
            vertx,
            "busy",
            req -> {
              calls.incrementAndGet();
              vertx.setTimer(150, t -> req.response().setStatusCode(503).end("busy"));
            });
    publish(gw, primary(0, busy, 1));
    NetServer silent = Backends.silent(vertx);
    Switchable stub = Switchable.echo(vertx, "unused");
    publish(
        gw,
        record(
            ORDERS,
            ServiceKind.STATEFUL,
            parts.get(1),
            ReplicaRole.STATEFUL_PRIMARY,
            "silent",
            address("http://127.0.0.1:" + silent.actualPort()),
            1));
    awaitIndexed(gw, ORDERS, 2);

    long started = System.nanoTime();
    HttpResponse<Buffer> bounded = get("/Shop/Orders/x?PartitionKey=1&Timeout=1").send().await();
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(bounded.statusCode()).isEqualTo(504);
    assertThat(bounded.bodyAsJsonObject().getString("reason")).isEqualTo("Timeout");
    assertThat(took).isBetween(900L, 3000L);
    assertThat(calls.get()).isBetween(2, 11);

    HttpResponse<Buffer> hanging = get("/Shop/Orders/x?PartitionKey=70&Timeout=1").send().await();
    assertThat(hanging.statusCode()).isEqualTo(504);
    assertThat(hanging.bodyAsJsonObject().getString("reason")).isEqualTo("Timeout");

    int before = calls.get();
    HttpResponse<Buffer> once =
        get("/Shop/Orders/x?PartitionKey=1").putHeader("X-Portico-SF-Retries", "0").send().await();
    assertThat(once.statusCode()).isEqualTo(503);
    assertThat(once.bodyAsString()).isEqualTo("busy");
    assertThat(calls.get()).isEqualTo(before + 1);
    HttpResponse<Buffer> bad =
        get("/Shop/Orders/x?PartitionKey=1")
            .putHeader("X-Portico-SF-Retries", "some")
            .send()
            .await();
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(stub.served()).isZero();
  }

  @Test
  void aPostBodyIsResentWholeWhenBufferedAndNeverWhenNot() {
    Switchable breaking =
        Switchable.start(
            vertx, "breaking", req -> req.body().onSuccess(b -> req.connection().close()));
    Switchable next = replica("next");
    String id = publish(gw, primary(0, breaking, 1));
    awaitIndexed(gw, ORDERS, 1);

    HttpResponse<Buffer> big =
        web.post(gw.reverseProxyPort(), "127.0.0.1", "/Shop/Orders/o?PartitionKey=1")
            .sendBuffer(Buffer.buffer(new byte[4000]))
            .await();
    assertThat(big.statusCode())
        .as("above bufferBodyLimit: streamed, and once sent never resent")
        .isEqualTo(502);
    assertThat(breaking.served()).isEqualTo(1);
    assertThat(next.served()).isZero();

    vertx.setPeriodic(
        20,
        t -> {
          if (breaking.served() > 1) {
            vertx.cancelTimer(t);
            gw.registry().update(id, primary(0, next, 2));
          }
        });
    HttpResponse<Buffer> small =
        web.post(gw.reverseProxyPort(), "127.0.0.1", "/Shop/Orders/o?PartitionKey=1")
            .sendBuffer(Buffer.buffer(new byte[900]))
            .await();
    assertThat(small.statusCode()).as(small.bodyAsString()).isEqualTo(200);
    assertThat(json(small).getString("name")).isEqualTo("next");
    assertThat(json(small).getInteger("bodyBytes")).isEqualTo(900);
  }

  static JsonObject json(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  static void problem(HttpResponse<Buffer> r, int status, String detailPart) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(r.bodyAsJsonObject().getString("reason")).isEqualTo("PartitionResolutionFailure");
    assertThat(r.bodyAsJsonObject().getString("backend")).isEqualTo("sf-reverse-proxy");
    assertThat(r.bodyAsJsonObject().getString("detail")).contains(detailPart);
  }
}
