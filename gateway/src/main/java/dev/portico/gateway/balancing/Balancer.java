package dev.portico.gateway.balancing;

import dev.portico.gateway.config.LoadBalancingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses among candidates grouped by priority (a lower number is preferred): the first group with
 * an available candidate takes the request; within it, smooth weighted round-robin or power of two
 * choices on in-flight requests. Candidates already tried by this request are avoided when another
 * is available. Immutable apart from the round-robin cursors.
 */
public final class Balancer<C extends Candidate> {

  private final Group[] groups;
  private final C[] candidates;
  private final LoadBalancingConfig.Strategy strategy;

  private static final class Group {
    final int[] members;
    final int[] weights;
    final int[] cycle;
    final AtomicInteger cursor = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));

    Group(int[] members, int[] weights) {
      this.members = members;
      this.weights = weights;
      this.cycle = SmoothSchedule.of(weights);
    }
  }

  /**
   * @param candidates the candidates
   * @param priorities their priorities, lower preferred
   * @param weights their relative weights (0: only when every weight of the group is 0)
   */
  public Balancer(
      C[] candidates, int[] priorities, int[] weights, LoadBalancingConfig.Strategy strategy) {
    this.candidates = candidates;
    this.strategy = strategy;
    TreeMap<Integer, List<Integer>> byPriority = new TreeMap<>();
    for (int i = 0; i < candidates.length; i++) {
      byPriority.computeIfAbsent(priorities[i], k -> new ArrayList<>()).add(i);
    }
    List<Group> gs = new ArrayList<>();
    byPriority
        .values()
        .forEach(
            idx -> {
              int[] members = idx.stream().mapToInt(Integer::intValue).toArray();
              int[] w = new int[members.length];
              for (int i = 0; i < members.length; i++) {
                w[i] = weights[members[i]];
              }
              gs.add(new Group(members, w));
            });
    this.groups = gs.toArray(new Group[0]);
  }

  public C[] candidates() {
    return candidates;
  }

  /**
   * The chosen candidate, or {@code null} when none is available.
   *
   * @param tried candidates this request already tried (may be {@code null}); avoided when possible
   */
  public C pick(long now, List<? extends Candidate> tried) {
    for (Group g : groups) {
      C c =
          strategy == LoadBalancingConfig.Strategy.LEAST_REQUESTS
              ? leastRequests(g, now, tried)
              : roundRobin(g, now, tried);
      if (c != null) {
        return c;
      }
    }
    if (tried != null && !tried.isEmpty()) {
      return pick(now, null); // every available candidate was tried: reuse one rather than fail
    }
    return null;
  }

  private C roundRobin(Group g, long now, List<? extends Candidate> tried) {
    int len = g.cycle.length;
    if (len == 0) {
      return null;
    }
    int start = g.cursor.getAndIncrement();
    // scan at most one cycle from the cursor: unavailable or tried members are skipped
    for (int i = 0; i < len; i++) {
      C c = candidates[g.members[g.cycle[Math.floorMod(start + i, len)]]];
      if ((tried == null || !tried.contains(c)) && c.available(now)) {
        return c;
      }
    }
    return null;
  }

  private C leastRequests(Group g, long now, List<? extends Candidate> tried) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    C a = weightedRandom(g, now, tried, r, null);
    if (a == null) {
      return null;
    }
    C b = weightedRandom(g, now, tried, r, a);
    if (b == null) {
      return a;
    }
    int wa = weightOf(g, a);
    int wb = weightOf(g, b);
    // compare in-flight per unit of weight without dividing: a.inFlight / wa vs b.inFlight / wb
    return (long) a.inFlight() * wb <= (long) b.inFlight() * wa ? a : b;
  }

  private C weightedRandom(
      Group g, long now, List<? extends Candidate> tried, ThreadLocalRandom r, C not) {
    // a random position in the smooth cycle is a weighted random draw; probe a few, then scan
    int len = g.cycle.length;
    if (len == 0) {
      return null;
    }
    int start = r.nextInt(len);
    for (int i = 0; i < len; i++) {
      C c = candidates[g.members[g.cycle[(start + i) % len]]];
      if (c != not && (tried == null || !tried.contains(c)) && c.available(now)) {
        return c;
      }
    }
    return null;
  }

  private int weightOf(Group g, C c) {
    for (int i = 0; i < g.members.length; i++) {
      if (candidates[g.members[i]] == c) {
        return Math.max(1, g.weights[i]);
      }
    }
    return 1;
  }
}
