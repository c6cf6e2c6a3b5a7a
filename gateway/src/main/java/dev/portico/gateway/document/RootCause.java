package dev.portico.gateway.document;

/**
 * Configuration errors quote the innermost cause: it says what is wrong, its wrappers say where.
 */
public final class RootCause {

  private RootCause() {}

  /** The innermost cause's message on one line (its class name when it has none). */
  public static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return (m == null ? t.getClass().getSimpleName() : m).replace('\n', ' ');
  }
}
