package dev.portico.gateway.routing;

/**
 * Request path hygiene before matching: dot segments are removed (RFC 3986 5.2.4) so that
 * {@code /public/../admin} cannot reach a backend under another API's prefix.
 */
public final class RequestPaths {

  private RequestPaths() {
  }

  /**
   * The normalized path, the same instance when nothing needed changing (the common case), or
   * {@code null} when the path is not origin-form or climbs above the root.
   */
  public static String normalize(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      return null;
    }
    if (path.indexOf("/.") < 0) {
      return path;
    }
    String[] segments = path.substring(1).split("/", -1);
    StringBuilder out = new StringBuilder(path.length());
    java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.equals(".")) {
        if (last) {
          stack.addLast("");
        }
      } else if (s.equals("..")) {
        if (stack.isEmpty()) {
          return null;
        }
        stack.removeLast();
        if (last) {
          stack.addLast("");
        }
      } else {
        stack.addLast(s);
      }
    }
    for (String s : stack) {
      out.append('/').append(s);
    }
    return out.length() == 0 ? "/" : out.toString();
  }
}
