package dev.portico.gateway.fabric;

import dev.portico.fabric.ListenerChoice;
import dev.portico.fabric.ListenerSelection;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.resolve.ReplicaSelector;
import dev.portico.fabric.resolve.ResolutionFailure;
import dev.portico.fabric.resolve.ResolvedPartition;
import dev.portico.fabric.resolve.ResolvedReplica;
import dev.portico.fabric.resolve.TargetResolution;
import dev.portico.gateway.backend.Selection;
import dev.portico.gateway.backend.Target;
import dev.portico.gateway.backend.Upstream;
import dev.portico.gateway.resilience.CircuitBreaker;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the replica and listener a request goes to within a resolved partition, with the same
 * rules as {@link ResolvedPartition#target} (replica type, listener name under the reverse proxy's
 * rules: http(s) listeners only, names without case) plus what the gateway adds: each listener
 * endpoint's circuit breaker must grant a permit, and a resend prefers a replica this request has
 * not tried yet.
 */
public final class FabricPicker {

  private FabricPicker() {}

  /**
   * @param tried targets this request already tried (a resend goes elsewhere when it can)
   * @return a target with a permit; {@link Selection.Unavailable} when every eligible endpoint is
   *     tripped; {@link Selection.Unresolved} when no replica of the kind (or no listener) exists
   */
  public static Selection pick(
      FabricRuntime fabric,
      Upstream upstream,
      ResolvedPartition partition,
      ReplicaSelector selector,
      Optional<String> listener,
      long now,
      List<Target> tried) {
    ReplicaSelector s =
        selector == null ? ReplicaSelector.defaultFor(partition.serviceKind()) : selector;
    List<ResolvedReplica> candidates = candidates(partition, s);
    int n = candidates.size();
    if (n == 0) {
      return unresolved(partition, s, listener);
    }
    int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
    Target triedBefore = null;
    Target tripped = null;
    for (int i = 0; i < n; i++) {
      ResolvedReplica r = candidates.get((start + i) % n);
      ListenerChoice choice = r.endpoints().select(listener, ListenerSelection.REVERSE_PROXY);
      if (!(choice instanceof ListenerChoice.Chosen chosen)) {
        continue;
      }
      Target t = fabric.target(upstream, r, chosen.listener());
      if (t == null) {
        continue;
      }
      if (tried != null && tried.contains(t)) {
        triedBefore = triedBefore == null ? t : triedBefore;
        continue;
      }
      CircuitBreaker.Permit p = t.state().breaker().tryAcquire(now);
      if (p != CircuitBreaker.Permit.DENIED) {
        return new Selection.Chosen(t, p);
      }
      tripped = tripped == null ? t : tripped;
    }
    if (triedBefore != null) {
      CircuitBreaker.Permit p = triedBefore.state().breaker().tryAcquire(now);
      if (p != CircuitBreaker.Permit.DENIED) {
        return new Selection.Chosen(triedBefore, p);
      }
      tripped = tripped == null ? triedBefore : tripped;
    }
    if (tripped != null) {
      return new Selection.Unavailable(
          (n == 1 ? "the endpoint " + tripped.endpoint().key() + " of " : "every endpoint of ")
              + describe(s, partition)
              + " is tripped (circuit breaker open)",
          tripped.state().breaker().remainingOpenNanos(now));
    }
    return unresolved(partition, s, listener);
  }

  /** The replicas a selector may pick, as {@link ResolvedPartition#target} defines them. */
  static List<ResolvedReplica> candidates(ResolvedPartition p, ReplicaSelector s) {
    if (p.serviceKind() == ServiceKind.STATELESS) {
      return s == ReplicaSelector.RANDOM_REPLICA || s == ReplicaSelector.RANDOM_SECONDARY
          ? List.of()
          : p.replicas();
    }
    switch (s) {
      case PRIMARY:
        return p.primary().map(List::of).orElse(List.of());
      case RANDOM_SECONDARY:
        return p.secondaries();
      default:
        return p.replicas();
    }
  }

  /**
   * The resolver's own failure for what the loop found nothing for (invalid selector, no replica,
   * no listener).
   */
  private static Selection unresolved(
      ResolvedPartition p, ReplicaSelector s, Optional<String> listener) {
    TargetResolution r =
        p.target(s, listener, ListenerSelection.REVERSE_PROXY, ThreadLocalRandom.current());
    if (r instanceof ResolutionFailure f) {
      return new Selection.Unresolved(f);
    }
    // the replica publishes the listener, but its address is no URL the gateway can call
    String message =
        "No "
            + describe(s, p)
            + " offers a usable http(s) address for "
            + (listener.isEmpty() || listener.get().isEmpty()
                ? "the default listener"
                : "listener \"" + listener.get() + "\"");
    return new Selection.Unresolved(
        new ResolutionFailure.NoListener(
            p.service(),
            p.partition().id(),
            new ListenerChoice.Unavailable(listener, List.of(), message),
            message));
  }

  private static String describe(ReplicaSelector s, ResolvedPartition p) {
    String what =
        p.serviceKind() == ServiceKind.STATELESS
            ? "instance"
            : s == ReplicaSelector.PRIMARY
                ? "primary replica"
                : s == ReplicaSelector.RANDOM_SECONDARY ? "secondary replica" : "replica";
    return what + " of " + p.service() + " partition " + p.partition().id();
  }
}
