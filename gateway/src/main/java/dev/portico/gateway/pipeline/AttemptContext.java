package dev.portico.gateway.pipeline;

import dev.portico.gateway.backend.Target;
import dev.portico.gateway.routing.Route;
import dev.portico.gateway.state.RoutingState;
import dev.portico.gateway.tracing.RequestSpan;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

import java.util.List;

/**
 * What a {@link TargetSource} may know of the exchange it serves: fixed when the exchange starts,
 * never the exchange's internals. {@code tried} is a read-only view of the targets tried so far,
 * in order (the exchange adds one per attempt), so a retry can go elsewhere.
 *
 * @param state         the routing snapshot the request was matched against (Single and Pool targets)
 * @param affinityToken the session affinity cookie's value, or {@code null}
 * @param trace         the request's spans, {@code null} when tracing is off
 */
public record AttemptContext(Vertx vertx, RoutingState state, Route route, HttpMethod method, String affinityToken,
                             ExchangeObserver observer, RequestSpan trace, List<Target> tried) {

  /** Attempts made so far. */
  public int attempts() {
    return tried.size();
  }
}
