package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.resilience.BreakerTransition;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Load;
import dev.portico.gateway.support.Load.Hit;
import dev.portico.gateway.support.Switchable;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Circuit breakers, pools, retries and reconnect against real loopback backends. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResilienceTest {

  Vertx vertx;
  WebClient web;
  List<JsonObject> transitions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
    vertx
        .eventBus()
        .<JsonObject>consumer(BreakerTransition.ADDRESS, m -> transitions.add(m.body()));
  }

  /** Counts attempts per backend, and retries, as the gateway reports them. */
  static final class Attempts implements ExchangeObserver {
    final Map<String, AtomicInteger> failures = new java.util.concurrent.ConcurrentHashMap<>();
    final AtomicInteger retries = new AtomicInteger();

    @Override
    public void attempt(String backendId, String endpoint, long nanos, int status, String reason) {
      if (reason != null) {
        failures.computeIfAbsent(backendId, k -> new AtomicInteger()).incrementAndGet();
      }
    }

    @Override
    public void retried(String apiId, String backendId, String reason) {
      retries.incrementAndGet();
    }
  }

  GatewayVerticle start(String yaml, ExchangeObserver observer) {
    GatewayVerticle gw = new GatewayVerticle(GatewayHarness.config(yaml, Map.of()), 2, observer);
    vertx.deployVerticle(gw).await();
    return gw;
  }

  @Test
  void killingOnePoolMemberUnderLoadFailsNoRequestAndItComesBackAfterTheTripTime()
      throws Exception {
    Switchable a = Switchable.echo(vertx, "a");
    Switchable b = Switchable.echo(vertx, "b");
    Switchable c = Switchable.echo(vertx, "c");
    Attempts attempts = new Attempts();
    String breaker =
        "circuitBreaker: { rules: [ { name: dead, failureCondition: { count: 3, interval: PT10S,"
            + " errorReasons: [BackendConnectionFailure] }, tripDuration: PT2S } ] }";
    GatewayVerticle gw =
        start(
            """
      backends:
        - { id: a, url: "%s", %s }
        - { id: b, url: "%s", %s }
        - { id: c, url: "%s", %s }
        - id: pool
          type: Pool
          pool: { services: [ { id: a }, { id: b }, { id: c } ] }
      apis:
        - id: api
          path: /api
          backend: pool
          retry: { count: 2, errorReasons: [BackendConnectionFailure] }
      """
                .formatted(a.url(), breaker, b.url(), breaker, c.url(), breaker),
            attempts);

    // the load runs until this test has seen what it waits for (bounded by Load's safety nets)
    Load load = Load.start(vertx, gw.trafficPort(), "/api/x", 4);
    load.awaitHits(1000, h -> true, Duration.ofSeconds(20));
    for (String member : List.of("a", "b", "c")) {
      load.awaitServedBy(member, 50, 0, Duration.ofSeconds(20));
    }
    b.kill();
    // responses b sent before dying may still be arriving
    long killed = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    await().atMost(10, TimeUnit.SECONDS).until(() -> opened("b"));
    int failuresAtOpen = attempts.failures.getOrDefault("b", new AtomicInteger()).get();
    // traffic goes on without b for a while (a and c answer), then b comes back
    long openedAt = System.nanoTime();
    load.awaitServedBy("a", 200, openedAt, Duration.ofSeconds(20));
    load.awaitServedBy("c", 200, openedAt, Duration.ofSeconds(20));
    long revived = System.nanoTime();
    b.revive();
    // the trip time (2 s) passes, a probe succeeds, b takes traffic again; the load keeps flowing
    // until then, however fast this machine serves it
    await().atMost(20, TimeUnit.SECONDS).until(() -> closedAgain("b"));
    load.awaitServedBy("b", 100, revived, Duration.ofSeconds(20));
    List<Hit> hits = load.stop();

    assertThat(hits).hasSizeGreaterThan(1000);
    assertThat(hits).as("failed GETs").allSatisfy(h -> assertThat(h.status()).isEqualTo(200));
    // the breaker opened on its third failure (plus at most the requests already in flight, 4
    // workers)
    assertThat(failuresAtOpen).isBetween(3, 3 + 4);
    // while b was dead and tripped, nobody was answered by it
    assertThat(hits)
        .filteredOn(h -> h.atNanos() > killed && h.atNanos() < revived)
        .noneMatch(h -> h.instance().equals("b"));
    // before the kill the three shared the load; after recovery b serves again
    Map<String, Long> before =
        hits.stream()
            .filter(h -> h.atNanos() < killed)
            .collect(Collectors.groupingBy(Hit::instance, Collectors.counting()));
    assertThat(before).containsKeys("a", "b", "c");
    assertThat(hits).filteredOn(h -> h.atNanos() > revived).anyMatch(h -> h.instance().equals("b"));
  }

  @Test
  void lowerPriorityMembersServeOnlyWhileTheHigherOnesAreUnavailable() throws Exception {
    Switchable primary = Switchable.echo(vertx, "primary");
    Switchable secondary = Switchable.echo(vertx, "secondary");
    GatewayVerticle gw =
        start(
            """
      backends:
        - id: primary
          url: "%s"
          circuitBreaker: { rules: [ { failureCondition: { count: 1, interval: PT10S, errorReasons: [BackendConnectionFailure] }, tripDuration: PT1S } ] }
        - { id: secondary, url: "%s" }
        - id: pool
          type: Pool
          pool: { services: [ { id: primary, priority: 1 }, { id: secondary, priority: 2 } ] }
      apis:
        - { id: api, path: /, backend: pool, retry: { count: 1 } }
      """
                .formatted(primary.url(), secondary.url()),
            ExchangeObserver.NONE);
    for (int i = 0; i < 20; i++) {
      assertThat(name(get(gw, "/x"))).isEqualTo("primary");
    }
    primary.kill();
    HttpResponse<Buffer> during = get(gw, "/x");
    assertThat(during.statusCode()).isEqualTo(200);
    assertThat(name(during)).isEqualTo("secondary");
    for (int i = 0; i < 20; i++) {
      assertThat(name(get(gw, "/x"))).isEqualTo("secondary");
    }
    primary.revive();
    await().atMost(5, TimeUnit.SECONDS).until(() -> "primary".equals(name(get(gw, "/x"))));
    for (int i = 0; i < 20; i++) {
      assertThat(name(get(gw, "/x"))).isEqualTo("primary");
    }
  }

  @Test
  void aBackendsRetryAfterSetsTheOpenTimeAndTheClientGets503WithRetryAfter() {
    AtomicInteger mode = new AtomicInteger(503);
    Switchable busy =
        Switchable.start(
            vertx,
            "busy",
            req -> {
              if (mode.get() == 503) {
                req.response().setStatusCode(503).putHeader("retry-after", "2").end("busy");
              } else {
                req.response().end("{\"name\":\"busy\"}");
              }
            });
    GatewayVerticle gw =
        start(
            """
      backends:
        - id: busy
          url: "%s"
          circuitBreaker:
            maxRetryAfter: PT10S
            rules:
              - failureCondition: { count: 1, interval: PT10S, statusCodeRanges: [ { min: 503, max: 503 } ] }
                tripDuration: PT30S
                acceptRetryAfter: true
      apis:
        - { id: api, path: /, backend: busy }
      """
                .formatted(busy.url()),
            ExchangeObserver.NONE);
    HttpResponse<Buffer> first = get(gw, "/x");
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(first.bodyAsString()).isEqualTo("busy");
    HttpResponse<Buffer> refused = get(gw, "/x");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.bodyAsJsonObject().getString("reason")).isEqualTo("BackendUnavailable");
    assertThat(Integer.parseInt(refused.getHeader("retry-after"))).isBetween(1, 2);
    assertThat(busy.served()).isEqualTo(1);
    assertThat(transitions)
        .anyMatch(t -> t.getString("to").equals("OPEN") && t.getLong("retryAfterSeconds") == 2);
    mode.set(200);
    await()
        .atMost(5, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> get(gw, "/x").statusCode() == 200);
    // transitions travel over the event bus: the CLOSED one may land just after the 200 (seen under
    // load)
    await()
        .atMost(5, TimeUnit.SECONDS)
        .untilAsserted(
            () -> assertThat(transitions).anyMatch(t -> t.getString("to").equals("CLOSED")));
  }

  @Test
  void theRetryBudgetStopsRetriesOnceSpent() {
    Switchable x = Switchable.start(vertx, "x", req -> req.response().setStatusCode(503).end());
    Switchable y = Switchable.start(vertx, "y", req -> req.response().setStatusCode(503).end());
    Attempts attempts = new Attempts();
    GatewayVerticle gw =
        start(
            """
      backends:
        - { id: x, url: "%s", circuitBreaker: { rules: [] } }
        - { id: y, url: "%s", circuitBreaker: { rules: [] } }
        - { id: pool, type: Pool, pool: { services: [ { id: x }, { id: y } ] } }
      apis:
        - id: api
          path: /
          backend: pool
          retry: { count: 3, statusCodes: [503], backoff: { base: PT0.001S, max: PT0.002S }, budget: { ratio: 0, minPerSecond: 1 } }
      """
                .formatted(x.url(), y.url()),
            attempts);
    for (int i = 0; i < 30; i++) {
      assertThat(get(gw, "/x").statusCode()).isEqualTo(503);
    }
    // ratio 0 leaves the floor: 1 retry per second over the 10 s window = 10 retries
    assertThat(attempts.retries.get()).isEqualTo(10);
    assertThat(x.served() + y.served()).isEqualTo(40);
  }

  @Test
  void anUnbufferedPostIsNeverRetriedAndABufferedOneIsResentWhole() {
    Switchable breaking =
        Switchable.start(
            vertx, "breaking", req -> req.body().onSuccess(b -> req.connection().close()));
    Switchable healthy = Switchable.echo(vertx, "healthy");
    GatewayVerticle gw =
        start(
            """
      backends:
        - { id: breaking, url: "%s" }
        - { id: healthy, url: "%s" }
        - id: pool
          type: Pool
          pool: { services: [ { id: breaking, priority: 1 }, { id: healthy, priority: 2 } ] }
      apis:
        - id: api
          path: /
          backend: pool
          retry: { count: 2, methods: [GET, PUT, POST], bufferBodyLimit: 1024, errorReasons: [BackendConnectionFailure] }
      """
                .formatted(breaking.url(), healthy.url()),
            ExchangeObserver.NONE);
    Buffer big = Buffer.buffer(new byte[4096]);
    HttpResponse<Buffer> post =
        web.post(gw.trafficPort(), "127.0.0.1", "/orders").sendBuffer(big).await();
    assertThat(post.statusCode()).isEqualTo(502);
    assertThat(post.bodyAsJsonObject().getString("reason")).isEqualTo("BackendConnectionFailure");
    assertThat(breaking.served()).isEqualTo(1);
    assertThat(healthy.served()).isZero();
    HttpResponse<Buffer> put =
        web.put(gw.trafficPort(), "127.0.0.1", "/orders/1").sendBuffer(big).await();
    assertThat(put.statusCode())
        .as("idempotent, but its streamed body already left")
        .isEqualTo(502);
    assertThat(healthy.served()).isZero();

    Buffer small = Buffer.buffer(new byte[700]);
    HttpResponse<Buffer> buffered =
        web.post(gw.trafficPort(), "127.0.0.1", "/orders").sendBuffer(small).await();
    assertThat(buffered.statusCode()).isEqualTo(200);
    assertThat(buffered.bodyAsJsonObject().getString("name")).isEqualTo("healthy");
    assertThat(buffered.bodyAsJsonObject().getInteger("bodyBytes")).isEqualTo(700);
    assertThat(breaking.served()).isEqualTo(3);
  }

  @Test
  void aTrippedSingleBackendAnswers503WithTheTimeLeftAndReconnectClosesIt() {
    Switchable dead = Switchable.echo(vertx, "dead");
    dead.kill();
    GatewayVerticle gw =
        start(
            """
      backends:
        - id: dead
          url: "%s"
          circuitBreaker: { rules: [ { failureCondition: { count: 1, interval: PT10S, errorReasons: [BackendConnectionFailure] }, tripDuration: PT1M } ] }
      apis:
        - { id: api, path: /, backend: dead }
      """
                .formatted(dead.url()),
            ExchangeObserver.NONE);
    assertThat(get(gw, "/x").statusCode()).isEqualTo(502);
    HttpResponse<Buffer> tripped = get(gw, "/x");
    assertThat(tripped.statusCode()).isEqualTo(503);
    assertThat(tripped.bodyAsJsonObject().getString("detail")).contains("tripped");
    assertThat(Integer.parseInt(tripped.getHeader("retry-after"))).isBetween(58, 60);

    dead.revive();
    List<String> closedLater = gw.reconnect("dead", Duration.ofMillis(500)).await();
    assertThat(closedLater).containsExactly("dead 127.0.0.1:" + dead.port());
    assertThat(get(gw, "/x").statusCode()).isEqualTo(200);

    dead.kill();
    assertThat(get(gw, "/x").statusCode()).isEqualTo(502);
    assertThat(get(gw, "/x").statusCode()).isEqualTo(503);
    dead.revive();
    gw.reconnect("dead", Duration.ZERO).await();
    assertThat(get(gw, "/x").statusCode()).isEqualTo(200);
    assertThat(gw.reconnect("nope", Duration.ZERO).failed()).isTrue();
  }

  @Test
  void oneBadInstanceOfAServiceIsTakenOutAloneAndAffinityFollowsAvailability() {
    Switchable i1 = Switchable.echo(vertx, "i1");
    Switchable i2 = Switchable.echo(vertx, "i2");
    GatewayVerticle gw =
        start(
            """
      registry:
        instances:
          - { service: svc, url: "%s" }
          - { service: svc, url: "%s" }
      backends:
        - id: svc
          url: svc
          loadBalancing: { sessionAffinity: { cookieName: portico-sticky } }
          circuitBreaker: { rules: [ { failureCondition: { count: 2, interval: PT10S, errorReasons: [BackendConnectionFailure] }, tripDuration: PT30S } ] }
      apis:
        - { id: api, path: /, backend: svc, retry: { count: 1 } }
      """
                .formatted(i1.url(), i2.url()),
            ExchangeObserver.NONE);
    HttpResponse<Buffer> first = get(gw, "/x");
    String cookie = first.cookies().get(0);
    String stuck = name(first);
    assertThat(cookie).startsWith("portico-sticky=").containsIgnoringCase("HttpOnly");
    String cookieValue = cookie.substring(0, cookie.indexOf(';'));
    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> r =
          web.get(gw.trafficPort(), "127.0.0.1", "/x")
              .putHeader("cookie", cookieValue)
              .send()
              .await();
      assertThat(name(r)).isEqualTo(stuck);
      assertThat(r.cookies()).isEmpty();
    }
    Switchable stuckOne = stuck.equals("i1") ? i1 : i2;
    stuckOne.kill();
    for (int i = 0; i < 10; i++) {
      HttpResponse<Buffer> r =
          web.get(gw.trafficPort(), "127.0.0.1", "/x")
              .putHeader("cookie", cookieValue)
              .send()
              .await();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(name(r)).isNotEqualTo(stuck);
    }
    assertThat(transitions)
        .filteredOn(t -> t.getString("to").equals("OPEN"))
        .extracting(t -> t.getString("endpoint"))
        .containsExactly("127.0.0.1:" + stuckOne.port());
  }

  @Test
  void leastRequestsSendsLessToASlowInstance() throws Exception {
    assertSlowGetsLittle(
        """
      registry:
        instances:
          - { service: svc, url: "%s" }
          - { service: svc, url: "%s" }
      backends:
        - { id: svc, url: svc, loadBalancing: { strategy: leastRequests } }
      apis:
        - { id: api, path: /, backend: svc }
      """);
  }

  @Test
  void aLeastRequestsPoolSendsLessToASlowMember() throws Exception {
    // the pool's balancer reads its members' requests in flight: they are counted although each
    // member's own balancing is round-robin
    assertSlowGetsLittle(
        """
      backends:
        - { id: f, url: "%s" }
        - { id: s, url: "%s" }
        - id: pool
          type: Pool
          pool: { services: [ { id: f }, { id: s } ] }
          loadBalancing: { strategy: leastRequests }
      apis:
        - { id: api, path: /, backend: pool }
      """);
  }

  /**
   * Under a load of 8 concurrent requests, a gateway configured by {@code yaml} (given the fast
   * backend's URL, then the slow one's: 150 ms per answer) sends the slow one under a fifth.
   */
  private void assertSlowGetsLittle(String yaml) throws Exception {
    Switchable fast = Switchable.echo(vertx, "fast");
    Switchable slow =
        Switchable.start(
            vertx,
            "slow",
            req -> vertx.setTimer(150, t -> req.response().end("{\"name\":\"slow\"}")));
    GatewayVerticle gw = start(yaml.formatted(fast.url(), slow.url()), ExchangeObserver.NONE);
    Load load = Load.start(vertx, gw.trafficPort(), "/x", 8);
    // enough answers that the slow one could have taken its even share many times over
    load.awaitHits(2000, h -> true, Duration.ofSeconds(60));
    List<Hit> hits = load.stop();
    long slowHits = hits.stream().filter(h -> h.instance().equals("slow")).count();
    assertThat(hits).allSatisfy(h -> assertThat(h.status()).isEqualTo(200));
    assertThat(slowHits).isLessThan(hits.size() / 5);
  }

  boolean opened(String backend) {
    return transitions.stream()
        .anyMatch(t -> t.getString("backend").equals(backend) && t.getString("to").equals("OPEN"));
  }

  boolean closedAgain(String backend) {
    return transitions.stream()
        .anyMatch(
            t -> t.getString("backend").equals(backend) && t.getString("to").equals("CLOSED"));
  }

  HttpResponse<Buffer> get(GatewayVerticle gw, String path) {
    return web.get(gw.trafficPort(), "127.0.0.1", path).send().await();
  }

  static String name(HttpResponse<Buffer> r) {
    return r.statusCode() == 200
        ? r.bodyAsJsonObject().getString("name")
        : "status " + r.statusCode();
  }
}
