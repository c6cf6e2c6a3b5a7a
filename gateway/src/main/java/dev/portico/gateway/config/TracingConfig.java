package dev.portico.gateway.config;

import java.time.Duration;
import java.util.Map;

/**
 * The {@code tracing} section: OpenTelemetry spans for every request and backend attempt, exported
 * over OTLP. Off by default.
 *
 * @param enabled whether the gateway makes and exports spans
 * @param endpoint where spans go: for {@code http/protobuf} the full URL (as {@code
 *     OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, e.g. {@code http://collector:4318/v1/traces}), for
 *     {@code grpc} the collector's base URL ({@code http://collector:4317})
 * @param protocol the OTLP transport
 * @param samplingRatio share of new traces (requests without a sampled parent) recorded, 0 to 1; a
 *     request whose {@code traceparent} says sampled is always recorded (parent-based)
 * @param headers headers sent with every export (an API key for a hosted collector)
 * @param serviceName the {@code service.name} resource attribute; {@code null}: the gateway id
 * @param maxQueueSize spans held for export; beyond that, new spans are dropped, never waited for
 * @param maxExportBatchSize spans per export request
 * @param scheduleDelay how long a span may wait in the queue before a (partial) batch is sent
 * @param exportTimeout how long one export may take before it is abandoned
 */
public record TracingConfig(
    boolean enabled,
    String endpoint,
    Protocol protocol,
    double samplingRatio,
    Map<String, String> headers,
    String serviceName,
    int maxQueueSize,
    int maxExportBatchSize,
    Duration scheduleDelay,
    Duration exportTimeout) {

  /** OTLP's two transports, named as {@code OTEL_EXPORTER_OTLP_PROTOCOL} names them. */
  public enum Protocol {
    HTTP_PROTOBUF("http/protobuf", "http://localhost:4318/v1/traces"),
    GRPC("grpc", "http://localhost:4317");

    private final String label;
    private final String defaultEndpoint;

    Protocol(String label, String defaultEndpoint) {
      this.label = label;
      this.defaultEndpoint = defaultEndpoint;
    }

    public String label() {
      return label;
    }

    public String defaultEndpoint() {
      return defaultEndpoint;
    }

    public static Protocol of(String label) {
      for (Protocol p : values()) {
        if (p.label.equals(label)) {
          return p;
        }
      }
      return null;
    }
  }

  // the OpenTelemetry SDK's own defaults for the batch span processor
  public static final int DEFAULT_QUEUE = 2048;
  public static final int DEFAULT_BATCH = 512;
  public static final Duration DEFAULT_DELAY = Duration.ofSeconds(5);
  public static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(30);

  public static final TracingConfig DEFAULT =
      new TracingConfig(
          false,
          Protocol.HTTP_PROTOBUF.defaultEndpoint(),
          Protocol.HTTP_PROTOBUF,
          1.0,
          Map.of(),
          null,
          DEFAULT_QUEUE,
          DEFAULT_BATCH,
          DEFAULT_DELAY,
          DEFAULT_EXPORT_TIMEOUT);

  public TracingConfig {
    headers = Map.copyOf(headers);
  }
}
