package dev.portico.gateway.problem;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The closed set of error reasons of the error model (docs/errors.md): why the gateway answered
 * instead of the backend, or why an exchange broke off. The {@link #label() label} is APIM's name
 * and appears verbatim in problem bodies ({@code reason}, the end of {@code type}), metric labels,
 * the access log, span attributes and breaker rules; {@link #toString()} is the label, so string
 * concatenations read as they always did.
 */
public enum ErrorReason {
  BACKEND_CONNECTION_FAILURE("BackendConnectionFailure"),
  TIMEOUT("Timeout"),
  BACKEND_UNAVAILABLE("BackendUnavailable"),
  PARTITION_RESOLUTION_FAILURE("PartitionResolutionFailure"),
  OPERATION_NOT_FOUND("OperationNotFound"),
  LOOP_DETECTED("LoopDetected"),
  BAD_REQUEST("BadRequest"),
  REQUEST_TIMEOUT("RequestTimeout"),
  REQUEST_VALIDATION_FAILED("RequestValidationFailed"),
  REQUEST_TOO_LARGE("RequestTooLarge"),
  NOT_IMPLEMENTED("NotImplemented"),
  RATE_LIMITED("RateLimited"),
  QUOTA_EXCEEDED("QuotaExceeded"),
  RATE_LIMITER_UNAVAILABLE("RateLimiterUnavailable"),
  UNAUTHORIZED("Unauthorized"),
  SIGNING_KEYS_UNAVAILABLE("SigningKeysUnavailable"),
  FORBIDDEN("Forbidden"),
  POLICY_FAILURE("PolicyFailure"),
  CLIENT_CONNECTION_FAILURE("ClientConnectionFailure");

  private static final Map<String, ErrorReason> BY_LABEL = new HashMap<>();

  static {
    for (ErrorReason r : values()) {
      BY_LABEL.put(r.label, r);
    }
  }

  private final String label;
  private final String typeUri;

  ErrorReason(String label) {
    this.label = label;
    this.typeUri = ProblemWriter.TYPE_BASE + kebab(label);
  }

  /** The reason as the error model spells it ({@code BackendConnectionFailure}). */
  public String label() {
    return label;
  }

  /**
   * The problem document's {@code type}: {@code
   * https://portico.dev/problems/backend-connection-failure}.
   */
  public String typeUri() {
    return typeUri;
  }

  /** The reason labelled {@code label}, or {@code null} when it is none of the error model's. */
  public static ErrorReason ofLabel(String label) {
    return label == null ? null : BY_LABEL.get(label);
  }

  @Override
  public String toString() {
    return label;
  }

  private static String kebab(String reason) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        sb.append('-');
      }
      sb.append(Character.toLowerCase(c));
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }
}
