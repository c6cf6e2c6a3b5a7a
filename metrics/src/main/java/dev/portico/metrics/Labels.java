package dev.portico.metrics;

import java.util.List;

/**
 * The closed value sets of the request labels, and the mapping of raw values onto them. Every label
 * value a request can produce is one of these, so the number of series is bounded by the
 * configuration (API and backend ids), never by traffic.
 */
public final class Labels {

  /** Value of {@code backend}, {@code status_class} and {@code reason} when there is none. */
  public static final String NONE = "none";

  /** {@code method} of any non-standard HTTP method. */
  public static final String OTHER_METHOD = "OTHER";

  /** {@code reason} of an error reason outside the known set (a newer build's reason, say). */
  public static final String OTHER_REASON = "other";

  static final String[] METHODS = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", OTHER_METHOD
  };
  static final String[] STATUS_CLASSES = {NONE, "1xx", "2xx", "3xx", "4xx", "5xx"};
  static final String[] REASONS = {
    NONE,
    "BackendConnectionFailure",
    "Timeout",
    "BackendUnavailable",
    "OperationNotFound",
    "LoopDetected",
    "BadRequest",
    "ClientConnectionFailure",
    "PartitionResolutionFailure",
    "RequestTimeout",
    "RequestTooLarge",
    "NotImplemented",
    // the policies' refusals (docs/policies.md)
    "RateLimited",
    "QuotaExceeded",
    "RateLimiterUnavailable",
    "Unauthorized",
    "SigningKeysUnavailable",
    "Forbidden",
    "PolicyFailure",
    OTHER_REASON
  };

  public static final List<String> METHOD_VALUES = List.of(METHODS);
  public static final List<String> STATUS_CLASS_VALUES = List.of(STATUS_CLASSES);
  public static final List<String> REASON_VALUES = List.of(REASONS);

  private Labels() {}

  /**
   * Index of {@code method} in {@link #METHOD_VALUES}; a switch, so no map lookup and no
   * allocation.
   */
  public static int methodIndex(String method) {
    if (method == null) {
      return METHODS.length - 1;
    }
    switch (method) {
      case "GET":
        return 0;
      case "HEAD":
        return 1;
      case "POST":
        return 2;
      case "PUT":
        return 3;
      case "DELETE":
        return 4;
      case "PATCH":
        return 5;
      case "OPTIONS":
        return 6;
      case "TRACE":
        return 7;
      case "CONNECT":
        return 8;
      default:
        return 9;
    }
  }

  /**
   * Index of the class of {@code status} in {@link #STATUS_CLASS_VALUES}: 0 ({@code none}) when no
   * valid status was sent.
   */
  public static int statusClassIndex(int status) {
    return status >= 100 && status <= 599 ? status / 100 : 0;
  }

  /**
   * Index of {@code reason} in {@link #REASON_VALUES}: 0 for {@code null}, the last ({@code other})
   * when unknown.
   */
  public static int reasonIndex(String reason) {
    if (reason == null) {
      return 0;
    }
    switch (reason) {
      case "BackendConnectionFailure":
        return 1;
      case "Timeout":
        return 2;
      case "BackendUnavailable":
        return 3;
      case "OperationNotFound":
        return 4;
      case "LoopDetected":
        return 5;
      case "BadRequest":
        return 6;
      case "ClientConnectionFailure":
        return 7;
      case "PartitionResolutionFailure":
        return 8;
      case "RequestTimeout":
        return 9;
      case "RequestTooLarge":
        return 10;
      case "NotImplemented":
        return 11;
      case "RateLimited":
        return 12;
      case "QuotaExceeded":
        return 13;
      case "RateLimiterUnavailable":
        return 14;
      case "Unauthorized":
        return 15;
      case "SigningKeysUnavailable":
        return 16;
      case "Forbidden":
        return 17;
      case "PolicyFailure":
        return 18;
      default:
        return REASONS.length - 1;
    }
  }

  public static String method(String method) {
    return METHODS[methodIndex(method)];
  }

  public static String statusClass(int status) {
    return STATUS_CLASSES[statusClassIndex(status)];
  }

  public static String reason(String reason) {
    return REASONS[reasonIndex(reason)];
  }

  /**
   * The {@code reason} of a retry: an error reason of the set, or {@code status:NNN} (a retried
   * response status, 100-599), else {@code other}.
   */
  public static String retryReason(String reason) {
    if (reason != null && reason.length() == 10 && reason.startsWith("status:")) {
      int code = 0;
      for (int i = 7; i < 10; i++) {
        char c = reason.charAt(i);
        if (c < '0' || c > '9') {
          return OTHER_REASON;
        }
        code = code * 10 + (c - '0');
      }
      return code >= 100 && code <= 599 ? reason : OTHER_REASON;
    }
    return reason(reason);
  }

  /** {@code backend} label value: the id, or {@code none}. */
  public static String backend(String backendId) {
    return backendId == null || backendId.isEmpty() ? NONE : backendId;
  }
}
