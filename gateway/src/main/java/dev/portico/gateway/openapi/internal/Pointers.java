package dev.portico.gateway.openapi.internal;

/** JSON pointer tokens (RFC 6901), as messages name places in a document. */
public final class Pointers {

  private Pointers() {}

  /** One reference token: {@code ~} becomes {@code ~0}, {@code /} becomes {@code ~1}. */
  public static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
