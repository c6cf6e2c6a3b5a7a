package dev.portico.gateway.config;

import java.util.List;

/**
 * A {@code Pool} backend: up to 30 members, each a {@code Single} backend, with a priority (lower
 * is preferred) and a relative weight. A lower-priority group takes traffic only when every member
 * of the higher groups is unavailable.
 */
public record PoolBackendConfig(
    String id, String title, List<Member> members, LoadBalancingConfig loadBalancing)
    implements BackendConfig {

  public PoolBackendConfig {
    members = List.copyOf(members);
  }

  /** A pool member: the id of a Single backend, its priority (0-100) and weight (0-100). */
  public record Member(String id, int priority, int weight) {}
}
