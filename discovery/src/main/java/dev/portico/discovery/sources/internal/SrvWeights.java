package dev.portico.discovery.sources.internal;

import java.util.TreeSet;

/**
 * SRV priorities and weights (0 to 65535) on the gateway's balancing scale (metadata {@code
 * priority} and {@code weight}, 0 to 1000): values that fit are kept as they are; a record set with
 * larger weights is scaled proportionally (a non-zero weight stays at least 1), and one with larger
 * priorities is ranked (0, 1, 2, ... in the same order). Either way the balancer behaves as RFC
 * 2782 asks: the lowest priority group first, weights proportional within it.
 */
final class SrvWeights {

  static final int MAX = 1000;

  private final int maxWeight;
  private final int[] distinctPriorities;
  private final boolean rankPriorities;

  SrvWeights(int[] priorities, int[] weights) {
    int max = 0;
    for (int w : weights) {
      max = Math.max(max, w);
    }
    this.maxWeight = max;
    TreeSet<Integer> distinct = new TreeSet<>();
    for (int p : priorities) {
      distinct.add(p);
    }
    this.distinctPriorities = distinct.stream().mapToInt(Integer::intValue).toArray();
    this.rankPriorities = !distinct.isEmpty() && distinct.last() > MAX;
  }

  int weight(int srvWeight) {
    if (maxWeight <= MAX || srvWeight == 0) {
      return srvWeight;
    }
    return (int) Math.max(1, Math.round(srvWeight * (double) MAX / maxWeight));
  }

  int priority(int srvPriority) {
    if (!rankPriorities) {
      return srvPriority;
    }
    return java.util.Arrays.binarySearch(distinctPriorities, srvPriority);
  }
}
