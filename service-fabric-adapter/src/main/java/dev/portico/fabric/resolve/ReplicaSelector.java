package dev.portico.fabric.resolve;

import dev.portico.fabric.ServiceKind;
import java.util.Locale;
import java.util.Optional;

/**
 * Which replica of a partition a request goes to: the reverse proxy's {@code TargetReplicaSelector}
 * values, which APIM's {@code sf-replica-type} maps onto.
 *
 * <ul>
 *   <li>stateful: {@link #PRIMARY} (the default) the primary; {@link #RANDOM_SECONDARY} a random
 *       secondary; {@link #RANDOM_REPLICA} any replica; {@link #RANDOM_INSTANCE} any replica too
 *       (the .NET client treats RandomInstance and RandomReplica alike);
 *   <li>stateless: {@link #RANDOM_INSTANCE} (the default) and {@link #PRIMARY} any instance; {@link
 *       #RANDOM_REPLICA} and {@link #RANDOM_SECONDARY} are invalid arguments.
 * </ul>
 */
public enum ReplicaSelector {
  PRIMARY("PrimaryReplica"),
  RANDOM_SECONDARY("RandomSecondaryReplica"),
  RANDOM_REPLICA("RandomReplica"),
  RANDOM_INSTANCE("RandomInstance");

  private final String reverseProxyName;

  ReplicaSelector(String reverseProxyName) {
    this.reverseProxyName = reverseProxyName;
  }

  /** The {@code TargetReplicaSelector} query value. */
  public String reverseProxyName() {
    return reverseProxyName;
  }

  /** Stateful: PrimaryReplica; stateless: RandomInstance. */
  public static ReplicaSelector defaultFor(ServiceKind kind) {
    return kind == ServiceKind.STATEFUL ? PRIMARY : RANDOM_INSTANCE;
  }

  /**
   * Reads {@code TargetReplicaSelector} (case-insensitively); absent or empty means the service's
   * default, which is decided once the service kind is known.
   *
   * @throws IllegalArgumentException for an unknown value (an invalid argument, 400)
   */
  public static Optional<ReplicaSelector> parseTargetReplicaSelector(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    for (ReplicaSelector s : values()) {
      if (s.reverseProxyName.equalsIgnoreCase(text)) {
        return Optional.of(s);
      }
    }
    throw new IllegalArgumentException(
        "Unknown TargetReplicaSelector \""
            + text
            + "\"; expected PrimaryReplica, RandomSecondaryReplica, RandomReplica or RandomInstance");
  }

  /**
   * Reads APIM's {@code sf-replica-type}: {@code primary} or {@code secondary} (any case); absent
   * or empty means the service's default.
   */
  public static Optional<ReplicaSelector> parseApimReplicaType(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    switch (text.toLowerCase(Locale.ROOT)) {
      case "primary":
        return Optional.of(PRIMARY);
      case "secondary":
        return Optional.of(RANDOM_SECONDARY);
      default:
        throw new IllegalArgumentException(
            "Unknown sf-replica-type \"" + text + "\"; expected primary or secondary");
    }
  }

  @Override
  public String toString() {
    return reverseProxyName;
  }
}
