package dev.portico.gateway.policy;

import io.vertx.core.Future;

/**
 * A compiled policy: immutable, thread-safe (every event loop calls it), built once per
 * configuration by {@link PolicyCompiler}. Its mutable state (rate-limit buckets, JWKS keys) lives
 * in thread-safe structures owned by the {@link PolicyEnvironment}.
 */
public interface Policy {

  /** The policy's name as configured ({@code rate-limit-by-key}, {@code validate-jwt}, ...). */
  String name();

  /** Where it was configured ({@code apis[0].policies[2]}), for logs and metrics. */
  String location();

  /**
   * Decides for one request. Synchronous policies return an already-completed future (most of them
   * {@link PolicyOutcome#CONTINUE_NOW}); only the Redis store and a JWKS fetch complete later. The
   * future never fails: trouble is an outcome ({@link PolicyOutcome.Reject}).
   */
  Future<PolicyOutcome> apply(PolicyRequest request);

  /** Whether {@link #completed} must be called for requests this policy let through. */
  default boolean needsCompletion() {
    return false;
  }

  /**
   * Called once when a request this policy answered {@link PolicyOutcome.Continue} to has ended
   * (whatever later stages did), for counting after the fact. Must not block.
   */
  default void completed(PolicyRequest request, Completion completion) {}
}
