package dev.portico.gateway.resilience;

/** The states of a circuit breaker. */
public enum BreakerState {
  /** Requests pass; failures are counted by the rules. */
  CLOSED,
  /** Requests are refused until the open time ends. */
  OPEN,
  /** The open time ended: a bounded number of probe requests pass; a success closes, a failure re-opens. */
  HALF_OPEN
}
