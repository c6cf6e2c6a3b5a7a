package dev.portico.metrics.internal;

import dev.portico.metrics.FabricResolution;
import dev.portico.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Service Fabric resolutions by service and result, and their latency by result. A service name can
 * come from a request (the reverse-proxy listener takes it from the path), so the number of
 * distinct {@code service} values is capped: past {@link #MAX_SERVICES}, new names count under
 * {@link #OVERFLOW_SERVICE}.
 */
public final class FabricMeters {

  public static final int MAX_SERVICES = 500;
  public static final String OVERFLOW_SERVICE = "other";

  /**
   * Resolutions are usually a cache hit (well under 1 ms) or one naming call (milliseconds to
   * seconds).
   */
  private static final Duration[] BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final MeterRegistry registry;
  private final AtomicReferenceArray<Timer> durations =
      new AtomicReferenceArray<>(FabricResolution.values().length);
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> counters =
      new ConcurrentHashMap<>();

  /**
   * Meters appear at the first resolution: a gateway without Service Fabric backends shows none of
   * them.
   */
  public FabricMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  public void record(String service, FabricResolution result, long nanos) {
    if (service == null || service.isEmpty()) {
      service = "none";
    }
    AtomicReferenceArray<Counter> byResult = counters.get(service);
    if (byResult == null) {
      if (counters.size() >= MAX_SERVICES) {
        service = OVERFLOW_SERVICE;
      }
      byResult =
          counters.computeIfAbsent(
              service, k -> new AtomicReferenceArray<>(FabricResolution.values().length));
    }
    Counter c = byResult.get(result.ordinal());
    if (c == null) {
      // registration is idempotent: a racing thread stores the same counter
      c =
          Counter.builder(MeterNames.FABRIC_RESOLUTIONS)
              .description("Service Fabric resolutions by service and result")
              .tags(MeterNames.SERVICE, service, MeterNames.RESULT, result.label())
              .register(registry);
      byResult.set(result.ordinal(), c);
    }
    c.increment();
    Timer t = durations.get(result.ordinal());
    if (t == null) {
      t =
          Timer.builder(MeterNames.FABRIC_RESOLUTION_DURATION)
              .description("Time to resolve a Service Fabric service to an endpoint")
              .tags(MeterNames.RESULT, result.label())
              .serviceLevelObjectives(BUCKETS)
              .publishPercentileHistogram(false)
              .register(registry);
      durations.set(result.ordinal(), t);
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }
}
