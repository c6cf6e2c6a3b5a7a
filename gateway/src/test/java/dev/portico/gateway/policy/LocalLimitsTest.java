package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * rate-limit-by-key and quota-by-key with this gateway's own counters, on a clock the test drives.
 */
class LocalLimitsTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicLong millis =
      new AtomicLong(Instant.parse("2026-03-01T10:00:00Z").toEpochMilli());

  private PolicyEnvironment env(List<String> decisions) {
    return PolicyEnvironment.builder(vertx)
        .nanoTime(nanos::get)
        .clock(
            new Clock() {
              public ZoneOffset getZone() {
                return ZoneOffset.UTC;
              }

              public Clock withZone(java.time.ZoneId zone) {
                return this;
              }

              public Instant instant() {
                return Instant.ofEpochMilli(millis.get());
              }
            })
        .events(
            new PolicyEvents() {
              @Override
              public void limitDecision(
                  String policy, String location, String store, LimitDecision decision) {
                decisions.add(policy + "/" + store + "/" + decision);
              }
            })
        .build();
  }

  @Test
  void tokenBucketAllowsTheBurstThenRefills() {
    List<String> decisions = new ArrayList<>();
    PolicyEnvironment env = env(decisions);
    Policy limit =
        Policies.one(
            env, "rate-limit-by-key", new JsonObject().put("calls", 5).put("renewal-period", 10));
    TestRequest alice = TestRequest.get("/").from("192.0.2.1");
    for (int i = 0; i < 5; i++) {
      assertThat(Policies.run(limit, alice)).isSameAs(PolicyOutcome.CONTINUE);
    }
    PolicyOutcome o = Policies.run(limit, alice);
    assertThat(o).isInstanceOf(PolicyOutcome.Reject.class);
    PolicyOutcome.Reject r = (PolicyOutcome.Reject) o;
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.reason()).isEqualTo("RateLimited");
    assertThat(r.detail())
        .isEqualTo("rate limit of 5 calls per 10 s exceeded for this key; retry in 2 s");
    MultiMap h = Policies.applied(r.responseHeaders());
    assertThat(h.get("Retry-After")).isEqualTo("2");
    assertThat(h.get("RateLimit-Policy")).isEqualTo("\"default\";q=5;w=10");
    assertThat(h.get("RateLimit")).isEqualTo("\"default\";r=0;t=2");
    // another key has its own bucket
    assertThat(Policies.run(limit, TestRequest.get("/").from("192.0.2.2")))
        .isSameAs(PolicyOutcome.CONTINUE);
    // one token is back after period/calls = 2 s
    nanos.addAndGet(1_999_000_000L);
    assertThat(Policies.run(limit, alice)).isInstanceOf(PolicyOutcome.Reject.class);
    nanos.addAndGet(1_000_000L);
    assertThat(Policies.run(limit, alice)).isSameAs(PolicyOutcome.CONTINUE);
    assertThat(Policies.run(limit, alice)).isInstanceOf(PolicyOutcome.Reject.class);
    // a whole period refills the whole bucket, and no more
    nanos.addAndGet(60_000_000_000L);
    for (int i = 0; i < 5; i++) {
      assertThat(Policies.run(limit, alice)).isSameAs(PolicyOutcome.CONTINUE);
    }
    assertThat(Policies.run(limit, alice)).isInstanceOf(PolicyOutcome.Reject.class);
    assertThat(decisions)
        .contains("rate-limit-by-key/local/ALLOWED", "rate-limit-by-key/local/LIMITED");
  }

  @Test
  void keysFromHeadersClaimsAndHeadersOnSuccess() {
    PolicyEnvironment env = env(new ArrayList<>());
    Policy limit =
        Policies.one(
            env,
            "rate-limit-by-key",
            new JsonObject()
                .put("calls", 2)
                .put("renewal-period", "PT1M")
                .put("counter-key", "{header.X-Api-Key}")
                .put("rate-limit-headers", "legacy")
                .put("rate-limit-headers-on-success", true)
                .put("remaining-calls-header-name", "X-Remaining")
                .put("quota-name", "per-key"));
    TestRequest k1 = TestRequest.get("/").header("X-Api-Key", "k1");
    PolicyOutcome.Continue first = (PolicyOutcome.Continue) Policies.run(limit, k1);
    MultiMap h = Policies.applied(first.responseHeaders());
    assertThat(h.get("RateLimit-Limit")).isEqualTo("2");
    assertThat(h.get("RateLimit-Remaining")).isEqualTo("1");
    assertThat(h.get("RateLimit-Reset")).isEqualTo("30");
    assertThat(h.get("X-Remaining")).isEqualTo("1");
    Policies.run(limit, k1);
    PolicyOutcome.Reject r =
        (PolicyOutcome.Reject)
            Policies.run(limit, TestRequest.get("/").header("X-Api-Key", "k1").from("203.0.113.1"));
    assertThat(Policies.applied(r.responseHeaders()).get("Retry-After")).isEqualTo("30");
    assertThat(Policies.run(limit, TestRequest.get("/").header("X-Api-Key", "k2")))
        .isInstanceOf(PolicyOutcome.Continue.class);
  }

  @Test
  void incrementConditionCountsOnlyMatchingResponses() {
    PolicyEnvironment env = env(new ArrayList<>());
    PolicyChain chain =
        Policies.chain(
            env,
            new JsonArray()
                .add(
                    new JsonObject()
                        .put(
                            "rate-limit-by-key",
                            new JsonObject()
                                .put("calls", 2)
                                .put("renewal-period", 60)
                                .put(
                                    "increment-condition",
                                    new JsonObject()
                                        .put(
                                            "status-code-ranges",
                                            new JsonArray()
                                                .add(
                                                    new JsonObject()
                                                        .put("min", 200)
                                                        .put("max", 399)))))));
    TestRequest r = TestRequest.get("/");
    for (int i = 0; i < 10; i++) {
      PolicyChain.Run run = chain.start(r);
      assertThat(run.outcome().result()).isSameAs(PolicyOutcome.CONTINUE);
      run.completed(new Completion(500, 0, 0)); // failures do not count
    }
    chain.start(r).completed(new Completion(200, 0, 0));
    chain.start(r).completed(new Completion(204, 0, 0));
    assertThat(chain.start(r).outcome().result()).isInstanceOf(PolicyOutcome.Reject.class);
  }

  @Test
  void aKeySprayingClientCannotGrowTheTableBeyondItsBound() {
    PolicyEnvironment env = PolicyEnvironment.builder(vertx).maxKeysPerLimit(1000).build();
    Policy limit =
        Policies.one(
            env,
            "rate-limit-by-key",
            new JsonObject()
                .put("calls", 1)
                .put("renewal-period", 3600)
                .put("counter-key", "{header.X-Key}"));
    TestRequest hot = TestRequest.get("/").header("X-Key", "hot");
    assertThat(Policies.run(limit, hot)).isSameAs(PolicyOutcome.CONTINUE);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 20_000; i++) {
        TestRequest r = TestRequest.get("/").header("X-Key", "spray-" + round + "-" + i);
        Policies.run(limit, r);
        if (i % 100 == 0) {
          // the real client keeps calling: it stays limited, the sprayer does not evict its bucket
          assertThat(Policies.run(limit, hot)).isInstanceOf(PolicyOutcome.Reject.class);
        }
      }
    }
    assertThat(env.localLimits().buckets("rate", 1, java.time.Duration.ofHours(1)).size())
        .isLessThanOrEqualTo(1000);
    // a long key costs a digest, not its length
    String huge = "x".repeat(100_000);
    assertThat(Policies.run(limit, TestRequest.get("/").header("X-Key", huge)))
        .isSameAs(PolicyOutcome.CONTINUE);
    assertThat(Policies.run(limit, TestRequest.get("/").header("X-Key", huge)))
        .isInstanceOf(PolicyOutcome.Reject.class);
  }

  @Test
  void quotaByCallsAndBandwidthInFixedWindows() {
    List<String> decisions = new ArrayList<>();
    PolicyEnvironment env = env(decisions);
    PolicyChain calls =
        Policies.chain(
            env,
            new JsonArray()
                .add(
                    new JsonObject()
                        .put(
                            "quota-by-key",
                            new JsonObject()
                                .put("calls", 3)
                                .put("renewal-period", 3600)
                                .put("counter-key", "{claim.sub}"))));
    TestRequest alice = TestRequest.get("/").claims(java.util.Map.of("sub", "alice"));
    for (int i = 0; i < 3; i++) {
      assertThat(calls.start(alice).outcome().result()).isSameAs(PolicyOutcome.CONTINUE);
    }
    PolicyOutcome.Reject r = (PolicyOutcome.Reject) calls.start(alice).outcome().result();
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.reason()).isEqualTo("QuotaExceeded");
    // windows of an hour start on the hour (counted from 0001-01-01T00:00:00Z): 10:00 -> 11:00
    assertThat(Policies.applied(r.responseHeaders()).get("Retry-After")).isEqualTo("3600");
    assertThat(r.detail())
        .isEqualTo("the quota of 3 calls per 1 h for this key is used up; it renews in 3600 s");
    millis.addAndGet(3_599_000);
    assertThat(calls.start(alice).outcome().result()).isInstanceOf(PolicyOutcome.Reject.class);
    millis.addAndGet(1_000);
    assertThat(calls.start(alice).outcome().result()).isSameAs(PolicyOutcome.CONTINUE);

    PolicyChain bandwidth =
        Policies.chain(
            env,
            new JsonArray()
                .add(
                    new JsonObject()
                        .put(
                            "quota-by-key",
                            new JsonObject().put("bandwidth", 10).put("renewal-period", 0))));
    TestRequest r2 = TestRequest.get("/").from("198.51.100.1");
    PolicyChain.Run first = bandwidth.start(r2);
    assertThat(first.outcome().result()).isSameAs(PolicyOutcome.CONTINUE);
    first.completed(new Completion(200, 2048, 6 * 1024));
    PolicyChain.Run second = bandwidth.start(r2);
    assertThat(second.outcome().result()).isSameAs(PolicyOutcome.CONTINUE);
    second.completed(new Completion(200, 0, 3 * 1024));
    PolicyOutcome.Reject over = (PolicyOutcome.Reject) bandwidth.start(r2).outcome().result();
    assertThat(over.detail()).isEqualTo("the quota of 10 KB for this key is used up");
    assertThat(over.responseHeaders().isEmpty())
        .as("a lifetime quota never renews: no Retry-After")
        .isTrue();
  }
}
