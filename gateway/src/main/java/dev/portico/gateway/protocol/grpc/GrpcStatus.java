package dev.portico.gateway.protocol.grpc;

/**
 * The gRPC status codes (grpc/doc/statuscodes.md), by their number: config names them, {@code
 * grpc-status} carries the number.
 */
public enum GrpcStatus {
  OK,
  CANCELLED,
  UNKNOWN,
  INVALID_ARGUMENT,
  DEADLINE_EXCEEDED,
  NOT_FOUND,
  ALREADY_EXISTS,
  PERMISSION_DENIED,
  RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION,
  ABORTED,
  OUT_OF_RANGE,
  UNIMPLEMENTED,
  INTERNAL,
  UNAVAILABLE,
  DATA_LOSS,
  UNAUTHENTICATED;

  private static final GrpcStatus[] BY_CODE = values();

  public int code() {
    return ordinal();
  }

  /**
   * The status a {@code grpc-status} value names, or {@code null} when it is missing or not a known
   * code.
   */
  public static GrpcStatus of(String value) {
    if (value == null) {
      return null;
    }
    try {
      int code = Integer.parseInt(value.trim());
      return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
