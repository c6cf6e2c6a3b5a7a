package dev.portico.gateway.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.portico.gateway.config.LoadBalancingConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancerTest {

  static final class C implements Candidate {
    final String name;
    boolean up = true;
    int inFlight;

    C(String name) {
      this.name = name;
    }

    public boolean available(long now) {
      return up;
    }

    public int inFlight() {
      return inFlight;
    }

    public String toString() {
      return name;
    }
  }

  @Test
  void weightsHoldWithinFivePercentOverTenThousandPicksAndAreSmooth() {
    C a = new C("a"), b = new C("b"), c = new C("c");
    Balancer<C> bal =
        new Balancer<>(
            new C[] {a, b, c},
            new int[] {0, 0, 0},
            new int[] {50, 30, 20},
            LoadBalancingConfig.Strategy.ROUND_ROBIN);
    Map<C, Integer> counts = new HashMap<>();
    C previous = null;
    int run = 0;
    int longestRun = 0;
    for (int i = 0; i < 10_000; i++) {
      C pick = bal.pick(0, null);
      counts.merge(pick, 1, Integer::sum);
      run = pick == previous ? run + 1 : 1;
      longestRun = Math.max(longestRun, run);
      previous = pick;
    }
    assertThat(counts.get(a) / 10_000.0).isCloseTo(0.50, within(0.05 * 0.50));
    assertThat(counts.get(b) / 10_000.0).isCloseTo(0.30, within(0.05 * 0.30));
    assertThat(counts.get(c) / 10_000.0).isCloseTo(0.20, within(0.05 * 0.20));
    // smooth: never the same member many times in a row (NGINX's order for 5:3:2 repeats at most
    // twice)
    assertThat(longestRun).isLessThanOrEqualTo(2);
  }

  @Test
  void smoothScheduleMatchesWeightsExactlyPerCycle() {
    int[] cycle = SmoothSchedule.of(new int[] {5, 1, 1});
    assertThat(cycle).containsExactly(0, 0, 1, 0, 2, 0, 0);
    assertThat(SmoothSchedule.of(new int[] {0, 0})).containsExactly(0, 1);
    assertThat(SmoothSchedule.of(new int[] {0, 3})).containsExactly(1);
    int[] big =
        SmoothSchedule.of(
            new int[] {
              100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 88, 87, 86, 85, 84, 83, 82, 81, 80,
              79, 78, 77, 76, 75, 74, 73, 72, 71
            });
    assertThat(big.length).isLessThanOrEqualTo(SmoothSchedule.MAX_CYCLE);
  }

  @Test
  void lowerPriorityGroupsServeOnlyWhenEveryHigherMemberIsUnavailable() {
    C p1 = new C("p1"), p2 = new C("p2"), s1 = new C("s1");
    Balancer<C> bal =
        new Balancer<>(
            new C[] {p1, p2, s1},
            new int[] {1, 1, 2},
            new int[] {1, 1, 1},
            LoadBalancingConfig.Strategy.ROUND_ROBIN);
    for (int i = 0; i < 100; i++) {
      assertThat(bal.pick(0, null)).isIn(p1, p2);
    }
    p1.up = false;
    for (int i = 0; i < 100; i++) {
      assertThat(bal.pick(0, null)).isSameAs(p2);
    }
    p2.up = false;
    assertThat(bal.pick(0, null)).isSameAs(s1);
    s1.up = false;
    assertThat(bal.pick(0, null)).isNull();
    p2.up = true;
    assertThat(bal.pick(0, null)).isSameAs(p2);
  }

  @Test
  void triedCandidatesAreAvoidedWhileAnotherIsAvailable() {
    C a = new C("a"), b = new C("b");
    Balancer<C> bal =
        new Balancer<>(
            new C[] {a, b},
            new int[] {0, 0},
            new int[] {1, 1},
            LoadBalancingConfig.Strategy.ROUND_ROBIN);
    for (int i = 0; i < 20; i++) {
      assertThat(bal.pick(0, List.of(a))).isSameAs(b);
    }
    b.up = false;
    assertThat(bal.pick(0, List.of(a))).as("only the tried one is left: reuse it").isSameAs(a);
  }

  @Test
  void leastRequestsPrefersTheLessLoaded() {
    C busy = new C("busy"), idle = new C("idle");
    busy.inFlight = 50;
    Balancer<C> bal =
        new Balancer<>(
            new C[] {busy, idle},
            new int[] {0, 0},
            new int[] {1, 1},
            LoadBalancingConfig.Strategy.LEAST_REQUESTS);
    int idlePicks = 0;
    for (int i = 0; i < 1000; i++) {
      if (bal.pick(0, null) == idle) {
        idlePicks++;
      }
    }
    // with two candidates both are always sampled: the idle one always wins
    assertThat(idlePicks).isEqualTo(1000);
  }

  @Test
  void equalWeightsInOnePriorityGoRoundInCandidateOrderSkippingUnavailableAndTried() {
    C a = new C("a"), b = new C("b"), c = new C("c");
    C[] all = {a, b, c};
    Balancer<C> bal =
        new Balancer<>(
            all,
            new int[] {0, 0, 0},
            new int[] {1, 1, 1},
            LoadBalancingConfig.Strategy.ROUND_ROBIN);
    C first = bal.pick(0, null);
    int at = List.of(all).indexOf(first);
    for (int i = 1; i <= 6; i++) {
      assertThat(bal.pick(0, null)).isSameAs(all[(at + i) % 3]);
    }
    b.up = false;
    for (int i = 0; i < 6; i++) {
      assertThat(bal.pick(0, null)).isNotSameAs(b);
    }
    assertThat(bal.pick(0, List.of(a))).isSameAs(c);
    // every available candidate tried: one is reused rather than none
    assertThat(bal.pick(0, List.of(a, c))).isIn(a, c);
    a.up = false;
    c.up = false;
    assertThat(bal.pick(0, null)).isNull();
  }
}
