package dev.portico.gateway.policy;

/**
 * Hooks for metrics and logs (the request path wires Micrometer). Called on event-loop threads:
 * implementations must be cheap and must not block. Every method has an empty default.
 */
public interface PolicyEvents {

  PolicyEvents NONE = new PolicyEvents() {};

  /** How a rate limit or quota decided one request. */
  enum LimitDecision {
    /** Counted and let through. */
    ALLOWED,
    /** Over the limit: refused. */
    LIMITED,
    /**
     * The shared store did not answer in time or failed; let through ({@code on-store-failure:
     * open}).
     */
    STORE_FAILED_OPEN,
    /**
     * The shared store did not answer in time or failed; refused ({@code on-store-failure:
     * closed}).
     */
    STORE_FAILED_CLOSED,
    /**
     * The shared store did not answer in time or failed; decided by this gateway's own bucket
     * ({@code on-store-failure: local}).
     */
    STORE_FAILED_LOCAL
  }

  /** Why the shared store gave no answer. */
  enum StoreFailure {
    /** No answer within {@code store-timeout}. */
    TIMEOUT,
    /** The call failed (connection refused or lost, script error). */
    ERROR,
    /**
     * Not asked: the store failed recently and is left alone until {@code store-retry-after} has
     * passed.
     */
    SKIPPED
  }

  /**
   * One decision of {@code rate-limit-by-key} or {@code quota-by-key}.
   *
   * @param policy {@code rate-limit-by-key} or {@code quota-by-key}
   * @param location where the policy is configured
   * @param store {@code local} or {@code redis}
   */
  default void limitDecision(
      String policy, String location, String store, LimitDecision decision) {}

  /** The shared store failed to answer one call (the decision is reported separately). */
  default void storeFailure(String location, StoreFailure failure) {}

  /**
   * A JWKS (or OpenID configuration) fetch ended.
   *
   * @param keys number of usable signing keys when it succeeded, else -1
   * @param why {@code startup}, {@code schedule} or {@code unknown-kid}
   */
  default void jwksFetch(String url, String why, boolean succeeded, int keys) {}

  /**
   * validate-jwt refused a token.
   *
   * @param error short machine name: {@code missing}, {@code malformed}, {@code too-large}, {@code
   *     signature}, {@code unknown-kid}, {@code expired}, {@code not-yet-valid}, {@code issuer},
   *     {@code audience}, {@code claims}, {@code no-keys}
   */
  default void tokenRejected(String location, String error) {}
}
