package dev.portico.gateway.balancing;

/**
 * A precomputed smooth weighted round-robin order (NGINX's algorithm run once, off the hot path):
 * over one cycle each index appears in proportion to its weight, spread out rather than in bursts.
 * Picking is then an atomic counter modulo the cycle: exact, smooth and lock-free.
 */
public final class SmoothSchedule {

  /**
   * Longest cycle kept; larger weight sums are scaled down (proportions kept to within rounding).
   */
  static final int MAX_CYCLE = 4096;

  private SmoothSchedule() {}

  /**
   * @param weights non-negative weights; zero-weight entries never appear unless all are zero, in
   *     which case all count equally
   * @return the cycle, as indices into {@code weights}
   */
  public static int[] of(int[] weights) {
    int n = weights.length;
    if (n == 0) {
      return new int[0];
    }
    long[] w = new long[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      w[i] = Math.max(0, weights[i]);
      total += w[i];
    }
    if (total == 0) {
      java.util.Arrays.fill(w, 1);
      total = n;
    }
    long g = 0;
    for (long x : w) {
      g = gcd(g, x);
    }
    total = 0;
    for (int i = 0; i < n; i++) {
      w[i] /= g;
      total += w[i];
    }
    if (total > MAX_CYCLE) {
      long scaled = 0;
      for (int i = 0; i < n; i++) {
        w[i] = w[i] == 0 ? 0 : Math.max(1, Math.round((double) w[i] * MAX_CYCLE / total));
        scaled += w[i];
      }
      total = scaled;
    }
    int[] cycle = new int[(int) total];
    long[] current = new long[n];
    for (int step = 0; step < total; step++) {
      int best = -1;
      for (int i = 0; i < n; i++) {
        current[i] += w[i];
        if (w[i] > 0 && (best < 0 || current[i] > current[best])) {
          best = i;
        }
      }
      current[best] -= total;
      cycle[step] = best;
    }
    return cycle;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
