package dev.portico.gateway.resilience;

import static dev.portico.gateway.support.TestConfigs.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.config.BreakerRuleConfig;
import dev.portico.gateway.support.TestConfigs;
import dev.portico.metrics.BreakerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  static final long MS = 1_000_000L;
  static final CircuitBreaker.Permit.Kind PROBE = CircuitBreaker.Permit.Kind.PROBE;
  static final CircuitBreaker.Permit.Kind DENIED = CircuitBreaker.Permit.Kind.DENIED;
  static final CircuitBreaker.Permit.Kind NORMAL = CircuitBreaker.Permit.Kind.NORMAL;
  static final String BCF = "BackendConnectionFailure";

  static BreakerRuleConfig countRule(
      int count, long intervalMs, long tripMs, boolean acceptRetryAfter) {
    return rule(
        "count",
        count,
        null,
        Duration.ofMillis(intervalMs),
        List.of(new BreakerRuleConfig.StatusRange(500, 599)),
        Set.of(BCF, "Timeout"),
        0,
        Duration.ofMillis(tripMs),
        acceptRetryAfter);
  }

  static BreakerRuleConfig percentRule(int pct, int minimum, long intervalMs, long tripMs) {
    return rule(
        "percent",
        null,
        pct,
        Duration.ofMillis(intervalMs),
        List.of(new BreakerRuleConfig.StatusRange(500, 503)),
        Set.of("Timeout"),
        minimum,
        Duration.ofMillis(tripMs),
        false);
  }

  static CircuitBreaker breaker(
      List<BreakerTransition> events,
      int probes,
      long maxRetryAfterMs,
      BreakerRuleConfig... rules) {
    return new CircuitBreaker(
        "b",
        "h:1",
        TestConfigs.breaker(List.of(rules), probes, Duration.ofMillis(maxRetryAfterMs)),
        events::add);
  }

  @Test
  void countRuleTripsOnTheNthFailureWithinTheIntervalOnly() {
    List<BreakerTransition> events = new ArrayList<>();
    CircuitBreaker cb = breaker(events, 1, 60_000, countRule(3, 1000, 5000, false));
    long t = 1_000 * MS;
    // two failures, then one outside the interval: no trip
    fail(cb, t, 500);
    fail(cb, t + 100 * MS, 0);
    fail(cb, t + 1200 * MS, 502);
    assertThat(cb.state()).isEqualTo(BreakerState.CLOSED);
    // statuses and reasons outside the rule do not count
    fail(cb, t + 1210 * MS, 404);
    fail(cb, t + 1220 * MS, 200);
    assertThat(cb.state()).isEqualTo(BreakerState.CLOSED);
    // t+1300: the last three failures span 1.2 s, no trip; t+1400: they span 0.2 s
    fail(cb, t + 1300 * MS, 503);
    fail(cb, t + 1400 * MS, 500);
    assertThat(cb.state()).isEqualTo(BreakerState.OPEN);
    assertThat(events).extracting(BreakerTransition::to).containsExactly(BreakerState.OPEN);
    assertThat(events.get(0).rule()).isEqualTo("count");
    assertThat(events.get(0).retryAfterSeconds()).isEqualTo(5);
    assertThat(cb.tryAcquire(t + 2000 * MS)).isEqualTo(CircuitBreaker.Permit.DENIED);
    assertThat(cb.remainingOpenNanos(t + 2000 * MS)).isEqualTo(4400 * MS);
  }

  @Test
  void halfOpenLetsABoundedNumberOfProbesThroughAndTheFirstOutcomeDecides() {
    List<BreakerTransition> events = new ArrayList<>();
    CircuitBreaker cb = breaker(events, 2, 60_000, countRule(1, 1000, 1000, false));
    long t = 10_000 * MS;
    fail(cb, t, 500);
    assertThat(cb.state()).isEqualTo(BreakerState.OPEN);
    long later = t + 1000 * MS;
    CircuitBreaker.Permit p1 = cb.tryAcquire(later);
    CircuitBreaker.Permit p2 = cb.tryAcquire(later);
    CircuitBreaker.Permit p3 = cb.tryAcquire(later);
    assertThat(List.of(p1, p2, p3))
        .extracting(CircuitBreaker.Permit::kind)
        .containsExactly(PROBE, PROBE, DENIED);
    assertThat(cb.state()).isEqualTo(BreakerState.HALF_OPEN);
    cb.onResult(p1, later, 0, BCF, -1);
    assertThat(cb.state()).isEqualTo(BreakerState.OPEN);
    // the other probe's late success does not close a breaker that re-opened
    cb.onResult(p2, later, 200, null, -1);
    assertThat(cb.state()).isEqualTo(BreakerState.OPEN);
    long again = later + 1000 * MS;
    CircuitBreaker.Permit probe = cb.tryAcquire(again);
    assertThat(probe.isProbe()).isTrue();
    cb.onResult(probe, again, 200, null, -1);
    assertThat(cb.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(events)
        .extracting(BreakerTransition::to)
        .containsExactly(
            BreakerState.OPEN,
            BreakerState.HALF_OPEN,
            BreakerState.OPEN,
            BreakerState.HALF_OPEN,
            BreakerState.CLOSED);
    // a released probe (client left) frees its slot without deciding anything
    fail(cb, again + 1, 500);
    long third = again + 1001 * MS;
    CircuitBreaker.Permit a = cb.tryAcquire(third);
    CircuitBreaker.Permit b = cb.tryAcquire(third);
    CircuitBreaker.Permit c = cb.tryAcquire(third);
    assertThat(c).isEqualTo(CircuitBreaker.Permit.DENIED);
    cb.release(a);
    assertThat(cb.tryAcquire(third).isProbe()).isTrue();
    assertThat(cb.state()).isEqualTo(BreakerState.HALF_OPEN);
    cb.release(b);
  }

  @Test
  void acceptRetryAfterSetsTheOpenTimeCappedByTheMaximum() {
    CircuitBreaker cb =
        breaker(
            new ArrayList<>(),
            1,
            3_000,
            rule(
                "ra",
                1,
                null,
                Duration.ofSeconds(10),
                List.of(
                    new BreakerRuleConfig.StatusRange(429, 429),
                    new BreakerRuleConfig.StatusRange(503, 503)),
                Set.of(),
                0,
                Duration.ofSeconds(30),
                true));
    long t = 5_000 * MS;
    CircuitBreaker.Permit p = cb.tryAcquire(t);
    cb.onResult(p, t, 503, null, 2_000 * MS);
    assertThat(cb.remainingOpenNanos(t)).isEqualTo(2_000 * MS);
    cb.reset();
    p = cb.tryAcquire(t);
    cb.onResult(p, t, 429, null, 3_600_000 * MS);
    assertThat(cb.remainingOpenNanos(t)).isEqualTo(3_000 * MS);
    cb.reset();
    p = cb.tryAcquire(t);
    cb.onResult(p, t, 503, null, -1);
    assertThat(cb.remainingOpenNanos(t))
        .as("no Retry-After: the trip duration")
        .isEqualTo(30_000 * MS);
  }

  @Test
  void percentageRuleNeedsItsMinimumAndTheShare() {
    CircuitBreaker cb = breaker(new ArrayList<>(), 1, 60_000, percentRule(50, 4, 1000, 1000));
    long t = 0;
    fail(cb, t, 500);
    fail(cb, t + MS, 500);
    fail(cb, t + 2 * MS, 500);
    assertThat(cb.state()).as("3 of 3 failed but the minimum is 4").isEqualTo(BreakerState.CLOSED);
    ok(cb, t + 3 * MS);
    ok(cb, t + 4 * MS);
    ok(cb, t + 5 * MS);
    ok(cb, t + 6 * MS);
    fail(cb, t + 7 * MS, 504);
    assertThat(cb.state()).as("504 is outside the rule's range").isEqualTo(BreakerState.CLOSED);
    fail(cb, t + 8 * MS, 503);
    assertThat(cb.state()).as("4 of 9 failed, below 50%").isEqualTo(BreakerState.CLOSED);
    fail(cb, t + 9 * MS, 0, "Timeout");
    assertThat(cb.state()).as("5 of 10 failed: 50%").isEqualTo(BreakerState.OPEN);
  }

  /**
   * Random sequences of acquisitions and outcomes, checked step by step against a plain model that
   * keeps every event in a list: the breaker's rings, buckets, probe slots and CAS loops must
   * agree. Some permits are never reported (a lost request): the probe timeout frees their slots.
   */
  @RepeatedTest(200)
  void generatedSequencesAgreeWithAReferenceModel() {
    Random r = new Random();
    long seed = r.nextLong();
    r.setSeed(seed);
    int probes = 1 + r.nextInt(3);
    long maxRetryAfter = 1000 + r.nextInt(5000);
    long probeTimeout = 50 + r.nextInt(5000);
    BreakerRuleConfig rule =
        r.nextBoolean()
            ? rule(
                "c",
                1 + r.nextInt(5),
                null,
                Duration.ofMillis(200 + r.nextInt(2000)),
                List.of(new BreakerRuleConfig.StatusRange(500, 599)),
                Set.of(BCF),
                0,
                Duration.ofMillis(100 + r.nextInt(2000)),
                r.nextBoolean())
            : rule(
                "p",
                null,
                10 + r.nextInt(90),
                Duration.ofMillis(200 + r.nextInt(2000)),
                List.of(new BreakerRuleConfig.StatusRange(500, 599)),
                Set.of(BCF),
                1 + r.nextInt(8),
                Duration.ofMillis(100 + r.nextInt(2000)),
                r.nextBoolean());
    List<BreakerTransition> events = new ArrayList<>();
    CircuitBreaker cb =
        new CircuitBreaker(
            "b",
            "h:1",
            TestConfigs.breaker(List.of(rule), probes, Duration.ofMillis(maxRetryAfter)),
            Duration.ofMillis(probeTimeout),
            events::add);
    Model model = new Model(rule, probes, maxRetryAfter * MS, probeTimeout * MS);
    List<CircuitBreaker.Permit> outstanding = new ArrayList<>();
    List<Model.Grant> modelOutstanding = new ArrayList<>();
    long now = r.nextInt(1_000_000) * MS;
    for (int step = 0; step < 400; step++) {
      now += (long) r.nextInt(120) * MS + r.nextInt(1000);
      if (outstanding.isEmpty() || r.nextInt(3) > 0) {
        CircuitBreaker.Permit got = cb.tryAcquire(now);
        Model.Grant want = model.acquire(now);
        assertThat(got.kind()).as("seed %d step %d acquire", seed, step).isEqualTo(want.kind());
        if (got != CircuitBreaker.Permit.DENIED) {
          outstanding.add(got);
          modelOutstanding.add(want);
        }
      } else {
        int i = r.nextInt(outstanding.size());
        CircuitBreaker.Permit p = outstanding.remove(i);
        Model.Grant g = modelOutstanding.remove(i);
        int kind = r.nextInt(6);
        if (kind == 5) {
          // lost: never reported
          model.forget(g);
          continue;
        }
        if (kind == 4) {
          cb.release(p);
          model.release(g);
        } else {
          int status = kind == 0 ? 200 : kind == 1 ? 500 + r.nextInt(4) : kind == 2 ? 404 : 0;
          String reason = status == 0 ? BCF : null;
          long retryAfter = r.nextInt(4) == 0 ? r.nextInt(10_000) * MS : -1;
          cb.onResult(p, now, status, reason, retryAfter);
          model.result(g, now, status, reason, retryAfter);
        }
      }
      assertThat(cb.state()).as("seed %d step %d state", seed, step).isEqualTo(model.state);
      assertThat(cb.remainingOpenNanos(now))
          .as("seed %d step %d remaining", seed, step)
          .isEqualTo(model.remaining(now));
      assertThat(cb.probesInFlight(now))
          .as("seed %d step %d probes", seed, step)
          .isEqualTo(model.live(now))
          .isLessThanOrEqualTo(probes);
    }
    assertThat(events.size()).isEqualTo(model.transitions);
  }

  static void fail(CircuitBreaker cb, long now, int status) {
    fail(cb, now, status, status == 0 ? BCF : null);
  }

  static void fail(CircuitBreaker cb, long now, int status, String reason) {
    CircuitBreaker.Permit p = cb.tryAcquire(now);
    cb.onResult(p, now, status, reason, -1);
  }

  static void ok(CircuitBreaker cb, long now) {
    cb.onResult(cb.tryAcquire(now), now, 200, null, -1);
  }

  /**
   * The documented semantics, written the simplest way: lists of timestamps, no concurrency tricks.
   */
  static final class Model {
    /** A permit as the model granted it: probes know their half-open period and grant time. */
    record Grant(CircuitBreaker.Permit.Kind kind, long granted, int period) {}

    final BreakerRuleConfig rule;
    final int maxProbes;
    final long maxRetryAfter;
    final long probeTimeout;
    BreakerState state = BreakerState.CLOSED;
    long openUntil;
    int period;

    /**
     * Probes granted and neither reported nor released (lost ones included, until they time out).
     */
    final List<Grant> probes = new ArrayList<>();

    int transitions;
    final List<long[]> events = new ArrayList<>(); // {time, failed 0/1}

    Model(BreakerRuleConfig rule, int maxProbes, long maxRetryAfter, long probeTimeout) {
      this.rule = rule;
      this.maxProbes = maxProbes;
      this.maxRetryAfter = maxRetryAfter;
      this.probeTimeout = probeTimeout;
    }

    int live(long now) {
      return (int) probes.stream().filter(g -> now - g.granted() < probeTimeout).count();
    }

    Grant acquire(long now) {
      if (state == BreakerState.CLOSED) {
        return new Grant(NORMAL, now, -1);
      }
      if (state == BreakerState.OPEN) {
        if (now < openUntil) {
          return new Grant(DENIED, now, -1);
        }
        state = BreakerState.HALF_OPEN;
        period++;
        transitions++;
      }
      if (live(now) < maxProbes) {
        // a timed-out probe's slot is taken over: it no longer counts
        probes.removeIf(g -> now - g.granted() >= probeTimeout);
        Grant g = new Grant(PROBE, now, period);
        probes.add(g);
        return g;
      }
      return new Grant(DENIED, now, -1);
    }

    void forget(Grant g) {
      // a lost permit: its probe slot stays taken until the probe timeout
    }

    void release(Grant g) {
      probes.remove(g);
    }

    boolean isFailure(int status, String reason) {
      if (status > 0) {
        return rule.statusCodeRanges().stream().anyMatch(x -> x.contains(status));
      }
      return rule.errorReasons().contains(reason);
    }

    boolean trips(long now) {
      long interval = rule.interval().toNanos();
      if (rule.count() != null) {
        long n = events.stream().filter(e -> e[1] == 1 && e[0] >= now - interval).count();
        return n >= rule.count();
      }
      long width = Math.max(1, interval / 20);
      long cur = Math.floorDiv(now, width);
      long total = events.stream().filter(e -> Math.floorDiv(e[0], width) > cur - 20).count();
      long failed =
          events.stream().filter(e -> e[1] == 1 && Math.floorDiv(e[0], width) > cur - 20).count();
      return total >= rule.minimumRequests() && failed * 100 >= (long) rule.percentage() * total;
    }

    void result(Grant p, long now, int status, String reason, long retryAfter) {
      boolean failed = isFailure(status, reason);
      boolean tripped = false;
      if (p.kind() == NORMAL) {
        if (rule.count() == null || failed) {
          events.add(new long[] {now, failed ? 1 : 0});
        }
        tripped = failed && trips(now);
      }
      if (p.kind() == PROBE) {
        probes.remove(p);
        if (state != BreakerState.HALF_OPEN || p.period() != period) {
          return;
        }
        if (failed) {
          open(now, retryAfter);
        } else {
          state = BreakerState.CLOSED;
          events.clear();
          transitions++;
        }
      } else if (tripped && state == BreakerState.CLOSED) {
        open(now, retryAfter);
      }
    }

    void open(long now, long retryAfter) {
      long trip = rule.tripDuration().toNanos();
      if (rule.acceptRetryAfter() && retryAfter >= 0) {
        trip = Math.min(retryAfter, maxRetryAfter);
      }
      state = BreakerState.OPEN;
      openUntil = now + trip;
      transitions++;
    }

    long remaining(long now) {
      return state == BreakerState.OPEN ? Math.max(0, openUntil - now) : 0;
    }
  }
}
