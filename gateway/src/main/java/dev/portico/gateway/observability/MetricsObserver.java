package dev.portico.gateway.observability;

import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.protocol.websocket.WebSocketListener;
import dev.portico.metrics.FabricResolution;
import dev.portico.metrics.PorticoMetrics;
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

  @Override
  public void attempt(String backendId, String endpoint, long nanos, int status, String reason) {
    metrics.upstreamAttempt(backendId, status, reason, nanos);
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
