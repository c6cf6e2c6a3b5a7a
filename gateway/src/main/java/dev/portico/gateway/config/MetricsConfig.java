package dev.portico.gateway.config;

import java.util.List;

/**
 * The {@code metrics} section: what {@code /metrics} on the management listener exposes.
 *
 * @param enabled expose {@code /metrics} and record the gateway's meters
 * @param jvm include JVM and process meters (memory, GC, threads, class loading, CPU, uptime,
 *     files)
 * @param vertx include Vert.x's own pool meters (worker pools, the client's connection pools);
 *     applies when the gateway process creates Vert.x (the launcher), not to a gateway deployed on
 *     a caller's Vert.x
 * @param vertxHttp also Vert.x's per-request HTTP server and client meters (off by default: they
 *     repeat the gateway's own request and upstream meters and cost about a fifth of the
 *     throughput)
 * @param latencyBuckets upper bounds in seconds of the latency histograms; empty for the defaults
 */
public record MetricsConfig(
    boolean enabled, boolean jvm, boolean vertx, boolean vertxHttp, List<Double> latencyBuckets) {

  public static final MetricsConfig DEFAULT = new MetricsConfig(true, true, true, false, List.of());

  public MetricsConfig {
    latencyBuckets = List.copyOf(latencyBuckets);
  }
}
