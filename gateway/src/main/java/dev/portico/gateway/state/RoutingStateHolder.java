package dev.portico.gateway.state;

import dev.portico.discovery.RegistrySnapshot;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The current {@link RoutingState}, shared by every routing verticle; reads are one volatile load.
 */
public final class RoutingStateHolder {

  private final AtomicReference<RoutingState> current;

  public RoutingStateHolder(RoutingState initial) {
    this.current = new AtomicReference<>(initial);
  }

  public RoutingState current() {
    return current.get();
  }

  /** Rebuilds the state over a newer registry snapshot and publishes it. */
  public void registryChanged(RegistrySnapshot snapshot) {
    update(s -> s.registry().version() >= snapshot.version() ? s : s.withRegistry(snapshot));
  }

  public void update(UnaryOperator<RoutingState> change) {
    current.updateAndGet(change);
  }
}
