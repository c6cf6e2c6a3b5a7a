package dev.portico.gateway.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.Credentials;
import dev.portico.gateway.config.Timeouts;
import dev.portico.gateway.config.TlsConfig;
import dev.portico.gateway.problem.ErrorReason;
import dev.portico.gateway.resilience.BreakerRetired;
import dev.portico.gateway.resilience.BreakerTransition;
import dev.portico.gateway.resilience.CircuitBreaker;
import dev.portico.gateway.support.TestConfigs;
import dev.portico.metrics.BreakerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Endpoint states and their breakers, made at first use (issue 13). */
class BackendStatesTest {

  private static final String FAILURE = ErrorReason.BACKEND_CONNECTION_FAILURE.label();

  private final List<BreakerTransition> transitions = new CopyOnWriteArrayList<>();
  private final List<BreakerRetired> retired = new CopyOnWriteArrayList<>();
  private final BackendStates states = new BackendStates(transitions::add, retired::add);

  /** Two connection failures in 10 s trip the breaker for an hour. */
  private static final Upstream UPSTREAM =
      new Upstream(
          "b",
          Credentials.NONE,
          TlsConfig.DEFAULT,
          Timeouts.DEFAULT,
          TestConfigs.breaker(
              List.of(
                  TestConfigs.rule(
                      "two",
                      2,
                      null,
                      Duration.ofSeconds(10),
                      List.of(),
                      Set.of(FAILURE),
                      0,
                      Duration.ofHours(1),
                      false)),
              1,
              Duration.ofMinutes(5)));

  private static void fail(CircuitBreaker breaker, long now) {
    CircuitBreaker.Permit p = breaker.tryAcquire(now);
    breaker.onResult(p, now, 0, FAILURE, -1);
  }

  @Test
  void aBreakerIsMadeAtItsFirstUseAndTripsAsBefore() {
    EndpointState s = states.state(UPSTREAM, "10.0.0.1:80");
    states.state(UPSTREAM, "10.0.0.2:80");
    assertThat(s.hasBreaker()).as("compiling a snapshot makes no breaker").isFalse();
    assertThat(states.breakers("b")).isEmpty();
    assertThat(states.breakerStates("b"))
        .containsExactly(
            Map.entry("10.0.0.1:80", BreakerState.CLOSED),
            Map.entry("10.0.0.2:80", BreakerState.CLOSED));
    assertThat(states.state(UPSTREAM, "10.0.0.1:80")).isSameAs(s);

    long now = System.nanoTime();
    CircuitBreaker breaker = s.breaker();
    assertThat(s.hasBreaker()).isTrue();
    assertThat(s.breaker()).isSameAs(breaker);
    // successes leave it closed and announce nothing
    for (int i = 0; i < 10; i++) {
      CircuitBreaker.Permit p = breaker.tryAcquire(now);
      breaker.onResult(p, now, 200, null, -1);
    }
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    fail(breaker, now);
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    fail(breaker, now + 1);
    assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    assertThat(breaker.isAvailable(now + 2)).isFalse();
    assertThat(transitions)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.backend()).isEqualTo("b");
              assertThat(t.endpoint()).isEqualTo("10.0.0.1:80");
              assertThat(t.to()).isEqualTo(BreakerState.OPEN);
              assertThat(t.rule()).isEqualTo("two");
            });
    assertThat(states.breakers("b")).containsExactly(Map.entry("10.0.0.1:80", breaker));
    assertThat(states.breakerStates("b"))
        .containsExactly(
            Map.entry("10.0.0.1:80", BreakerState.OPEN),
            Map.entry("10.0.0.2:80", BreakerState.CLOSED));

    // reconnect closes the made one and lists both, without making the other
    assertThat(states.reset(List.of("b")))
        .containsExactlyInAnyOrder("b 10.0.0.1:80", "b 10.0.0.2:80");
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(states.state(UPSTREAM, "10.0.0.2:80").hasBreaker()).isFalse();
    assertThat(transitions).hasSize(2);
    assertThat(transitions.get(1).to()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void availabilityIsAnsweredWithoutMakingTheBreaker() {
    EndpointState s = states.state(UPSTREAM, "10.0.0.1:80");
    EndpointState other = states.state(UPSTREAM, "10.0.0.2:80");
    Target target = new Target(UPSTREAM, null, s);
    long now = System.nanoTime();
    assertThat(target.available(now)).isTrue();
    assertThat(new Target(UPSTREAM, null, other).available(now)).isTrue();
    assertThat(s.hasBreaker()).as("asking makes no breaker").isFalse();
    assertThat(other.hasBreaker()).isFalse();
    assertThat(states.breakers("b")).isEmpty();

    // once made and tripped, the made breaker answers: open for an hour, then a probe may go
    fail(s.breaker(), now);
    fail(s.breaker(), now + 1);
    assertThat(s.breakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(target.available(now + 2)).isFalse();
    assertThat(target.available(now + 2 + Duration.ofHours(1).toNanos())).isTrue();
    assertThat(other.available(now + 2)).isTrue();
    assertThat(other.hasBreaker()).isFalse();
  }

  @Test
  void threadsRacingForTheFirstUseGetOneBreaker() throws Exception {
    int threads = 8;
    for (int round = 0; round < 50; round++) {
      EndpointState s = states.state(UPSTREAM, "10.0.0." + round + ":80");
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<CircuitBreaker>> got = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          got.add(
              pool.submit(
                  () -> {
                    go.await();
                    return s.breaker();
                  }));
        }
        go.countDown();
        CircuitBreaker first = got.get(0).get();
        for (Future<CircuitBreaker> f : got) {
          assertThat(f.get()).isSameAs(first);
        }
        assertThat(s.breaker()).isSameAs(first);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void anEndpointRetiredBeforeItsBreakerWasMadeAnnouncesNothingAfterwards() {
    EndpointState gone = states.state(UPSTREAM, "10.0.0.9:80");
    states.retainOnly("b", Set.of());
    assertThat(retired).containsExactly(new BreakerRetired("b", "10.0.0.9:80"));
    assertThat(states.breakerStates("b")).isEmpty();

    // a request still in flight on the old target uses its breaker: it works, but announces nothing
    long now = System.nanoTime();
    CircuitBreaker breaker = gone.breaker();
    fail(breaker, now);
    fail(breaker, now + 1);
    assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    assertThat(transitions).isEmpty();

    // the endpoint coming back starts with a fresh, closed, unmade breaker
    EndpointState back = states.state(UPSTREAM, "10.0.0.9:80");
    assertThat(back).isNotSameAs(gone);
    assertThat(back.hasBreaker()).isFalse();
    assertThat(back.breaker().state()).isEqualTo(BreakerState.CLOSED);
  }
}
