package dev.portico.fabric;

/**
 * A partition key that cannot even be formed from what the client sent (Service Fabric's {@code
 * FABRIC_E_INVALID_PARTITION_KEY}, HTTP 400).
 */
public final class InvalidPartitionKeyException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidPartitionKeyException(String message) {
    super(message);
  }
}
