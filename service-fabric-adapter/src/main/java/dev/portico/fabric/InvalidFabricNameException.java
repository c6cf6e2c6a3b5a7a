package dev.portico.fabric;

/**
 * A string that is not a valid Service Fabric name or REST id; the message says what is wrong and
 * where.
 */
public final class InvalidFabricNameException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidFabricNameException(String message) {
    super(message);
  }
}
