package dev.portico.gateway.support;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A trace collector on loopback that speaks OTLP for real: {@code POST /v1/traces} with an {@code
 * application/x-protobuf} {@link ExportTraceServiceRequest} (HTTP/protobuf), and the gRPC {@code
 * TraceService/Export} call over cleartext HTTP/2 (the length-prefixed message, answered with
 * {@code grpc-status} trailers). Decodes with the OTLP proto classes and keeps every span.
 */
public final class OtlpReceiver {

  /**
   * One received span with its resource's attributes; ids in lowercase hex as W3C trace context
   * writes them.
   */
  public record Received(Span span, Map<String, String> resource) {

    public String traceId() {
      return HexFormat.of().formatHex(span.getTraceId().toByteArray());
    }

    public String spanId() {
      return HexFormat.of().formatHex(span.getSpanId().toByteArray());
    }

    public String parentSpanId() {
      return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
    }

    public Span.SpanKind kind() {
      return span.getKind();
    }

    /** The attribute's value as text (numbers and booleans too), or {@code null}. */
    public String attr(String key) {
      return text(span.getAttributesList(), key);
    }

    public List<Span.Event> events(String name) {
      return span.getEventsList().stream().filter(e -> e.getName().equals(name)).toList();
    }
  }

  private final List<Received> spans = new CopyOnWriteArrayList<>();
  private final AtomicInteger httpExports = new AtomicInteger();
  private final AtomicInteger grpcExports = new AtomicInteger();
  private final HttpServer server;

  private OtlpReceiver(Vertx vertx) {
    // cleartext HTTP/2 with prior knowledge (gRPC) and HTTP/1.1 (OTLP/HTTP) on the same port
    server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setHost("127.0.0.1")
                    .setPort(0)
                    .setHttp2ClearTextEnabled(true))
            .requestHandler(this::handle);
    server.listen().await();
  }

  public static OtlpReceiver start(Vertx vertx) {
    return new OtlpReceiver(vertx);
  }

  public int port() {
    return server.actualPort();
  }

  /** The OTLP/HTTP traces URL. */
  public String httpEndpoint() {
    return "http://127.0.0.1:" + port() + "/v1/traces";
  }

  /** The OTLP/gRPC base URL. */
  public String grpcEndpoint() {
    return "http://127.0.0.1:" + port();
  }

  public List<Received> spans() {
    return List.copyOf(spans);
  }

  public List<Received> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  public int httpExports() {
    return httpExports.get();
  }

  public int grpcExports() {
    return grpcExports.get();
  }

  private void handle(HttpServerRequest req) {
    req.body()
        .onSuccess(
            body -> {
              try {
                if (req.path().equals("/v1/traces")
                    && "application/x-protobuf".equals(req.getHeader("content-type"))) {
                  keep(ExportTraceServiceRequest.parseFrom(body.getBytes()));
                  httpExports.incrementAndGet();
                  req.response()
                      .putHeader("content-type", "application/x-protobuf")
                      .end(
                          Buffer.buffer(
                              ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
                } else if (req.path()
                    .equals("/opentelemetry.proto.collector.trace.v1.TraceService/Export")) {
                  // gRPC framing: 1 byte compressed flag (0), 4 bytes big-endian length, the
                  // message
                  if (body.getByte(0) != 0 || body.getInt(1) != body.length() - 5) {
                    req.response().setStatusCode(400).end("bad gRPC frame");
                    return;
                  }
                  keep(ExportTraceServiceRequest.parseFrom(body.getBytes(5, body.length())));
                  grpcExports.incrementAndGet();
                  byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                  req.response()
                      .putHeader("content-type", "application/grpc")
                      .putTrailer("grpc-status", "0")
                      .end(
                          Buffer.buffer()
                              .appendByte((byte) 0)
                              .appendInt(answer.length)
                              .appendBytes(answer));
                } else {
                  req.response().setStatusCode(404).end();
                }
              } catch (InvalidProtocolBufferException e) {
                req.response().setStatusCode(400).end(e.getMessage());
              }
            });
  }

  private void keep(ExportTraceServiceRequest request) {
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Map<String, String> resource =
          rs.getResource().getAttributesList().stream()
              .collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue()), (a, b) -> b));
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          spans.add(new Received(s, resource));
        }
      }
    }
  }

  public static String text(List<KeyValue> attributes, String key) {
    return attributes.stream()
        .filter(kv -> kv.getKey().equals(key))
        .findFirst()
        .map(kv -> text(kv.getValue()))
        .orElse(null);
  }

  static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> String.valueOf(v.getIntValue());
      case BOOL_VALUE -> String.valueOf(v.getBoolValue());
      case DOUBLE_VALUE -> String.valueOf(v.getDoubleValue());
      default -> v.toString();
    };
  }

  public void close() {
    server.close().await();
  }
}
