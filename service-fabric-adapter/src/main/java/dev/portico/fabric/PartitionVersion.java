package dev.portico.fabric;

import java.util.Objects;

/**
 * The version of a partition resolution result, as Service Fabric orders them: by generation, then
 * by failover-manager version. Results for different partition ids (a service deleted and recreated
 * under the same name) are not comparable: neither is newer.
 *
 * <p>{@link #encode()} gives {@code "<generation>:<fmVersion>"}, the opaque {@code Version} /
 * {@code PreviousRspVersion} string Portico itself hands out. Version strings from a real cluster
 * have another format and are carried unchanged, never decoded.
 */
public record PartitionVersion(String partitionId, long generation, long fmVersion) {

  /** How one version stands relative to another. */
  public enum Order {
    OLDER,
    SAME,
    NEWER,
    /** Different partition ids: the results describe different partitions. */
    NOT_COMPARABLE
  }

  public PartitionVersion {
    Objects.requireNonNull(partitionId, "partitionId");
    if (partitionId.isBlank()) {
      throw new IllegalArgumentException("A partition version needs a partition id");
    }
    if (generation < 0 || fmVersion < 0) {
      throw new IllegalArgumentException(
          "Partition version numbers are never negative, got generation "
              + generation
              + ", fmVersion "
              + fmVersion);
    }
  }

  /** Same partition? Ids are GUIDs, so their hex digits compare without regard to case. */
  public boolean isComparableTo(PartitionVersion other) {
    return partitionId.equalsIgnoreCase(other.partitionId);
  }

  /** This version relative to {@code other}: OLDER, SAME, NEWER, or NOT_COMPARABLE. */
  public Order compareWith(PartitionVersion other) {
    if (!isComparableTo(other)) {
      return Order.NOT_COMPARABLE;
    }
    int c =
        generation != other.generation
            ? Long.compare(generation, other.generation)
            : Long.compare(fmVersion, other.fmVersion);
    return c < 0 ? Order.OLDER : c == 0 ? Order.SAME : Order.NEWER;
  }

  /** True only for a strictly newer result of the same partition; false when not comparable. */
  public boolean isNewerThan(PartitionVersion other) {
    return compareWith(other) == Order.NEWER;
  }

  /** {@code "<generation>:<fmVersion>"}; the partition id travels separately. */
  public String encode() {
    return generation + ":" + fmVersion;
  }

  /**
   * Reads what {@link #encode()} wrote: two non-negative decimal numbers separated by one colon,
   * nothing else (no sign, no spaces).
   */
  public static PartitionVersion decode(String partitionId, String encoded) {
    if (encoded == null) {
      throw new IllegalArgumentException("A partition version string is required, got null");
    }
    int colon = encoded.indexOf(':');
    if (colon < 0 || encoded.indexOf(':', colon + 1) >= 0) {
      throw garbage(encoded, "expected exactly one ':'");
    }
    return new PartitionVersion(
        partitionId,
        number(encoded, encoded.substring(0, colon), "generation"),
        number(encoded, encoded.substring(colon + 1), "fmVersion"));
  }

  private static long number(String encoded, String part, String what) {
    if (part.isEmpty()) {
      throw garbage(encoded, what + " is missing");
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c < '0' || c > '9') {
        throw garbage(encoded, what + " \"" + part + "\" is not a non-negative decimal number");
      }
    }
    try {
      return Long.parseLong(part);
    } catch (NumberFormatException e) {
      throw garbage(encoded, what + " \"" + part + "\" does not fit 64 bits");
    }
  }

  private static IllegalArgumentException garbage(String encoded, String why) {
    return new IllegalArgumentException(
        "Not a Portico partition version \""
            + encoded
            + "\": "
            + why
            + " (format \"<generation>:<fmVersion>\", e.g. \"3:42\")");
  }

  @Override
  public String toString() {
    return partitionId + "@" + encode();
  }
}
