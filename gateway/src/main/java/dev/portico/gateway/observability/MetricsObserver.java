package dev.portico.gateway.observability;

import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.protocol.websocket.WebSocketListener;
import dev.portico.gateway.routing.Route;
import dev.portico.metrics.FabricResolution;
import dev.portico.metrics.PorticoMetrics;
import dev.portico.metrics.RouteMeters;
import dev.portico.metrics.WebSocketMeters;

/**
 * Records every exchange into the Portico meters; the label folding and meter caching live in
 * {@link PorticoMetrics}.
 */
final class MetricsObserver implements ExchangeObserver {

  private final PorticoMetrics metrics;

  MetricsObserver(PorticoMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void started(String apiId) {
    metrics.requestStarted(apiId);
  }

  /** The route's meters are resolved at its first request and kept in its slot. */
  @Override
  public void started(Route route) {
    meters(route).started();
  }

  @Override
  public void attempt(String backendId, String endpoint, long nanos, int status, String reason) {
    metrics.upstreamAttempt(backendId, status, reason, nanos);
  }

  /** Through the route's meters: its backend's upstream histograms are at hand. */
  @Override
  public void attempt(
      Route route, String backendId, String endpoint, long nanos, int status, String reason) {
    if (route == null) {
      attempt(backendId, endpoint, nanos, status, reason);
      return;
    }
    meters(route).attempt(backendId, status, reason, nanos);
  }

  @Override
  public void retried(String apiId, String backendId, String reason) {
    metrics.retried(apiId, backendId, reason);
  }

  @Override
  public void fabricResolution(String service, FabricResolution result, long nanos) {
    metrics.recordFabricResolution(service, result, nanos);
  }

  @Override
  public WebSocketListener webSocketOpened(String apiId) {
    WebSocketMeters meters = metrics.webSocket(apiId);
    meters.opened();
    return new WebSocketListener() {
      @Override
      public void relayed(boolean upstream, int frames, int bytes) {
        meters.relayed(upstream, frames, bytes);
      }

      @Override
      public void closed(long nanos) {
        meters.closed(nanos);
      }
    };
  }

  @Override
  public void completed(Completion c, Route route) {
    RouteMeters m = meters(route);
    if (m == null || !route.apiId().equals(c.apiId())) {
      completed(c);
      return;
    }
    m.completed(c.method() == null ? null : c.method().name(), c.status(), c.reason(), c.nanos());
  }

  /**
   * The route's meters: this registry's, for the route's API and backend. A slot holding another
   * registry's (a route shared by two gateways in one JVM) is not overwritten: those go by id.
   */
  private RouteMeters meters(Route route) {
    Object kept = route.observerSlot().get();
    if (kept instanceof RouteMeters m) {
      return m.of(metrics) ? m : metrics.routeMeters(route.apiId(), backendId(route));
    }
    RouteMeters m = metrics.routeMeters(route.apiId(), backendId(route));
    route.observerSlot().set(m);
    return m;
  }

  private static String backendId(Route route) {
    return route.backend() == null ? null : route.backend().id();
  }

  @Override
  public void completed(Completion c) {
    metrics.requestCompleted(
        c.apiId(),
        c.backendId(),
        c.method() == null ? null : c.method().name(),
        c.status(),
        c.reason(),
        c.nanos());
  }
}
