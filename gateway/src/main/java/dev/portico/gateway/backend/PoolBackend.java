package dev.portico.gateway.backend;

import dev.portico.gateway.config.LoadBalancingConfig;
import dev.portico.gateway.config.PoolBackendConfig;
import java.util.List;
import java.util.Map;

/**
 * A {@code Pool} backend: Single members with priorities and weights. Which member takes a request
 * is decided per snapshot by a balancer over the members that can take it now.
 */
public final class PoolBackend implements Backend {

  private final String id;
  private final SingleBackend[] members;
  private final int[] priorities;
  private final int[] weights;
  private final LoadBalancingConfig loadBalancing;

  PoolBackend(PoolBackendConfig config, Map<String, SingleBackend> singles) {
    this.id = config.id();
    List<PoolBackendConfig.Member> ms = config.members();
    this.members = new SingleBackend[ms.size()];
    this.priorities = new int[ms.size()];
    this.weights = new int[ms.size()];
    for (int i = 0; i < ms.size(); i++) {
      SingleBackend b = singles.get(ms.get(i).id());
      if (b == null) {
        throw new IllegalArgumentException(
            "pool " + id + ": member " + ms.get(i).id() + " is not a Single backend");
      }
      members[i] = b;
      priorities[i] = ms.get(i).priority();
      weights[i] = ms.get(i).weight();
    }
    this.loadBalancing = config.loadBalancing();
  }

  @Override
  public String id() {
    return id;
  }

  public SingleBackend[] members() {
    return members;
  }

  int[] priorities() {
    return priorities;
  }

  int[] weights() {
    return weights;
  }

  public LoadBalancingConfig loadBalancing() {
    return loadBalancing;
  }

  @Override
  public String affinityCookie() {
    return loadBalancing.affinityCookie();
  }

  @Override
  public String toString() {
    return "PoolBackend[" + id + ", " + members.length + " members]";
  }
}
