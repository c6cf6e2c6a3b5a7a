package dev.portico.gateway.backend;

import java.util.List;

/** Chooses targets of Single and Pool backends from a routing snapshot (which implements it). */
public interface TargetSelector {

  /**
   * A pool member by priority and weight, then an endpoint of it, skipping tripped endpoints and,
   * when possible, those this request already tried. The chosen endpoint's breaker has granted a
   * permit.
   *
   * @param tried targets already tried by this request (retries go elsewhere when they can)
   * @param affinityToken the session affinity cookie's value, or {@code null}
   */
  Selection select(Backend backend, long now, List<Target> tried, String affinityToken);
}
