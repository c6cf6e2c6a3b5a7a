package dev.portico.fabric.registry;

/**
 * A replica whose published address yields no host and port at all (an empty listener collection,
 * or addresses without an authority), so no registry record can point at it.
 */
public final class UnpublishableReplicaException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public UnpublishableReplicaException(String message) {
    super(message);
  }
}
