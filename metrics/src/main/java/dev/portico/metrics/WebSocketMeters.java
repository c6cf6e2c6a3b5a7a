package dev.portico.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One API's WebSocket meters (issue 14): sessions open, their durations, frames and bytes each way.
 * Made once per API ({@link PorticoMetrics#webSocket}) and kept: recording is a counter update.
 */
public final class WebSocketMeters {

  private final AtomicLong active = new AtomicLong();
  private final Timer duration;
  private final Counter framesUp;
  private final Counter framesDown;
  private final Counter bytesUp;
  private final Counter bytesDown;

  WebSocketMeters(MeterRegistry registry, String apiId, Duration[] buckets) {
    Gauge.builder(MeterNames.WEBSOCKET_ACTIVE, active, AtomicLong::get)
        .description("WebSocket sessions open now")
        .tags(MeterNames.API, apiId)
        .strongReference(true)
        .register(registry);
    duration =
        Timer.builder(MeterNames.WEBSOCKET_DURATION)
            .description(
                "WebSocket sessions, from the accepted handshake to the close of both connections")
            .tags(MeterNames.API, apiId)
            .serviceLevelObjectives(buckets)
            .publishPercentileHistogram(false)
            .register(registry);
    framesUp =
        counter(
            registry, MeterNames.WEBSOCKET_FRAMES, "WebSocket frames relayed", apiId, "upstream");
    framesDown =
        counter(
            registry, MeterNames.WEBSOCKET_FRAMES, "WebSocket frames relayed", apiId, "downstream");
    bytesUp =
        counter(
            registry,
            MeterNames.WEBSOCKET_BYTES,
            "WebSocket bytes relayed (frame headers included)",
            apiId,
            "upstream");
    bytesDown =
        counter(
            registry,
            MeterNames.WEBSOCKET_BYTES,
            "WebSocket bytes relayed (frame headers included)",
            apiId,
            "downstream");
  }

  private static Counter counter(
      MeterRegistry registry, String name, String description, String api, String direction) {
    return Counter.builder(name)
        .description(description)
        .tags(MeterNames.API, api, MeterNames.DIRECTION, direction)
        .register(registry);
  }

  public void opened() {
    active.incrementAndGet();
  }

  /**
   * @param upstream client to backend ({@code true}) or backend to client
   */
  public void relayed(boolean upstream, int frames, int bytes) {
    if (upstream) {
      framesUp.increment(frames);
      bytesUp.increment(bytes);
    } else {
      framesDown.increment(frames);
      bytesDown.increment(bytes);
    }
  }

  public void closed(long nanos) {
    active.decrementAndGet();
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }
}
