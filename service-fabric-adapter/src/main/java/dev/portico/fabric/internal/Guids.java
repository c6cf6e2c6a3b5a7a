package dev.portico.fabric.internal;

/**
 * A lenient GUID shape check for partition ids: 32 hex digits, hyphens anywhere, optional braces.
 * Strict enough to catch a name or a number passed by mistake, loose enough for any formatting a
 * cluster or a test may use. Ids stay strings; nothing is normalised.
 */
public final class Guids {

  private Guids() {}

  /** Why {@code id} is not GUID-shaped, or null when it is. */
  public static String problem(String id) {
    if (id == null) {
      return "is null";
    }
    int from = 0;
    int to = id.length();
    if (to >= 2 && id.charAt(0) == '{' && id.charAt(to - 1) == '}') {
      from = 1;
      to--;
    }
    int hex = 0;
    for (int i = from; i < to; i++) {
      char c = id.charAt(i);
      if (Character.digit(c, 16) >= 0 && c < 128) {
        hex++;
      } else if (c != '-') {
        return "is not a GUID (unexpected character '" + c + "')";
      }
    }
    return hex == 32 ? null : "is not a GUID (" + hex + " hex digits, expected 32)";
  }

  /** Returns {@code id} or throws {@link IllegalArgumentException} naming {@code what}. */
  public static String require(String id, String what) {
    String problem = problem(id);
    if (problem != null) {
      throw new IllegalArgumentException(
          what + " " + (id == null ? "" : '"' + id + "\" ") + problem);
    }
    return id;
  }
}
