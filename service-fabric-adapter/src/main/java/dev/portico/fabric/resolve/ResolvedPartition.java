package dev.portico.fabric.resolve;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.ListenerChoice;
import dev.portico.fabric.ListenerSelection;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionVersion;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One partition of a service as the registry currently describes it: its version (the highest any
 * of its records carries) and its UP replicas, primary first. Immutable and shared: every request
 * for a key in this partition gets the same instance until the registry changes it.
 */
public final class ResolvedPartition implements Resolution {

  private final FabricName service;
  private final ServiceKind serviceKind;
  private final PartitionInfo partition;
  private final PartitionVersion version;
  private final List<ResolvedReplica> replicas;
  private final ResolvedReplica primary; // stateful only; may be null
  private final List<ResolvedReplica> secondaries; // stateful only

  public ResolvedPartition(
      FabricName service,
      ServiceKind serviceKind,
      PartitionInfo partition,
      PartitionVersion version,
      List<ResolvedReplica> replicas) {
    this.service = Objects.requireNonNull(service, "service");
    this.serviceKind = Objects.requireNonNull(serviceKind, "serviceKind");
    this.partition = Objects.requireNonNull(partition, "partition");
    this.version = Objects.requireNonNull(version, "version");
    if (!version.partitionId().equalsIgnoreCase(partition.id())) {
      throw new IllegalArgumentException(
          "Version " + version + " is not of partition " + partition.id());
    }
    ResolvedReplica p = null;
    List<ResolvedReplica> others = new ArrayList<>(replicas.size());
    for (ResolvedReplica r : replicas) {
      if (r.role().serviceKind() != serviceKind) {
        throw new IllegalArgumentException(
            "Replica "
                + r.replicaId()
                + " is "
                + r.role()
                + " but "
                + service
                + " is "
                + serviceKind);
      }
      if (r.role() == ReplicaRole.STATEFUL_PRIMARY) {
        if (p != null) {
          throw new IllegalArgumentException(
              "Partition "
                  + partition.id()
                  + " of "
                  + service
                  + " has two primaries: "
                  + p.replicaId()
                  + " and "
                  + r.replicaId());
        }
        p = r;
      } else {
        others.add(r);
      }
    }
    this.primary = p;
    List<ResolvedReplica> ordered = new ArrayList<>(replicas.size());
    if (p != null) {
      ordered.add(p);
    }
    ordered.addAll(others);
    this.replicas = List.copyOf(ordered);
    this.secondaries = serviceKind == ServiceKind.STATEFUL ? List.copyOf(others) : List.of();
  }

  public FabricName service() {
    return service;
  }

  public ServiceKind serviceKind() {
    return serviceKind;
  }

  public PartitionInfo partition() {
    return partition;
  }

  public PartitionVersion version() {
    return version;
  }

  /** UP replicas (or instances), the primary first. */
  public List<ResolvedReplica> replicas() {
    return replicas;
  }

  public Optional<ResolvedReplica> primary() {
    return Optional.ofNullable(primary);
  }

  public List<ResolvedReplica> secondaries() {
    return secondaries;
  }

  public boolean hasReplicas() {
    return !replicas.isEmpty();
  }

  /** A key this partition owns: its low key, its name, or the Singleton key. */
  public PartitionKey representativeKey() {
    if (partition instanceof PartitionInfo.Int64Range) {
      return PartitionKey.int64(((PartitionInfo.Int64Range) partition).low());
    }
    if (partition instanceof PartitionInfo.Named) {
      return PartitionKey.named(((PartitionInfo.Named) partition).name());
    }
    return PartitionKey.none();
  }

  /**
   * Chooses a replica with {@code selector} ({@code null}: the service kind's default) and then its
   * listener. Random choices start at a random replica and take the first one that publishes the
   * listener, so one replica without it does not fail the request.
   */
  public TargetResolution target(
      ReplicaSelector selector,
      Optional<String> listenerName,
      ListenerSelection mode,
      RandomGenerator random) {
    Objects.requireNonNull(listenerName, "listenerName");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(random, "random");
    ReplicaSelector s = selector == null ? ReplicaSelector.defaultFor(serviceKind) : selector;
    List<ResolvedReplica> candidates;
    if (serviceKind == ServiceKind.STATELESS) {
      if (s == ReplicaSelector.RANDOM_REPLICA || s == ReplicaSelector.RANDOM_SECONDARY) {
        return new ResolutionFailure.InvalidSelector(
            service,
            s,
            "TargetReplicaSelector "
                + s
                + " does not apply to the stateless service "
                + service
                + "; use RandomInstance (or PrimaryReplica, which picks any instance)");
      }
      candidates = replicas;
    } else if (s == ReplicaSelector.PRIMARY) {
      candidates = primary == null ? List.of() : List.of(primary);
    } else if (s == ReplicaSelector.RANDOM_SECONDARY) {
      candidates = secondaries;
    } else {
      candidates = replicas;
    }
    int n = candidates.size();
    if (n == 0) {
      return new ResolutionFailure.NoReplica(
          service,
          partition.id(),
          Optional.of(s),
          "Partition "
              + partition.id()
              + " of "
              + service
              + " ("
              + describe(partition)
              + ") has no UP "
              + wanted(s)
              + " ("
              + replicas.size()
              + " UP replica"
              + (replicas.size() == 1 ? "" : "s")
              + ")");
    }
    int start = n == 1 ? 0 : random.nextInt(n);
    ListenerChoice.Unavailable firstRefusal = null;
    for (int i = 0; i < n; i++) {
      ResolvedReplica r = candidates.get((start + i) % n);
      ListenerChoice choice = r.endpoints().select(listenerName, mode);
      if (choice instanceof ListenerChoice.Chosen) {
        return new FabricTarget(this, r, ((ListenerChoice.Chosen) choice).listener());
      }
      if (firstRefusal == null) {
        firstRefusal = (ListenerChoice.Unavailable) choice;
      }
    }
    return new ResolutionFailure.NoListener(
        service,
        partition.id(),
        firstRefusal,
        "No "
            + wanted(s)
            + " of "
            + service
            + " partition "
            + partition.id()
            + " offers "
            + (listenerName.isEmpty() || listenerName.get().isEmpty()
                ? "a default listener"
                : "listener \"" + listenerName.get() + "\"")
            + " ("
            + mode
            + "): "
            + firstRefusal.message());
  }

  private String wanted(ReplicaSelector s) {
    if (serviceKind == ServiceKind.STATELESS) {
      return "instance";
    }
    switch (s) {
      case PRIMARY:
        return "primary replica";
      case RANDOM_SECONDARY:
        return "secondary replica";
      default:
        return "replica";
    }
  }

  static String describe(PartitionInfo p) {
    if (p instanceof PartitionInfo.Int64Range) {
      return "Int64Range " + ((PartitionInfo.Int64Range) p).range();
    }
    if (p instanceof PartitionInfo.Named) {
      return "Named \"" + ((PartitionInfo.Named) p).name() + "\"";
    }
    return "Singleton";
  }

  /** Equal when they describe the same partition at the same version with the same replicas. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ResolvedPartition)) {
      return false;
    }
    ResolvedPartition other = (ResolvedPartition) o;
    return service.equals(other.service)
        && serviceKind == other.serviceKind
        && partition.equals(other.partition)
        && version.equals(other.version)
        && replicas.equals(other.replicas);
  }

  @Override
  public int hashCode() {
    return Objects.hash(service, partition, version, replicas);
  }

  @Override
  public String toString() {
    return "ResolvedPartition["
        + service
        + " "
        + partition.id()
        + " ("
        + describe(partition)
        + ") @"
        + version.encode()
        + ", "
        + replicas.size()
        + " replica"
        + (replicas.size() == 1 ? "" : "s")
        + "]";
  }
}
