package dev.portico.gateway.backend;

import dev.portico.fabric.resolve.ResolutionFailure;
import dev.portico.gateway.resilience.CircuitBreaker;

/** The outcome of choosing where a request goes. */
public sealed interface Selection {

  /** Send to {@code target}; {@code permit} must be reported back to its breaker. */
  record Chosen(Target target, CircuitBreaker.Permit permit) implements Selection {}

  /**
   * Nothing can take the request now.
   *
   * @param retryAfterNanos when the first breaker lets a probe through; -1 when unknown (no
   *     instances)
   */
  record Unavailable(String detail, long retryAfterNanos) implements Selection {}

  /**
   * A Service Fabric service and key lead to no endpoint (unknown service, bad key, no replica or
   * listener).
   */
  record Unresolved(ResolutionFailure failure) implements Selection {

    /** The resolver's status for the client: 404, 400 or 503. */
    public int status() {
      return failure.httpStatus();
    }

    /** What could not be resolved, for the problem's detail. */
    public String detail() {
      return failure.message();
    }

    /** Service Fabric's closest error code ({@code FABRIC_E_INVALID_PARTITION_KEY}, ...). */
    public String errorCode() {
      return failure.errorCode();
    }
  }
}
