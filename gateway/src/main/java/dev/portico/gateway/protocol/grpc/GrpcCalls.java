package dev.portico.gateway.protocol.grpc;

import dev.portico.gateway.problem.ErrorReason;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the gateway knows about gRPC calls (gRPC over HTTP/2, PROTOCOL-HTTP2.md): which requests are
 * calls, their {@code grpc-timeout}, the {@code grpc-status} of a response (in its headers for a
 * trailers-only response, else in its trailers), and the gateway's own failures answered as gRPC
 * statuses instead of problem documents, which a gRPC client could not read.
 */
public final class GrpcCalls {

  public static final String GRPC_STATUS = "grpc-status";
  public static final String GRPC_MESSAGE = "grpc-message";
  public static final String GRPC_TIMEOUT = "grpc-timeout";
  public static final CharSequence TE = HttpHeaders.createOptimized("te");
  public static final CharSequence TRAILERS = HttpHeaders.createOptimized("trailers");
  private static final String CONTENT_TYPE = "application/grpc";

  /** The longest {@code grpc-timeout} value: 8 digits and a unit. */
  private static final int MAX_TIMEOUT_DIGITS = 8;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private GrpcCalls() {}

  /**
   * Whether the request is a gRPC call: {@code content-type: application/grpc} or {@code
   * application/grpc+proto} and the like. gRPC-Web ({@code application/grpc-web*}) is not: its
   * clients read statuses from the body.
   */
  public static boolean isCall(HttpServerRequest req) {
    return isGrpcContentType(req.headers().get(HttpHeaders.CONTENT_TYPE));
  }

  static boolean isGrpcContentType(String type) {
    if (type == null || !type.regionMatches(true, 0, CONTENT_TYPE, 0, CONTENT_TYPE.length())) {
      return false;
    }
    if (type.length() == CONTENT_TYPE.length()) {
      return true;
    }
    char next = type.charAt(CONTENT_TYPE.length());
    return next == '+' || next == ';';
  }

  /**
   * The call's deadline in milliseconds from now: its {@code grpc-timeout}, bounded by the
   * gateway's own bound {@code otherMillis} (0 or less: none). Returns {@code otherMillis} when the
   * header is absent or malformed (a malformed one is the backend's to refuse).
   */
  public static long deadlineMillis(HttpServerRequest req, long otherMillis) {
    long grpc = parseTimeoutMillis(req.headers().get(GRPC_TIMEOUT));
    if (grpc <= 0) {
      return otherMillis;
    }
    return otherMillis > 0 ? Math.min(otherMillis, grpc) : grpc;
  }

  /**
   * {@code grpc-timeout}: 1 to 8 ASCII digits and a unit (H, M, S, m, u, n); -1 when absent or
   * malformed.
   */
  static long parseTimeoutMillis(String value) {
    if (value == null) {
      return -1;
    }
    String v = value.trim();
    int n = v.length();
    if (n < 2 || n > MAX_TIMEOUT_DIGITS + 1) {
      return -1;
    }
    long amount = 0;
    for (int i = 0; i < n - 1; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      amount = amount * 10 + (c - '0');
    }
    TimeUnit unit =
        switch (v.charAt(n - 1)) {
          case 'H' -> TimeUnit.HOURS;
          case 'M' -> TimeUnit.MINUTES;
          case 'S' -> TimeUnit.SECONDS;
          case 'm' -> TimeUnit.MILLISECONDS;
          case 'u' -> TimeUnit.MICROSECONDS;
          case 'n' -> TimeUnit.NANOSECONDS;
          default -> null;
        };
    if (unit == null) {
      return -1;
    }
    // a timeout below a millisecond is still a deadline: it has passed as good as at once
    return Math.max(1, unit.toMillis(amount));
  }

  /**
   * The {@code grpc-status} in {@code headers} (a trailers-only response, or trailers), or {@code
   * null}.
   */
  public static GrpcStatus status(MultiMap headers) {
    return headers == null ? null : GrpcStatus.of(headers.get(GRPC_STATUS));
  }

  /**
   * Whether a backend's response is a gRPC one whose status comes in trailers (not in its headers).
   */
  public static boolean statusInTrailers(MultiMap responseHeaders) {
    return isGrpcContentType(responseHeaders.get(HttpHeaders.CONTENT_TYPE))
        && !responseHeaders.contains(GRPC_STATUS);
  }

  /**
   * The gRPC status a gateway failure reaches gRPC clients as: what the backend could not be
   * reached for is {@code UNAVAILABLE} (the status clients retry), a time bound {@code
   * DEADLINE_EXCEEDED}, no operation {@code UNIMPLEMENTED}; the rest follow gRPC's HTTP-status
   * mapping, refined by reason.
   */
  public static GrpcStatus statusOf(String reason) {
    ErrorReason r = ErrorReason.ofLabel(reason);
    if (r == null) {
      return GrpcStatus.INTERNAL;
    }
    return switch (r) {
      case BACKEND_CONNECTION_FAILURE,
          BACKEND_UNAVAILABLE,
          PARTITION_RESOLUTION_FAILURE,
          RATE_LIMITER_UNAVAILABLE,
          SIGNING_KEYS_UNAVAILABLE ->
          GrpcStatus.UNAVAILABLE;
      case TIMEOUT, REQUEST_TIMEOUT -> GrpcStatus.DEADLINE_EXCEEDED;
      case OPERATION_NOT_FOUND, NOT_IMPLEMENTED -> GrpcStatus.UNIMPLEMENTED;
      case RATE_LIMITED, QUOTA_EXCEEDED, REQUEST_TOO_LARGE -> GrpcStatus.RESOURCE_EXHAUSTED;
      case UNAUTHORIZED -> GrpcStatus.UNAUTHENTICATED;
      case FORBIDDEN -> GrpcStatus.PERMISSION_DENIED;
      case BAD_REQUEST, REQUEST_VALIDATION_FAILED -> GrpcStatus.INVALID_ARGUMENT;
      case LOOP_DETECTED -> GrpcStatus.ABORTED;
      case CLIENT_CONNECTION_FAILURE -> GrpcStatus.CANCELLED;
      case POLICY_FAILURE -> GrpcStatus.INTERNAL;
    };
  }

  /**
   * Answers a gRPC call with the gateway's {@code failure} as a trailers-only response: HTTP 200,
   * {@code content-type: application/grpc}, {@code grpc-status}, and {@code grpc-message}
   * (percent-encoded: {@code Reason: detail}). Headers already on the response (request id, the
   * policies' edits, {@code Retry-After}) are kept. Called by {@code Problems.send}.
   *
   * @param reason the failure's error reason ({@code BackendConnectionFailure}, ...)
   * @param detail its human-readable detail
   */
  public static Future<Void> sendFailure(
      HttpServerResponse response, String reason, String detail) {
    // the problem's framing headers do not apply to an empty gRPC answer
    response.headers().remove(HttpHeaders.CONTENT_LENGTH).remove(HttpHeaders.CONTENT_TYPE);
    return response
        .setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
        .putHeader(GRPC_STATUS, String.valueOf(statusOf(reason).code()))
        .putHeader(GRPC_MESSAGE, encodeMessage(reason + ": " + detail))
        .end();
  }

  /** Ends a started gRPC response with {@code status} and {@code message} in its trailers. */
  public static Future<Void> endWithStatus(
      HttpServerResponse response, GrpcStatus status, String message) {
    response
        .trailers()
        .set(GRPC_STATUS, String.valueOf(status.code()))
        .set(GRPC_MESSAGE, encodeMessage(message));
    return response.end();
  }

  /**
   * {@code grpc-message}'s percent-encoding of UTF-8 (PROTOCOL-HTTP2.md): printable ASCII but
   * {@code %} passes.
   */
  static String encodeMessage(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }
}
