package dev.portico.fabric;

/** A partition key that selects no partition; see {@link PartitionLookup.Reason}. */
public final class PartitionLookupException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final PartitionLookup.Reason reason;
  private final transient PartitionKey key;

  public PartitionLookupException(PartitionLookup.Reason reason, PartitionKey key, String message) {
    super(message);
    this.reason = reason;
    this.key = key;
  }

  public PartitionLookup.Reason reason() {
    return reason;
  }

  public PartitionKey key() {
    return key;
  }

  /** {@value PartitionLookup#ERROR_CODE}, as Service Fabric reports it. */
  public String errorCode() {
    return PartitionLookup.ERROR_CODE;
  }
}
