package dev.portico.gateway.backend;

import dev.portico.fabric.resolve.ResolutionFailure;
import dev.portico.gateway.resilience.CircuitBreaker;

/** The outcome of choosing where a request goes. */
public sealed interface Selection {

  /** Send to {@code target}; {@code permit} must be reported back to its breaker. */
  record Chosen(Target target, CircuitBreaker.Permit permit) implements Selection {
  }

  /**
   * Nothing can take the request now.
   *
   * @param retryAfterNanos when the first breaker lets a probe through; -1 when unknown (no instances)
   */
  record Unavailable(String detail, long retryAfterNanos) implements Selection {
  }

  /** A Service Fabric service and key lead to no endpoint (unknown service, bad key, no replica or listener). */
  record Unresolved(ResolutionFailure failure) implements Selection {
  }
}
