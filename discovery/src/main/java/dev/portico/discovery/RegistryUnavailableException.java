package dev.portico.discovery;

/** The registry did not answer a call in time (its server is down or unreachable). */
public final class RegistryUnavailableException extends RuntimeException {

  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
