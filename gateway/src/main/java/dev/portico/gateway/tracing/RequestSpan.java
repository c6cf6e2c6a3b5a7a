package dev.portico.gateway.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;

/**
 * The spans of one request: the SERVER span from arrival to the end of the response, and one CLIENT
 * span per backend attempt, its child; the backend gets the client span as its parent. Retries and
 * Service Fabric resolutions are events on the server span.
 *
 * <p>Used only on the request's event loop (like the exchange that owns it): no locking. Ending a
 * span only queues it for the batch exporter.
 */
public final class RequestSpan {

  private static final TextMapSetter<MultiMap> HEADERS =
      (carrier, key, value) -> carrier.set(key, value);
  private static final String[] PROPAGATION_HEADERS = {"traceparent", "tracestate", "baggage"};

  private final Tracer tracer;

  /** The caller's context (baggage included) with the server span in it. */
  private final Context server;

  private final Span span;
  private final String method;
  private Span client;
  private int attempts;
  private boolean ended;

  RequestSpan(Tracer tracer, Context server, Span span, String method) {
    this.tracer = tracer;
    this.server = server;
    this.span = span;
    this.method = method;
  }

  /**
   * The trace id (32 hex digits): also for an unsampled request, whose id still travels downstream.
   */
  public String traceId() {
    return span.getSpanContext().getTraceId();
  }

  /** Whether the spans are recorded and exported. */
  public boolean sampled() {
    return span.getSpanContext().isSampled();
  }

  /** The request matched an API (and maybe an operation) routed to {@code backendId}. */
  public void routed(String apiId, String operationId, String backendId) {
    if (!span.isRecording()) {
      return;
    }
    // a low-cardinality name, as the conventions ask: the method and what the request matched
    span.updateName(method + " " + (operationId == null ? apiId : apiId + "/" + operationId));
    span.setAttribute(
        SpanAttributes.HTTP_ROUTE, operationId == null ? apiId : apiId + "/" + operationId);
    span.setAttribute(SpanAttributes.API_ID, apiId);
    if (operationId != null) {
      span.setAttribute(SpanAttributes.OPERATION_ID, operationId);
    }
    if (backendId != null) {
      span.setAttribute(SpanAttributes.BACKEND_ID, backendId);
    }
  }

  /**
   * Attempt {@code attemptNo} (1 for the first) goes to {@code host:port}.
   *
   * @param place where in a Service Fabric cluster, or {@code null}
   */
  public void attemptStarted(
      int attemptNo,
      String backendId,
      String host,
      int port,
      String instanceId,
      FabricPlace place) {
    endClient(0, "Abandoned");
    attempts = attemptNo;
    var b =
        tracer
            .spanBuilder(method)
            .setParent(server)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(SpanAttributes.HTTP_REQUEST_METHOD, method)
            .setAttribute(SpanAttributes.SERVER_ADDRESS, host)
            .setAttribute(SpanAttributes.SERVER_PORT, (long) port)
            .setAttribute(SpanAttributes.NETWORK_PEER_ADDRESS, host)
            .setAttribute(SpanAttributes.NETWORK_PEER_PORT, (long) port)
            .setAttribute(SpanAttributes.BACKEND_ID, backendId)
            .setAttribute(SpanAttributes.ENDPOINT, host + ":" + port);
    if (attemptNo > 1) {
      b.setAttribute(SpanAttributes.HTTP_REQUEST_RESEND_COUNT, (long) (attemptNo - 1));
    }
    if (instanceId != null) {
      b.setAttribute(SpanAttributes.INSTANCE_ID, instanceId);
    }
    if (place != null) {
      b.setAttribute(SpanAttributes.FABRIC_SERVICE, place.service());
      b.setAttribute(SpanAttributes.FABRIC_PARTITION, place.partitionId());
      if (place.replicaRole() != null) {
        b.setAttribute(SpanAttributes.FABRIC_REPLICA_ROLE, place.replicaRole());
      }
    }
    client = b.startSpan();
  }

  /**
   * Writes the trace context of the current attempt into the backend request's headers ({@code
   * traceparent} naming the client span, the caller's {@code tracestate} and {@code baggage}); what
   * the client sent under those names is replaced, not forwarded beside it.
   */
  public void inject(MultiMap headers) {
    for (String h : PROPAGATION_HEADERS) {
      headers.remove(h);
    }
    Tracing.PROPAGATOR.inject(client == null ? server : server.with(client), headers, HEADERS);
  }

  /**
   * The current attempt ended: response headers with {@code status}, or a failure ({@code status}
   * 0) for {@code reason}. {@code report} runs with the client span current, so that a latency
   * histogram it records takes the span as its exemplar.
   */
  public void attemptEnded(int status, String reason, Runnable report) {
    Span c = client;
    if (c == null || !c.getSpanContext().isSampled()) {
      // an exemplar names sampled spans only: no need to make an unsampled one current
      report.run();
      endClient(status, reason);
      return;
    }
    try (Scope ignored = c.makeCurrent()) {
      report.run();
    }
    endClient(status, reason);
  }

  private void endClient(int status, String reason) {
    Span c = client;
    if (c == null) {
      return;
    }
    client = null;
    if (status > 0) {
      c.setAttribute(SpanAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
      if (status >= 400) {
        c.setStatus(StatusCode.ERROR);
        c.setAttribute(SpanAttributes.ERROR_TYPE, String.valueOf(status));
      }
    } else {
      c.setStatus(StatusCode.ERROR, reason);
      c.setAttribute(SpanAttributes.ERROR_TYPE, reason);
      c.setAttribute(SpanAttributes.ERROR_REASON, reason);
    }
    c.end();
  }

  /** The gateway will try again after {@code reason} (a failure reason or {@code status:NNN}). */
  public void retried(String reason) {
    if (span.isRecording()) {
      span.addEvent(
          "portico.retry",
          Attributes.of(
              SpanAttributes.RETRY_REASON,
              reason,
              SpanAttributes.HTTP_REQUEST_RESEND_COUNT,
              (long) attempts));
    }
  }

  /**
   * A Service Fabric resolution ended: the request's first ({@code trigger} {@code request}), or a
   * re-resolution after a complaint about an attempt's outcome ({@code complaint}).
   *
   * @param partitionId the partition resolved, or {@code null} when none was
   */
  public void fabricResolution(String service, String partitionId, String result, long nanos) {
    if (!span.isRecording()) {
      return;
    }
    AttributesBuilder a =
        Attributes.builder()
            .put(SpanAttributes.FABRIC_SERVICE, service)
            .put(SpanAttributes.FABRIC_RESULT, result)
            .put(SpanAttributes.FABRIC_TRIGGER, attempts == 0 ? "request" : "complaint")
            .put(SpanAttributes.DURATION_MS, nanos / 1e6);
    if (partitionId != null) {
      a.put(SpanAttributes.FABRIC_PARTITION, partitionId);
    }
    span.addEvent("servicefabric.resolve", a.build());
  }

  /**
   * The exchange is over: the client got {@code status} (0: none could be sent), or the gateway
   * answered or broke off for {@code reason}. {@code report} runs with the server span current
   * (exemplars on the request latency histogram).
   */
  public void completed(int status, String reason, int attempts, Runnable report) {
    if (ended) {
      report.run();
      return;
    }
    ended = true;
    endClient(0, reason == null ? "Abandoned" : reason);
    if (span.getSpanContext().isSampled()) {
      try (Scope ignored = span.makeCurrent()) {
        report.run();
      }
    } else {
      report.run();
    }
    if (status > 0) {
      span.setAttribute(SpanAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
    }
    span.setAttribute(SpanAttributes.ATTEMPTS, (long) attempts);
    if (reason != null) {
      span.setAttribute(SpanAttributes.ERROR_REASON, reason);
    }
    // a server span is in error for 5xx and for an exchange that broke off; a 4xx is the client's
    if (status >= 500 || status == 0) {
      span.setStatus(StatusCode.ERROR, reason);
      span.setAttribute(
          SpanAttributes.ERROR_TYPE, reason != null ? reason : String.valueOf(status));
    } else if (reason != null && status >= 400) {
      span.setAttribute(SpanAttributes.ERROR_TYPE, reason);
    }
    span.end();
  }
}
