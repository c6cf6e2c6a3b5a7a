package dev.portico.gateway.backend;

import dev.portico.gateway.balancing.Balancer;
import dev.portico.gateway.balancing.Candidate;
import dev.portico.gateway.resilience.CircuitBreaker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The endpoints of one Single backend in one snapshot, with their balancer and affinity tokens; and
 * ({@link Pool}) the members of a pool backend. Built off the hot path.
 */
public final class Targets {

  private final SingleBackend backend;
  private final Target[] all;
  private final Balancer<Target> balancer;

  /**
   * Built when an affinity cookie is first seen (most backends never need it); racing threads build
   * equal maps.
   */
  private Map<String, Target> byToken;

  private Targets(SingleBackend backend, Target[] all) {
    this.backend = backend;
    this.all = all;
    int[] priorities = new int[all.length];
    int[] weights = new int[all.length];
    for (int i = 0; i < all.length; i++) {
      priorities[i] = all[i].endpoint().priority();
      weights[i] = all[i].endpoint().weight();
    }
    this.balancer = new Balancer<>(all, priorities, weights, backend.loadBalancing().strategy());
  }

  /** The target whose affinity token is {@code token}, or {@code null}. */
  Target byToken(String token) {
    Map<String, Target> m = byToken;
    if (m == null) {
      Map<String, Target> tokens = new HashMap<>();
      for (Target t : all) {
        tokens.put(t.token(), t);
      }
      m = Map.copyOf(tokens);
      byToken = m;
    }
    return m.get(token);
  }

  /**
   * @param countsInFlight whether a least-requests balancer reads the requests in flight on these
   *     targets ({@link Target#countsInFlight()})
   */
  public static Targets of(
      SingleBackend backend, Endpoint[] endpoints, BackendStates states, boolean countsInFlight) {
    Target[] all = new Target[endpoints.length];
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < endpoints.length; i++) {
      Endpoint e = endpoints[i];
      keys.add(e.key());
      all[i] =
          new Target(
              backend.upstream(),
              e,
              states.state(backend.upstream(), e.key()),
              null,
              countsInFlight);
    }
    states.retainOnly(backend.id(), keys);
    return new Targets(backend, all);
  }

  public static Pool pool(PoolBackend pool, Function<SingleBackend, Targets> targets) {
    SingleBackend[] members = pool.members();
    Member[] ms = new Member[members.length];
    for (int i = 0; i < members.length; i++) {
      ms[i] = new Member(members[i], targets.apply(members[i]));
    }
    return new Pool(pool, ms);
  }

  /** The backend these are the targets of. */
  public SingleBackend backend() {
    return backend;
  }

  public Target[] all() {
    return all;
  }

  public boolean anyAvailable(long now) {
    for (Target t : all) {
      if (t.available(now)) {
        return true;
      }
    }
    return false;
  }

  int inFlight() {
    int n = 0;
    for (Target t : all) {
      n += t.inFlight();
    }
    return n;
  }

  public Selection select(long now, List<Target> tried, String affinityToken) {
    if (affinityToken != null) {
      Target sticky = byToken(affinityToken);
      // a retry must not go back to the sticky endpoint that just failed
      if (sticky != null && (tried == null || !tried.contains(sticky))) {
        CircuitBreaker.Permit p =
            sticky.available(now)
                ? sticky.state().breaker().tryAcquire(now)
                : CircuitBreaker.Permit.DENIED;
        if (p != CircuitBreaker.Permit.DENIED) {
          return new Selection.Chosen(sticky, p);
        }
      }
    }
    List<Target> skip = tried;
    for (int i = 0; i <= all.length; i++) {
      Target t = balancer.pick(now, skip);
      if (t == null) {
        break;
      }
      CircuitBreaker.Permit p = t.state().breaker().tryAcquire(now);
      if (p != CircuitBreaker.Permit.DENIED) {
        return new Selection.Chosen(t, p);
      }
      // lost a race for the last probe slot: look elsewhere
      skip = new ArrayList<>(skip == null ? List.of() : skip);
      skip.add(t);
    }
    return unavailable(now);
  }

  Selection.Unavailable unavailable(long now) {
    if (all.length == 0) {
      return new Selection.Unavailable(
          backend.service() != null
              ? "no UP instance of service '" + backend.service() + "' in the registry"
              : "backend '" + backend.id() + "' has no endpoint",
          -1);
    }
    return new Selection.Unavailable(
        (all.length == 1
                ? "backend '" + backend.id() + "' (" + all[0].endpoint().key() + ") is"
                : "every endpoint of backend '" + backend.id() + "' is")
            + " tripped (circuit breaker open)",
        remainingOpen(now));
  }

  long remainingOpen(long now) {
    long min = Long.MAX_VALUE;
    for (Target t : all) {
      min = Math.min(min, t.state().breaker().remainingOpenNanos(now));
    }
    return all.length == 0 ? -1 : min;
  }

  /** A pool member in one snapshot: available when any of its endpoints is. */
  record Member(SingleBackend backend, Targets targets) implements Candidate {
    @Override
    public boolean available(long now) {
      return targets.anyAvailable(now);
    }

    @Override
    public int inFlight() {
      return targets.inFlight();
    }
  }

  /** The members of a pool backend in one snapshot, with the pool's balancer. */
  public static final class Pool {
    private final PoolBackend pool;
    private final Member[] members;
    private final Balancer<Member> balancer;

    /** Built when an affinity cookie is first seen; racing threads build equal maps. */
    private Map<String, Member> memberByToken;

    Pool(PoolBackend pool, Member[] members) {
      this.pool = pool;
      this.members = members;
      this.balancer =
          new Balancer<>(
              members, pool.priorities(), pool.weights(), pool.loadBalancing().strategy());
    }

    private Member memberByToken(String token) {
      Map<String, Member> byToken = memberByToken;
      if (byToken == null) {
        Map<String, Member> tokens = new HashMap<>();
        for (Member m : members) {
          for (Target t : m.targets().all()) {
            tokens.put(t.token(), m);
          }
        }
        byToken = Map.copyOf(tokens);
        memberByToken = byToken;
      }
      return byToken.get(token);
    }

    public Selection select(long now, List<Target> tried, String affinityToken) {
      if (affinityToken != null) {
        Member m = memberByToken(affinityToken);
        if (m != null) {
          Selection s = m.targets().select(now, tried, affinityToken);
          if (s instanceof Selection.Chosen) {
            return s;
          }
        }
      }
      List<Member> triedMembers = null;
      if (tried != null && !tried.isEmpty()) {
        triedMembers = new ArrayList<>();
        for (Member m : members) {
          for (Target t : tried) {
            if (t.upstream() == m.backend().upstream()) {
              triedMembers.add(m);
              break;
            }
          }
        }
      }
      List<Member> skip = triedMembers;
      for (int i = 0; i <= members.length; i++) {
        Member m = balancer.pick(now, skip);
        if (m == null) {
          break;
        }
        Selection s = m.targets().select(now, tried, null);
        if (s instanceof Selection.Chosen) {
          return s;
        }
        skip = new ArrayList<>(skip == null ? List.of() : skip);
        skip.add(m);
      }
      long retry = Long.MAX_VALUE;
      for (Member m : members) {
        long r = m.targets().remainingOpen(now);
        if (r >= 0) {
          retry = Math.min(retry, r);
        }
      }
      return new Selection.Unavailable(
          "no member of pool '"
              + pool.id()
              + "' can take the request (every member tripped or without UP instances)",
          retry == Long.MAX_VALUE ? -1 : retry);
    }
  }
}
