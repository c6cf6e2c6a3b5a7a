package dev.portico.gateway.tracing;

import dev.portico.gateway.config.TracingConfig;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's tracer: one per gateway process (all routing verticles share it), built from the
 * {@code tracing} section only when it is enabled, so that with tracing off the request path pays
 * one null check and nothing else.
 *
 * <p>Spans are made explicitly in the request path ({@link RequestSpan}) rather than by Vert.x's
 * tracer SPI: the SPI sees HTTP requests, not the gateway's decisions, so it could neither give
 * each backend attempt its resend count, endpoint and Service Fabric partition, nor record a
 * re-resolution; and it would trace the gateway's other clients (registry, management calls) too.
 *
 * <p>Export goes through the SDK's {@link BatchSpanProcessor}: ending a span only offers it to a
 * bounded queue (a full queue drops the span), and a background thread of the SDK's own sends the
 * batches, so no event loop ever waits on the collector.
 */
public final class Tracing {

  static final TextMapPropagator PROPAGATOR =
      TextMapPropagator.composite(
          W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());

  private static final TextMapGetter<MultiMap> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
          return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private Tracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider.get("dev.portico.gateway");
  }

  /** The tracer {@code config} describes, or {@code null} when tracing is off. */
  public static Tracing create(TracingConfig config, String gatewayId) {
    if (!config.enabled()) {
      return null;
    }
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        config.serviceName() == null ? gatewayId : config.serviceName(),
                        AttributeKey.stringKey("service.instance.id"),
                        gatewayId)));
    BatchSpanProcessor batches =
        BatchSpanProcessor.builder(exporter(config))
            .setMaxQueueSize(config.maxQueueSize())
            .setMaxExportBatchSize(config.maxExportBatchSize())
            .setScheduleDelay(config.scheduleDelay())
            .setExporterTimeout(config.exportTimeout())
            .build();
    return new Tracing(
        SdkTracerProvider.builder()
            .setResource(resource)
            // a caller's sampling decision stands; new traces are kept at the configured ratio
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.samplingRatio())))
            .addSpanProcessor(batches)
            .build());
  }

  private static SpanExporter exporter(TracingConfig config) {
    if (config.protocol() == TracingConfig.Protocol.GRPC) {
      var b =
          OtlpGrpcSpanExporter.builder()
              .setEndpoint(config.endpoint())
              .setTimeout(config.exportTimeout());
      config.headers().forEach(b::addHeader);
      return b.build();
    }
    var b =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(config.endpoint())
            .setTimeout(config.exportTimeout());
    config.headers().forEach(b::addHeader);
    return b.build();
  }

  /**
   * The server span of {@code req}, continuing the caller's trace when its {@code traceparent} is
   * valid (its {@code baggage} travels on to the backend too).
   */
  public RequestSpan begin(HttpServerRequest req, String requestId) {
    Context parent = PROPAGATOR.extract(Context.root(), req.headers(), HEADERS);
    String method = req.method().name();
    var builder =
        tracer
            .spanBuilder(method)
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(SpanAttributes.HTTP_REQUEST_METHOD, method)
            .setAttribute(SpanAttributes.URL_PATH, req.path())
            .setAttribute(SpanAttributes.URL_SCHEME, req.isSSL() ? "https" : "http")
            .setAttribute(SpanAttributes.REQUEST_ID, requestId);
    String host = req.authority() == null ? null : req.authority().host();
    if (host != null) {
      builder.setAttribute(SpanAttributes.SERVER_ADDRESS, host);
    }
    if (req.remoteAddress() != null) {
      builder.setAttribute(SpanAttributes.CLIENT_ADDRESS, req.remoteAddress().hostAddress());
    }
    Span span = builder.startSpan();
    return new RequestSpan(tracer, parent.with(span), span, method);
  }

  /**
   * Exports what is queued and stops the export thread. Blocks up to {@code timeoutMs}: not on an
   * event loop.
   */
  public void close(long timeoutMs) {
    CompletableResultCode done = provider.shutdown();
    done.join(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Exports what is queued now (tests, and the drain before a shutdown). */
  public CompletableResultCode flush() {
    return provider.forceFlush();
  }
}
