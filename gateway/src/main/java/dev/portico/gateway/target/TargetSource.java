package dev.portico.gateway.target;

import dev.portico.gateway.backend.Selection;
import dev.portico.gateway.backend.Target;
import dev.portico.gateway.tracing.FabricPlace;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

/**
 * Where the attempts of one exchange ({@code pipeline.Exchange}) go, and when it tries again: the
 * exchange forwards, streams, reports outcomes to breakers and observers, and never resends a body
 * it cannot resend whole; the source decides targets and retries.
 *
 * <ul>
 *   <li>{@link SnapshotSource}: Single and Pool backends. Targets come synchronously from the
 *       immutable routing snapshot; retries follow the API's retry policy, on another member or
 *       instance. Stateless and shared: a request costs it no allocation.
 *   <li>{@code fabric.FabricSource}: Service Fabric backends and the reverse-proxy listener. The
 *       first target is resolved synchronously from the resolver's immutable index; a complaint
 *       (connection failure, timeout, a status its policy names) re-resolves asynchronously and
 *       resends, after Service Fabric's back-off unless the partition has moved.
 * </ul>
 *
 * Every method is called on the exchange's event loop; futures may complete elsewhere, the exchange
 * brings their results back to its loop. A source sees the exchange through its {@link
 * AttemptContext} only (fixed values and the targets tried so far), never its internals.
 */
public interface TargetSource {

  /** The request was accepted (before any attempt). */
  default void started(AttemptContext x, long nowNanos) {}

  /**
   * Whether a body of {@code contentLength} bytes (-1 unknown) is read whole first, so a resend can
   * send it again.
   */
  boolean buffers(AttemptContext x, HttpMethod method, long contentLength);

  /** Where the first attempt goes: synchronous, from in-memory snapshots, no I/O. */
  Selection first(AttemptContext x, long nowNanos);

  /**
   * Whether an attempt's outcome may lead to another attempt: cheap, synchronous, no side effects
   * (called on every outcome).
   *
   * @param status the response status, or 0 when the attempt failed without one
   * @param reason the failure's reason when {@code status} is 0
   * @param headers the response headers, {@code null} when there is no response
   */
  boolean complains(AttemptContext x, int status, String reason, MultiMap headers);

  /**
   * Decides whether to try again after a complaint (budgets, re-resolution). A response stays
   * paused until this completes: {@code false} sends it to the client as it is.
   */
  Future<Boolean> reconsider(AttemptContext x, int status, String reason);

  /** The next attempt's target, once any back-off has passed. Never fails. */
  Future<Selection> next(AttemptContext x);

  /**
   * The exchange ended while a decision was pending: give back anything held for the next attempt
   * (breaker permits).
   */
  default void abandon() {}

  /**
   * Where in a Service Fabric cluster {@code target} is, for its attempt's span; {@code null} for
   * other backends.
   */
  default FabricPlace place(Target target) {
    return null;
  }

  /** A bound on the whole exchange, in milliseconds, after which it answers 504; 0 for none. */
  default long deadlineMillis() {
    return 0;
  }
}
