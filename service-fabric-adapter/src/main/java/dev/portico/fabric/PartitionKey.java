package dev.portico.fabric;

import java.util.Objects;

/**
 * The key a request carries to pick a partition. A key only ever matches partitions of its own
 * kind: an Int64 key never selects a Named partition, whatever its text looks like.
 */
public sealed interface PartitionKey
    permits PartitionKey.None, PartitionKey.Int64, PartitionKey.Named {

  /** REST {@code PartitionKeyType} codes. */
  int TYPE_NONE = 1;

  int TYPE_INT64 = 2;
  int TYPE_STRING = 3;

  /** The REST {@code PartitionKeyType}: 1 none, 2 int64, 3 string. */
  int typeCode();

  /** The partition kind this key can select. */
  PartitionKind kind();

  /** The REST {@code PartitionKeyValue} (empty for {@link None}). */
  String queryValue();

  static PartitionKey none() {
    return None.INSTANCE;
  }

  static PartitionKey int64(long value) {
    return new Int64(value);
  }

  static PartitionKey named(String name) {
    return new Named(name);
  }

  /**
   * Forms a key from the reverse proxy's query parameters ({@code
   * PartitionKind=Int64Range&PartitionKey=42}); null means the parameter was absent. No kind and no
   * value is the Singleton key; a value without a kind is rejected rather than guessed at.
   */
  static PartitionKey parse(String kind, String value) {
    if (kind == null || kind.isEmpty()) {
      if (value == null || value.isEmpty()) {
        return None.INSTANCE;
      }
      throw new InvalidPartitionKeyException(
          "PartitionKey \""
              + value
              + "\" given without PartitionKind; add PartitionKind=Int64Range or PartitionKind=Named");
    }
    PartitionKind parsed;
    try {
      parsed = PartitionKind.parse(kind);
    } catch (IllegalArgumentException e) {
      throw new InvalidPartitionKeyException("PartitionKind: " + e.getMessage());
    }
    switch (parsed) {
      case SINGLETON:
        if (value != null && !value.isEmpty()) {
          throw new InvalidPartitionKeyException(
              "PartitionKind=Singleton takes no PartitionKey, got \"" + value + "\"");
        }
        return None.INSTANCE;
      case INT64_RANGE:
        return new Int64(parseInt64(value));
      default:
        if (value == null || value.isEmpty()) {
          throw new InvalidPartitionKeyException(
              "PartitionKind=Named needs a non-empty PartitionKey");
        }
        return new Named(value);
    }
  }

  /** Forms a key from REST {@code PartitionKeyType} and {@code PartitionKeyValue}. */
  static PartitionKey fromTypeCode(int typeCode, String value) {
    switch (typeCode) {
      case TYPE_NONE:
        return parse(PartitionKind.SINGLETON.restName(), value);
      case TYPE_INT64:
        return parse(PartitionKind.INT64_RANGE.restName(), value);
      case TYPE_STRING:
        return parse(PartitionKind.NAMED.restName(), value);
      default:
        throw new InvalidPartitionKeyException(
            "PartitionKeyType " + typeCode + " is not 1 (none), 2 (int64) or 3 (string)");
    }
  }

  private static long parseInt64(String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidPartitionKeyException("PartitionKind=Int64Range needs a PartitionKey");
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidPartitionKeyException(
          "PartitionKey \"" + value + "\" is not a 64-bit integer (PartitionKind=Int64Range)");
    }
  }

  /** The key of Singleton services. */
  record None() implements PartitionKey {
    static final None INSTANCE = new None();

    @Override
    public int typeCode() {
      return TYPE_NONE;
    }

    @Override
    public PartitionKind kind() {
      return PartitionKind.SINGLETON;
    }

    @Override
    public String queryValue() {
      return "";
    }

    @Override
    public String toString() {
      return "None";
    }
  }

  /** A key for UniformInt64Range partitions. */
  record Int64(long value) implements PartitionKey {
    @Override
    public int typeCode() {
      return TYPE_INT64;
    }

    @Override
    public PartitionKind kind() {
      return PartitionKind.INT64_RANGE;
    }

    @Override
    public String queryValue() {
      return Long.toString(value);
    }

    @Override
    public String toString() {
      return "Int64(" + value + ")";
    }
  }

  /** A key for Named partitions; matched exactly, case-sensitively. */
  record Named(String name) implements PartitionKey {
    public Named {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new InvalidPartitionKeyException("A named partition key must not be empty");
      }
    }

    @Override
    public int typeCode() {
      return TYPE_STRING;
    }

    @Override
    public PartitionKind kind() {
      return PartitionKind.NAMED;
    }

    @Override
    public String queryValue() {
      return name;
    }

    @Override
    public String toString() {
      return "Named(\"" + name + "\")";
    }
  }
}
