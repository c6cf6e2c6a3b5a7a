package dev.portico.metrics;

import java.time.Duration;
import java.util.List;

/**
 * How to set up Portico's metrics.
 *
 * @param jvm bind the JVM and process meters (memory, GC, threads, class loading, CPU, uptime, file
 *     descriptors)
 * @param latencyBuckets upper bounds, in seconds, of the request and upstream latency histograms;
 *     strictly increasing
 */
public record MetricsSettings(boolean jvm, List<Double> latencyBuckets) {

  /**
   * From 1 ms (a cached answer on the same host) to 30 s (beyond that, the client has given up),
   * roughly 1-2.5-5 per decade: fine where gateways usually live and enough for a p99 at any load.
   */
  public static final List<Double> DEFAULT_LATENCY_BUCKETS =
      List.of(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0);

  public static final MetricsSettings DEFAULT = new MetricsSettings(true, DEFAULT_LATENCY_BUCKETS);

  public MetricsSettings {
    latencyBuckets =
        List.copyOf(
            latencyBuckets == null || latencyBuckets.isEmpty()
                ? DEFAULT_LATENCY_BUCKETS
                : latencyBuckets);
    double previous = 0;
    for (double b : latencyBuckets) {
      if (!(b > previous) || Double.isInfinite(b)) {
        throw new IllegalArgumentException(
            "latency buckets must be positive, finite and strictly increasing: " + latencyBuckets);
      }
      previous = b;
    }
  }

  Duration[] bucketDurations() {
    return latencyBuckets.stream()
        .map(s -> Duration.ofNanos(Math.round(s * 1e9)))
        .toArray(Duration[]::new);
  }
}
