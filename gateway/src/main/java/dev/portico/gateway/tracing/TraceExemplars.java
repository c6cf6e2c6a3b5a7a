package dev.portico.gateway.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.prometheus.metrics.tracer.common.SpanContext;

/**
 * Tells the Prometheus histograms which span is current when they record an observation, so that a
 * bucket's exemplar links to the trace of a request that landed in it. The proxy makes the
 * request's span current (on the event loop thread) only around its observer calls, so the lookup
 * is OpenTelemetry's thread-local context; installed only when tracing is on.
 */
public final class TraceExemplars implements SpanContext {

  private static final AttributeKey<Boolean> EXEMPLAR = AttributeKey.booleanKey("exemplar");

  @Override
  public String getCurrentTraceId() {
    io.opentelemetry.api.trace.SpanContext c = Span.current().getSpanContext();
    return c.isValid() ? c.getTraceId() : null;
  }

  @Override
  public String getCurrentSpanId() {
    io.opentelemetry.api.trace.SpanContext c = Span.current().getSpanContext();
    return c.isValid() ? c.getSpanId() : null;
  }

  @Override
  public boolean isCurrentSpanSampled() {
    // an unsampled span is never exported: an exemplar pointing at it would lead nowhere
    return Span.current().getSpanContext().isSampled();
  }

  @Override
  public void markCurrentSpanAsExemplar() {
    // lets a tail-sampling collector keep the traces the metrics point at
    Span.current().setAttribute(EXEMPLAR, true);
  }
}
