package dev.portico.gateway.target;

import dev.portico.gateway.backend.Backend;
import dev.portico.gateway.backend.Target;
import dev.portico.gateway.backend.TargetSelector;
import dev.portico.gateway.resilience.RetryPolicy;
import dev.portico.gateway.tracing.RequestSpan;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * What a {@link TargetSource} may know of the exchange it serves: fixed when the exchange starts,
 * never the exchange's internals. {@code tried} is a read-only view of the targets tried so far, in
 * order (the exchange adds one per attempt), so a retry can go elsewhere.
 *
 * @param snapshot the routing snapshot the request was matched against: Single and Pool targets
 * @param backend the route's backend
 * @param retry the API's retry policy (with its budget)
 * @param affinityToken the session affinity cookie's value, or {@code null}
 * @param observer told of Service Fabric resolutions
 * @param trace the request's spans, {@code null} when tracing is off
 */
public record AttemptContext(
    Vertx vertx,
    TargetSelector snapshot,
    Backend backend,
    RetryPolicy retry,
    HttpMethod method,
    String affinityToken,
    ResolutionObserver observer,
    RequestSpan trace,
    List<Target> tried) {

  /** Attempts made so far. */
  public int attempts() {
    return tried.size();
  }
}
