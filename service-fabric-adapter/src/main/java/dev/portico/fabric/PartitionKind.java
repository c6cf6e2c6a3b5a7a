package dev.portico.fabric;

/** How a service is partitioned; each kind accepts exactly one {@link PartitionKey} type. */
public enum PartitionKind {
  SINGLETON("Singleton", "Singleton", PartitionKey.TYPE_NONE),
  INT64_RANGE("Int64Range", "UniformInt64Range", PartitionKey.TYPE_INT64),
  NAMED("Named", "Named", PartitionKey.TYPE_STRING);

  private final String restName;
  private final String schemeName;
  private final int keyTypeCode;

  PartitionKind(String restName, String schemeName, int keyTypeCode) {
    this.restName = restName;
    this.schemeName = schemeName;
    this.keyTypeCode = keyTypeCode;
  }

  /**
   * The name in REST {@code ServicePartitionKind} and in the reverse proxy's {@code PartitionKind}.
   */
  public String restName() {
    return restName;
  }

  /** The name of the partition scheme in service descriptions and manifests. */
  public String schemeName() {
    return schemeName;
  }

  /** The REST {@code PartitionKeyType} of the keys this kind accepts (1, 2 or 3). */
  public int keyTypeCode() {
    return keyTypeCode;
  }

  /**
   * Parses {@code Singleton}, {@code Int64Range}, {@code UniformInt64Range} or {@code Named},
   * ignoring case (the reverse proxy's query parameters are not case-sensitive).
   */
  public static PartitionKind parse(String text) {
    if (text != null) {
      for (PartitionKind kind : values()) {
        if (kind.restName.equalsIgnoreCase(text) || kind.schemeName.equalsIgnoreCase(text)) {
          return kind;
        }
      }
    }
    throw new IllegalArgumentException(
        "Unknown partition kind "
            + (text == null ? "null" : '"' + text + '"')
            + "; expected Singleton, Int64Range (or UniformInt64Range) or Named");
  }

  @Override
  public String toString() {
    return restName;
  }
}
