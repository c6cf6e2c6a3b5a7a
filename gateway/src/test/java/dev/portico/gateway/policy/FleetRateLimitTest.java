package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.support.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet-wide rate limit: two gateways (two Vert.x instances, each with its own Redis client and
 * its own policy environment) share one real redis-server.
 */
class FleetRateLimitTest {

  @TempDir static Path dir;
  static RedisServer server;
  static Vertx a;
  static Vertx b;
  static Redis redisA;
  static Redis redisB;

  @BeforeAll
  static void start() throws Exception {
    server = RedisServer.start(dir);
    a = Vertx.vertx();
    b = Vertx.vertx();
    redisA =
        Redis.createClient(
            a,
            new RedisOptions()
                .setConnectionString(server.endpoint())
                .setMaxPoolSize(8)
                .setMaxPoolWaiting(1024));
    redisB =
        Redis.createClient(
            b,
            new RedisOptions()
                .setConnectionString(server.endpoint())
                .setMaxPoolSize(8)
                .setMaxPoolWaiting(1024));
    // connected before the tests measure anything: a first connection can outlast a call timeout on
    // a busy machine
    redisA.send(Request.cmd(Command.PING)).await();
    redisB.send(Request.cmd(Command.PING)).await();
  }

  @AfterAll
  static void stop() throws Exception {
    redisA.close();
    redisB.close();
    a.close().await();
    b.close().await();
    server.close();
  }

  record Decision(boolean admitted, long at) {}

  private static PolicyEnvironment env(
      Vertx vertx, Redis redis, PolicyEvents events, String prefix) {
    return PolicyEnvironment.builder(vertx)
        .redis(redis)
        .events(events)
        .redisKeyPrefix(prefix)
        .build();
  }

  private static JsonObject limit(int calls, Object period, String onFailure) {
    return limit(calls, period, onFailure, "PT0.1S");
  }

  private static JsonObject limit(int calls, Object period, String onFailure, String timeout) {
    return new JsonObject()
        .put("calls", calls)
        .put("renewal-period", period)
        .put("counter-key", "fleet")
        .put(
            "store",
            new JsonObject()
                .put("type", "redis")
                .put("timeout", timeout)
                .put("on-failure", onFailure)
                .put("retry-after", "PT0.5S"));
  }

  /**
   * Offers {@code perTick} requests every 10 ms on each gateway's event loop for {@code seconds},
   * all against one fleet-wide limit of 100/s; returns every decision with its time.
   */
  private static List<Decision> load(Policy onA, Policy onB, int perTick, int seconds) {
    List<Decision> decisions = new CopyOnWriteArrayList<>();
    AtomicInteger pending = new AtomicInteger();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    for (Object[] g : new Object[][] {{a, onA}, {b, onB}}) {
      Vertx vertx = (Vertx) g[0];
      Policy policy = (Policy) g[1];
      vertx.setPeriodic(
          10,
          id -> {
            if (System.nanoTime() >= end) {
              vertx.cancelTimer(id);
              return;
            }
            for (int i = 0; i < perTick; i++) {
              pending.incrementAndGet();
              policy
                  .apply(TestRequest.get("/"))
                  .onComplete(
                      ar -> {
                        decisions.add(
                            new Decision(
                                ar.succeeded() && ar.result() instanceof PolicyOutcome.Continue,
                                System.nanoTime()));
                        pending.decrementAndGet();
                      });
            }
          });
    }
    await()
        .atMost(Duration.ofSeconds(seconds + 30))
        .until(() -> System.nanoTime() >= end && pending.get() == 0);
    return decisions;
  }

  @Test
  void twoGatewaysShareOneLimitOf100PerSecond() {
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    PolicyEvents events =
        new PolicyEvents() {
          @Override
          public void limitDecision(
              String policy, String location, String store, LimitDecision decision) {
            seen.computeIfAbsent(store + "/" + decision, k -> new AtomicInteger())
                .incrementAndGet();
          }
        };
    // what is measured is the shared bucket, not the store timeout: a loaded machine may hold a
    // call past 100 ms
    Policy onA =
        Policies.one(
            env(a, redisA, events, "test:accuracy:"),
            "rate-limit-by-key",
            limit(100, 1, "closed", "PT5S"));
    Policy onB =
        Policies.one(
            env(b, redisB, events, "test:accuracy:"),
            "rate-limit-by-key",
            limit(100, 1, "closed", "PT5S"));
    // the span of the run on Redis's clock (the one the script decides by): read before the first
    // and after the last decision
    long redisStart = redisMicros();
    // 2 gateways x 2 requests per 10 ms = 400/s offered, 4x the limit, for 6 s
    List<Decision> decisions = load(onA, onB, 2, 6);
    long redisEnd = redisMicros();
    assertThat(seen).doesNotContainKey("redis/STORE_FAILED_CLOSED");
    double span = (redisEnd - redisStart) / 1e6;
    long admitted = decisions.stream().filter(Decision::admitted).count();
    long offered = decisions.size();
    // a token bucket of 100 refilled at 100/s admits at most 100 + 100/s x the time it ran; +2 for
    // the rounding of
    // the script's arithmetic. Exact because every decision is one atomic script on one clock,
    // whichever gateway asks.
    long bound = 100 + (long) Math.floor(100 * span) + 2;
    // the steady state as a client sees it: admissions completed in 4 whole seconds after the
    // initial burst
    long first = decisions.stream().mapToLong(Decision::at).min().orElseThrow();
    long from = first + 1_500_000_000L;
    long to = from + 4_000_000_000L;
    long steady =
        decisions.stream().filter(d -> d.admitted() && d.at() >= from && d.at() < to).count();
    System.out.printf(
        "fleet rate limit: %d offered (%.0f/s), %d admitted in %.2f s of Redis time (bound %d);"
            + " steady state %.1f/s over 4 s%n",
        offered, offered / span, admitted, span, bound, steady / 4.0);
    assertThat(admitted).isLessThanOrEqualTo(bound);
    if (offered >= 1600) {
      // the machine kept the offered load well above the limit: the limiter must not be much
      // stricter than it says
      assertThat(admitted).isGreaterThanOrEqualTo((long) (0.8 * (100 + 100 * (span - 1))));
    }
  }

  private static long redisMicros() {
    io.vertx.redis.client.Response t = redisA.send(Request.cmd(Command.TIME)).await();
    return t.get(0).toLong() * 1_000_000L + t.get(1).toLong();
  }

  @Test
  void aSlowOrDeadRedisFallsBackAsConfigured() throws Exception {
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    PolicyEvents events =
        new PolicyEvents() {
          @Override
          public void limitDecision(
              String policy, String location, String store, LimitDecision decision) {
            seen.computeIfAbsent(decision.name(), k -> new AtomicInteger()).incrementAndGet();
          }

          @Override
          public void storeFailure(String location, StoreFailure failure) {
            seen.computeIfAbsent(failure.name(), k -> new AtomicInteger()).incrementAndGet();
          }
        };
    PolicyEnvironment env = env(a, redisA, events, "test:failure:");
    Policy open = Policies.one(env, "rate-limit-by-key", limit(1, 60, "open"));
    Policy closed = Policies.one(env, "rate-limit-by-key", limit(2, 60, "closed"));
    Policy local = Policies.one(env, "rate-limit-by-key", limit(3, 60, "local"));
    assertThat(outcome(open)).isSameAs(PolicyOutcome.CONTINUE);
    assertThat(outcome(open)).isInstanceOf(PolicyOutcome.Reject.class);
    server.pause();
    try {
      long started = System.nanoTime();
      assertThat(outcome(open)).isSameAs(PolicyOutcome.CONTINUE);
      PolicyOutcome refused = outcome(closed);
      assertThat(refused)
          .isInstanceOfSatisfying(
              PolicyOutcome.Reject.class,
              r -> {
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.reason()).isEqualTo("RateLimiterUnavailable");
                assertThat(Policies.applied(r.responseHeaders()).get("Retry-After")).isEqualTo("1");
              });
      // local: this gateway's own bucket of 3 decides meanwhile
      for (int i = 0; i < 3; i++) {
        assertThat(outcome(local)).isSameAs(PolicyOutcome.CONTINUE);
      }
      assertThat(outcome(local)).isInstanceOf(PolicyOutcome.Reject.class);
      assertThat(seen)
          .containsKeys(
              "TIMEOUT",
              "SKIPPED",
              "STORE_FAILED_OPEN",
              "STORE_FAILED_CLOSED",
              "STORE_FAILED_LOCAL");
      // bounded: the first call of each policy waited for its timeout, the others were not even
      // sent
      System.out.printf(
          "dead Redis: 7 decisions in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    } finally {
      server.resume();
    }
    // after retry-after, Redis is asked again
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              int before =
                  seen.getOrDefault("ALLOWED", new AtomicInteger()).get()
                      + seen.getOrDefault("LIMITED", new AtomicInteger()).get();
              outcome(closed);
              return seen.getOrDefault("ALLOWED", new AtomicInteger()).get()
                      + seen.getOrDefault("LIMITED", new AtomicInteger()).get()
                  > before;
            });
  }

  @Test
  void aFlushedScriptCacheIsRefilledByEval() throws Exception {
    PolicyEnvironment env = env(b, redisB, PolicyEvents.NONE, "test:noscript:");
    Policy limit = Policies.one(env, "rate-limit-by-key", limit(2, 60, "closed"));
    assertThat(outcome(limit)).isSameAs(PolicyOutcome.CONTINUE);
    assertThat(server.command("SCRIPT", "FLUSH")).isEqualTo("+OK");
    assertThat(outcome(limit)).isSameAs(PolicyOutcome.CONTINUE);
    PolicyOutcome third = outcome(limit);
    assertThat(third).isInstanceOf(PolicyOutcome.Reject.class);
    MultiMap h = Policies.applied(((PolicyOutcome.Reject) third).responseHeaders());
    assertThat(h.get("RateLimit")).isEqualTo("\"default\";r=0;t=30");
    assertThat(server.command("EXISTS", "test:noscript:rate:2:60000:fleet")).isEqualTo(":1");
  }

  @Test
  void twoGatewaysShareOneQuota() {
    JsonObject quota =
        new JsonObject()
            .put("calls", 5)
            .put("renewal-period", 3600)
            .put("counter-key", "{header.X-Tenant}")
            .put(
                "store",
                new JsonObject()
                    .put("type", "redis")
                    .put("on-failure", "closed")
                    .put("timeout", "PT2S"));
    Policy onA =
        Policies.one(env(a, redisA, PolicyEvents.NONE, "test:quota:"), "quota-by-key", quota);
    Policy onB =
        Policies.one(env(b, redisB, PolicyEvents.NONE, "test:quota:"), "quota-by-key", quota);
    ConcurrentLinkedQueue<PolicyOutcome> outcomes = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 4; i++) {
      outcomes.add(outcome(onA, TestRequest.get("/").header("X-Tenant", "t1")));
      outcomes.add(outcome(onB, TestRequest.get("/").header("X-Tenant", "t1")));
    }
    assertThat(outcomes.stream().filter(o -> o instanceof PolicyOutcome.Continue).count())
        .as(outcomes.toString())
        .isEqualTo(5);
    assertThat(
            outcomes.stream()
                .filter(o -> o instanceof PolicyOutcome.Reject r && r.status() == 403)
                .count())
        .isEqualTo(3);
    assertThat(outcome(onB, TestRequest.get("/").header("X-Tenant", "t2")))
        .isSameAs(PolicyOutcome.CONTINUE);
  }

  private static PolicyOutcome outcome(Policy p) {
    return outcome(p, TestRequest.get("/"));
  }

  private static PolicyOutcome outcome(Policy p, TestRequest r) {
    Future<PolicyOutcome> f = p.apply(r);
    return f.toCompletionStage().toCompletableFuture().join();
  }
}
