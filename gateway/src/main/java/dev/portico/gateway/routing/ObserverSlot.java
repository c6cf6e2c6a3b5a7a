package dev.portico.gateway.routing;

/**
 * What an exchange observer keeps with a {@link Route}: whatever it resolved for the route the
 * first time (the metrics observer: the route's meters), so later requests of the route do not look
 * it up again. One slot per route, made with it; a reload makes new routes, hence empty slots.
 *
 * <p>Read and written from every event loop without synchronisation: a race only resolves the same
 * thing twice, and what is stored must be safe to publish that way (final fields only).
 */
public final class ObserverSlot {

  private Object value;

  /** What was stored, or {@code null}. */
  public Object get() {
    return value;
  }

  public void set(Object value) {
    this.value = value;
  }
}
