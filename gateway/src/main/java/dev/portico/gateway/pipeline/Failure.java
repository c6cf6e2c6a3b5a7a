package dev.portico.gateway.pipeline;

import dev.portico.gateway.edge.RequestRefused;
import dev.portico.gateway.policy.PolicyOutcome;
import dev.portico.gateway.problem.ErrorReason;

/**
 * Why the gateway answered instead of the backend: the closed set of error reasons of the error
 * model, each with its HTTP status. The reason names are APIM's and appear verbatim in problem
 * bodies, logs and metrics.
 */
public sealed interface Failure {

  /** Why, in the error model's vocabulary. */
  ErrorReason errorReason();

  /** The reason as it appears in {@code reason} of the problem body and in metric labels. */
  default String reason() {
    return errorReason().label();
  }

  int status();

  String title();

  /** Human-readable detail; never contains secrets, upstream query strings or credentials. */
  String detail();

  /**
   * Connection refused, reset or closed before the response headers, TLS handshake failed, connect
   * timeout.
   */
  record BackendConnectionFailure(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.BACKEND_CONNECTION_FAILURE;
    }

    public int status() {
      return 502;
    }

    public String title() {
      return "Backend connection failure";
    }
  }

  /** No response headers within the backend's response timeout. */
  record Timeout(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.TIMEOUT;
    }

    public int status() {
      return 504;
    }

    public String title() {
      return "Backend timeout";
    }
  }

  /**
   * Nothing can take the request now (no UP instance, breaker open); {@code retryAfterSeconds} &lt;
   * 0 when unknown.
   */
  record BackendUnavailable(String detail, long retryAfterSeconds) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.BACKEND_UNAVAILABLE;
    }

    public int status() {
      return 503;
    }

    public String title() {
      return "Backend unavailable";
    }
  }

  /** No API, or no operation of the matched API, matches the request. */
  record OperationNotFound(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.OPERATION_NOT_FOUND;
    }

    public int status() {
      return 404;
    }

    public String title() {
      return "Operation not found";
    }
  }

  /** The request carries this gateway's own hop marker: forwarding it would loop. */
  record LoopDetected(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.LOOP_DETECTED;
    }

    public int status() {
      return 508;
    }

    public String title() {
      return "Loop detected";
    }
  }

  /**
   * The request itself is malformed or cannot be routed: a framing or syntax violation (RFC 9112),
   * an invalid {@code Host}, a path that climbs above the root, a malformed chunked body.
   */
  record BadRequest(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.BAD_REQUEST;
    }

    public int status() {
      return 400;
    }

    public String title() {
      return "Bad request";
    }
  }

  /**
   * The client was too slow: its request head, or a pause in its body, outlasted the listener's
   * timeouts.
   */
  record RequestTimeout(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.REQUEST_TIMEOUT;
    }

    public int status() {
      return 408;
    }

    public String title() {
      return "Request timeout";
    }
  }

  /**
   * The request line (414) or header fields (431) are larger than the listener accepts, or a body
   * larger than an API's request validation reads (413).
   */
  record RequestTooLarge(int status, String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.REQUEST_TOO_LARGE;
    }

    public String title() {
      return status == 414
          ? "URI too long"
          : status == 413 ? "Content too large" : "Request header fields too large";
    }
  }

  /**
   * The request breaks a rule of its API's OpenAPI document ({@code apis[].openapi.validate}): a
   * path, query or header parameter, or the JSON body. The detail names the rule and the parameter
   * or JSON pointer.
   */
  record RequestValidationFailed(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.REQUEST_VALIDATION_FAILED;
    }

    public int status() {
      return 400;
    }

    public String title() {
      return "Request validation failed";
    }
  }

  /** A transfer coding other than chunked: the gateway does not implement it (RFC 9112 6.1). */
  record NotImplemented(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.NOT_IMPLEMENTED;
    }

    public int status() {
      return 501;
    }

    public String title() {
      return "Not implemented";
    }
  }

  /** The failure that answers a request the edge refused ({@link RequestRefused}). */
  static Failure of(RequestRefused refused) {
    return switch (refused.status()) {
      case 408 -> new RequestTimeout(refused.getMessage());
      case 414, 431 -> new RequestTooLarge(refused.status(), refused.getMessage());
      case 501 -> new NotImplemented(refused.getMessage());
      default -> new BadRequest(refused.getMessage());
    };
  }

  /**
   * A Service Fabric service and key lead to no endpoint, with the resolver's status: 404 unknown
   * service, 400 invalid or out-of-range key or invalid replica selector, 503 no replica of the
   * type asked for or no listener. {@code fabricErrorCode} is Service Fabric's closest error code
   * ({@code FABRIC_E_INVALID_PARTITION_KEY}, ...).
   */
  record PartitionResolutionFailure(int status, String detail, String fabricErrorCode)
      implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.PARTITION_RESOLUTION_FAILURE;
    }

    public String title() {
      return "Partition resolution failure";
    }
  }

  /** The client went away before the exchange completed; logged and counted, never answered. */
  record ClientConnectionFailure(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.CLIENT_CONNECTION_FAILURE;
    }

    public int status() {
      return 499;
    }

    public String title() {
      return "Client connection failure";
    }
  }

  // --- refusals of the policies (docs/policies.md): status, title and detail as the policy gave
  // them
  // (validate-jwt's status is configurable); the policy's own response headers go with them ---

  /**
   * {@code rate-limit-by-key}: over the limit (429, {@code Retry-After}, {@code RateLimit}
   * headers).
   */
  record RateLimited(int status, String title, String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.RATE_LIMITED;
    }
  }

  /** {@code quota-by-key}: the calls or bandwidth of the period are used up (403). */
  record QuotaExceeded(int status, String title, String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.QUOTA_EXCEEDED;
    }
  }

  /** A fleet-wide limit with {@code on-failure: closed} could not ask its store (503). */
  record RateLimiterUnavailable(int status, String title, String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.RATE_LIMITER_UNAVAILABLE;
    }
  }

  /**
   * {@code validate-jwt}: no token, or one that does not validate (401, {@code WWW-Authenticate}).
   */
  record Unauthorized(int status, String title, String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.UNAUTHORIZED;
    }
  }

  /**
   * {@code validate-jwt}: no signing key could ever be loaded, so no token can be checked (503).
   */
  record SigningKeysUnavailable(int status, String title, String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.SIGNING_KEYS_UNAVAILABLE;
    }
  }

  /** {@code ip-filter} forbids the client's address (403). */
  record Forbidden(int status, String title, String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.FORBIDDEN;
    }
  }

  /**
   * A policy failed while deciding (a bug or an unexpected error): the request is not forwarded
   * (500).
   */
  record PolicyFailure(String detail) implements Failure {
    public ErrorReason errorReason() {
      return ErrorReason.POLICY_FAILURE;
    }

    public int status() {
      return 500;
    }

    public String title() {
      return "Policy failure";
    }
  }

  /**
   * The failure of a policy's refusal. A reason outside the documented set is a policy bug: it
   * answers as {@link PolicyFailure} rather than leak an undocumented reason into metrics and
   * clients.
   */
  static Failure of(PolicyOutcome.Reject r) {
    ErrorReason reason = ErrorReason.ofLabel(r.reason());
    if (reason == null) {
      return new PolicyFailure(r.detail());
    }
    return switch (reason) {
      case RATE_LIMITED -> new RateLimited(r.status(), r.title(), r.detail());
      case QUOTA_EXCEEDED -> new QuotaExceeded(r.status(), r.title(), r.detail());
      case RATE_LIMITER_UNAVAILABLE ->
          new RateLimiterUnavailable(r.status(), r.title(), r.detail());
      case UNAUTHORIZED -> new Unauthorized(r.status(), r.title(), r.detail());
      case SIGNING_KEYS_UNAVAILABLE ->
          new SigningKeysUnavailable(r.status(), r.title(), r.detail());
      case FORBIDDEN -> new Forbidden(r.status(), r.title(), r.detail());
      default -> new PolicyFailure(r.detail());
    };
  }
}
