package dev.portico.gateway.balancing;

import dev.portico.gateway.config.LoadBalancingConfig;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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

  private static final VarHandle CURSOR;

  static {
    try {
      CURSOR = MethodHandles.lookup().findVarHandle(Balancer.class, "cursor", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Group[] groups;
  private final C[] candidates;
  private final LoadBalancingConfig.Strategy strategy;

  /**
   * Round-robin over one group whose schedule is the candidates in their order (one priority, equal
   * weights: the usual backend), with the cursor {@link #cursor} here: a pick then reads no group,
   * schedule or member array. At 10,000 backends picked at random those were cold cache lines on
   * every request (issue 13).
   */
  private final boolean inOrder;

  /** The cursor of the {@link #inOrder} case (updated through {@link #CURSOR}). */
  @SuppressWarnings("unused")
  private volatile int cursor;

  private static final class Group {
    final int[] members;
    final int[] weights;
    final int[] cycle;
    final AtomicInteger cursor = new AtomicInteger(randomStart());

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
    this.inOrder =
        strategy != LoadBalancingConfig.Strategy.LEAST_REQUESTS
            && groups.length == 1
            && inCandidateOrder(groups[0], candidates.length);
    this.cursor = randomStart();
  }

  /**
   * Where a round-robin cursor starts: at random, so that gateways (and snapshots) built at the
   * same moment do not all send their first requests to the same candidate.
   */
  private static int randomStart() {
    return ThreadLocalRandom.current().nextInt(1 << 16);
  }

  /** Whether {@code g}'s schedule visits each of {@code n} candidates once, in their order. */
  private static boolean inCandidateOrder(Group g, int n) {
    if (g.cycle.length != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (g.members[g.cycle[i]] != i) {
        return false;
      }
    }
    return true;
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
    C c = inOrder ? inOrder(now, tried) : byGroup(now, tried);
    if (c == null && tried != null && !tried.isEmpty()) {
      return pick(now, null); // every available candidate was tried: reuse one rather than fail
    }
    return c;
  }

  /** The first group, by priority, with an available candidate picks one by the strategy. */
  private C byGroup(long now, List<? extends Candidate> tried) {
    for (Group g : groups) {
      C c =
          strategy == LoadBalancingConfig.Strategy.LEAST_REQUESTS
              ? leastRequests(g, now, tried)
              : roundRobin(g, now, tried);
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  /** {@link #roundRobin} of the {@link #inOrder} case: the same order, straight over candidates. */
  private C inOrder(long now, List<? extends Candidate> tried) {
    int len = candidates.length;
    int start = (int) CURSOR.getAndAdd(this, 1);
    for (int i = 0; i < len; i++) {
      C c = candidates[Math.floorMod(start + i, len)];
      if ((tried == null || !tried.contains(c)) && c.available(now)) {
        return c;
      }
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
