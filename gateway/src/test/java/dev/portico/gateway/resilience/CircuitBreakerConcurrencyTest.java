package dev.portico.gateway.resilience;

import static dev.portico.gateway.support.TestConfigs.breaker;
import static dev.portico.gateway.support.TestConfigs.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.BreakerRuleConfig;
import dev.portico.metrics.BreakerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated concurrent histories: several threads hammer one breaker with acquisitions, outcomes,
 * releases, resets and lost permits while its transitions race (a shared logical clock moves the
 * trip time along). Whatever the interleaving, probes in flight never exceed {@code
 * halfOpenRequests}, no permit leaks a probe slot for good, and once successes flow the breaker is
 * CLOSED with no probe in flight. Each history is reproducible from its seed (printed in every
 * assertion).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CircuitBreakerConcurrencyTest {

  static final long MS = 1_000_000L;
  static final int THREADS = 4;
  static final int OPERATIONS = 20_000;

  static LongStream seeds() {
    long base = new Random().nextLong();
    return LongStream.range(0, 16).map(i -> base + i * 0x9E3779B97F4A7C15L);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void everyReportedPermitKeepsTheProbeBound(long seed) throws Exception {
    run(seed, false);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void lostPermitsAreReclaimedByTheProbeTimeout(long seed) throws Exception {
    run(seed, true);
  }

  void run(long seed, boolean losePermits) throws Exception {
    Random setup = new Random(seed);
    int halfOpen = 1 + setup.nextInt(3);
    long probeTimeoutMs = losePermits ? 100 + setup.nextInt(200) : 3_600_000;
    BreakerRuleConfig rule =
        rule(
            "c",
            1 + setup.nextInt(3),
            null,
            Duration.ofMillis(1000),
            List.of(new BreakerRuleConfig.StatusRange(500, 599)),
            Set.of("BackendConnectionFailure"),
            0,
            Duration.ofMillis(20 + setup.nextInt(80)),
            false);
    List<BreakerTransition> transitions = new java.util.concurrent.CopyOnWriteArrayList<>();
    CircuitBreaker cb =
        new CircuitBreaker(
            "b",
            "h:1",
            breaker(List.of(rule), halfOpen, Duration.ofMinutes(1)),
            Duration.ofMillis(probeTimeoutMs),
            transitions::add);
    AtomicLong clock = new AtomicLong(1_000_000 * MS);
    AtomicInteger probesOut = new AtomicInteger();
    Queue<String> violations = new ConcurrentLinkedQueue<>();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      long threadSeed = seed * 31 + t;
      Thread thread =
          new Thread(
              () -> {
                Random r = new Random(threadSeed);
                List<CircuitBreaker.Permit> held = new ArrayList<>();
                try {
                  start.await();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                for (int op = 0; op < OPERATIONS; op++) {
                  int dice = r.nextInt(1000);
                  if (dice < 520) {
                    CircuitBreaker.Permit p = cb.tryAcquire(clock.get());
                    if (p != CircuitBreaker.Permit.DENIED) {
                      if (p.isProbe() && !losePermits) {
                        int n = probesOut.incrementAndGet();
                        if (n > halfOpen) {
                          violations.add(n + " probes in flight, halfOpenRequests " + halfOpen);
                        }
                      }
                      held.add(p);
                    }
                  } else if (dice < 880) {
                    if (held.isEmpty()) {
                      continue;
                    }
                    CircuitBreaker.Permit p = held.remove(r.nextInt(held.size()));
                    int outcome = r.nextInt(100);
                    if (losePermits && outcome < 5) {
                      continue; // lost: never reported
                    }
                    if (p.isProbe() && !losePermits) {
                      probesOut.decrementAndGet();
                    }
                    long now = clock.get();
                    if (outcome < 45) {
                      cb.onResult(p, now, 200, null, -1);
                    } else if (outcome < 85) {
                      cb.onResult(
                          p, now, r.nextBoolean() ? 500 : 0, "BackendConnectionFailure", -1);
                    } else {
                      cb.release(p);
                    }
                  } else if (dice < 980) {
                    clock.addAndGet(r.nextInt(20) * MS);
                  } else {
                    cb.reset();
                  }
                  int inFlight = cb.probesInFlight(clock.get());
                  if (inFlight > halfOpen) {
                    violations.add("probesInFlight " + inFlight + " > " + halfOpen);
                  }
                }
                // the history ends: what is held is reported (a success)
                for (CircuitBreaker.Permit p : held) {
                  if (p.isProbe() && !losePermits) {
                    probesOut.decrementAndGet();
                  }
                  cb.onResult(p, clock.get(), 200, null, -1);
                }
              },
              "breaker-hammer-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(thread.isAlive()).as("seed %d: %s finished", seed, thread.getName()).isFalse();
    }
    assertThat(violations).as("seed %d", seed).isEmpty();

    // successes flow (after the trip time, and the probe timeout for lost probes): the breaker
    // closes
    clock.addAndGet(Math.max(probeTimeoutMs, 200) * MS + MS);
    for (int i = 0; i < 1000 && cb.state() != BreakerState.CLOSED; i++) {
      long now = clock.addAndGet(10 * MS);
      CircuitBreaker.Permit p = cb.tryAcquire(now);
      if (p != CircuitBreaker.Permit.DENIED) {
        cb.onResult(p, now, 200, null, -1);
      }
    }
    assertThat(cb.state())
        .as("seed %d: closed once successes flow", seed)
        .isEqualTo(BreakerState.CLOSED);
    long later = clock.addAndGet(Math.max(probeTimeoutMs, 1) * MS);
    assertThat(cb.probesInFlight(later)).as("seed %d: no probe left in flight", seed).isZero();
    if (!losePermits) {
      assertThat(cb.probesInFlight(clock.get() - probeTimeoutMs * MS / 2))
          .as("seed %d: every probe slot freed", seed)
          .isZero();
      assertThat(probesOut.get()).isZero();
    }
    // transitions alternate sensibly: every HALF_OPEN follows an OPEN
    for (BreakerTransition t : transitions) {
      if (t.to() == BreakerState.HALF_OPEN) {
        assertThat(t.from()).as("seed %d", seed).isEqualTo(BreakerState.OPEN);
      }
    }
    assertThat(transitions)
        .as("seed %d: the history tripped the breaker", seed)
        .anyMatch(t -> t.to() == BreakerState.OPEN);
  }
}
