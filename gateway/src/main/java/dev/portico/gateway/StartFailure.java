package dev.portico.gateway;

/**
 * The gateway cannot start for a reason its operator must fix outside it (an unreachable registry,
 * a listener's port taken): the launcher prints its one-line message and exits with status 2, as
 * for an invalid configuration. The message names what failed and never holds a secret.
 */
public final class StartFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StartFailure(String message) {
    // no stack trace: the message says it all, and the launcher prints only that
    super(message.replaceAll("\\s+", " "), null, false, false);
  }
}
