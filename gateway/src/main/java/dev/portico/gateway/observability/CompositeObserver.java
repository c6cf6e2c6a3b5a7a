package dev.portico.gateway.observability;

import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.protocol.websocket.WebSocketListener;
import dev.portico.gateway.routing.Route;
import dev.portico.metrics.FabricResolution;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells several observers about each exchange, in order. One observer failing must neither break
 * the request (observers are called from the proxy's callbacks) nor starve the others, so each call
 * is isolated; the first failure of each observer is logged.
 */
public final class CompositeObserver implements ExchangeObserver {

  private static final Logger log = LoggerFactory.getLogger(CompositeObserver.class);

  private final ExchangeObserver[] observers;
  private final boolean[] reported;

  private CompositeObserver(List<ExchangeObserver> observers) {
    this.observers = observers.toArray(new ExchangeObserver[0]);
    this.reported = new boolean[this.observers.length];
  }

  /**
   * The observers other than {@link ExchangeObserver#NONE}, combined; a single one is returned as
   * is.
   */
  public static ExchangeObserver of(ExchangeObserver... observers) {
    List<ExchangeObserver> list = new ArrayList<>();
    for (ExchangeObserver o : observers) {
      if (o != null && o != ExchangeObserver.NONE) {
        list.add(o);
      }
    }
    if (list.isEmpty()) {
      return ExchangeObserver.NONE;
    }
    return list.size() == 1 ? list.get(0) : new CompositeObserver(list);
  }

  @Override
  public void started(String apiId) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].started(apiId);
      } catch (RuntimeException e) {
        failed(i, e);
      }
    }
  }

  @Override
  public void started(Route route) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].started(route);
      } catch (RuntimeException e) {
        failed(i, e);
      }
    }
  }

  @Override
  public void attempt(String backendId, String endpoint, long nanos, int status, String reason) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].attempt(backendId, endpoint, nanos, status, reason);
      } catch (RuntimeException e) {
        failed(i, e);
      }
    }
  }

  @Override
  public void attempt(
      Route route, String backendId, String endpoint, long nanos, int status, String reason) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].attempt(route, backendId, endpoint, nanos, status, reason);
      } catch (RuntimeException e) {
        failed(i, e);
      }
    }
  }

  @Override
  public void retried(String apiId, String backendId, String reason) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].retried(apiId, backendId, reason);
      } catch (RuntimeException e) {
        failed(i, e);
      }
    }
  }

  @Override
  public void fabricResolution(String service, FabricResolution result, long nanos) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].fabricResolution(service, result, nanos);
      } catch (RuntimeException e) {
        failed(i, e);
      }
    }
  }

  @Override
  public void completed(Completion c) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].completed(c);
      } catch (RuntimeException e) {
        failed(i, e);
      }
    }
  }

  @Override
  public void completed(Completion c, Route route) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].completed(c, route);
      } catch (RuntimeException e) {
        failed(i, e);
      }
    }
  }

  @Override
  public WebSocketListener webSocketOpened(String apiId) {
    List<WebSocketListener> listeners = new ArrayList<>(observers.length);
    for (int i = 0; i < observers.length; i++) {
      try {
        WebSocketListener l = observers[i].webSocketOpened(apiId);
        if (l != null && l != WebSocketListener.NONE) {
          listeners.add(l);
        }
      } catch (RuntimeException e) {
        failed(i, e);
      }
    }
    if (listeners.size() <= 1) {
      return listeners.isEmpty() ? WebSocketListener.NONE : listeners.get(0);
    }
    return new WebSocketListener() {
      @Override
      public void relayed(boolean upstream, int frames, int bytes) {
        listeners.forEach(l -> l.relayed(upstream, frames, bytes));
      }

      @Override
      public void closed(long nanos) {
        listeners.forEach(l -> l.closed(nanos));
      }
    };
  }

  private void failed(int i, RuntimeException e) {
    // a benign race: at worst the failure is logged once per event loop
    if (!reported[i]) {
      reported[i] = true;
      log.warn(
          "exchange observer {} failed (further failures of it are not logged)",
          observers[i].getClass().getName(),
          e);
    }
  }
}
