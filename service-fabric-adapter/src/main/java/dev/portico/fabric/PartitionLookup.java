package dev.portico.fabric;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link PartitionTable#lookup}: the partition, or why there is none. A failure is a
 * value, not an exception, because a bad key is ordinary client input on the request path.
 */
public sealed interface PartitionLookup permits PartitionLookup.Found, PartitionLookup.Failed {

  /** Service Fabric answers every lookup failure with this code (HTTP 400). */
  String ERROR_CODE = "FABRIC_E_INVALID_PARTITION_KEY";

  /** Why a key selects no partition. */
  enum Reason {
    /**
     * The key's type is not the service's partition kind (e.g. an Int64 key for a Named service).
     */
    KEY_KIND_MISMATCH,
    /** An Int64 key outside every range (below, above, or in a gap). */
    KEY_OUT_OF_RANGE,
    /** A Named key that names no partition (names are case-sensitive). */
    NAME_NOT_FOUND
  }

  /** The partition, or empty on failure. */
  Optional<PartitionInfo> partition();

  /** The partition, or a {@link PartitionLookupException} carrying the failure's reason. */
  PartitionInfo orElseThrow();

  record Found(PartitionInfo value) implements PartitionLookup {
    public Found {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public Optional<PartitionInfo> partition() {
      return Optional.of(value);
    }

    @Override
    public PartitionInfo orElseThrow() {
      return value;
    }
  }

  record Failed(Reason reason, PartitionKey key, String message) implements PartitionLookup {
    public Failed {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public Optional<PartitionInfo> partition() {
      return Optional.empty();
    }

    @Override
    public PartitionInfo orElseThrow() {
      throw new PartitionLookupException(reason, key, message);
    }
  }
}
