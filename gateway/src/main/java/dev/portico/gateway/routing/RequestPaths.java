package dev.portico.gateway.routing;

import dev.portico.gateway.config.EscapedSlashes;

/**
 * Request path hygiene before matching and forwarding (RFC 3986 6.2.2): percent-encoded unreserved
 * characters are decoded ({@code %2e} is a dot, {@code %61} an {@code a}), the hex digits of the
 * other escapes upper-cased, encoded slashes and backslashes (and raw backslashes) handled as the
 * listener says ({@link EscapedSlashes}), and dot segments removed (RFC 3986 5.2.4). So {@code
 * /public/../admin}, {@code /public/%2e%2e/admin} or {@code /public/..%2Fadmin} cannot reach
 * another API's prefix, and the path joined to a backend's base path never climbs above it: the
 * matched prefix and the rest are cut from the same normalized path.
 */
public final class RequestPaths {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private RequestPaths() {}

  /** Why a path is refused; its message is the problem's detail. */
  public static final class InvalidPath extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidPath(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * {@link #normalize(String, EscapedSlashes)} with encoded slashes refused, or {@code null} when
   * the path is refused.
   */
  public static String normalize(String path) {
    try {
      return normalize(path, EscapedSlashes.REJECT);
    } catch (InvalidPath e) {
      return null;
    }
  }

  /**
   * The normalized path: the same instance when nothing needed changing (the common case).
   *
   * @throws InvalidPath when the path is not origin-form, has a malformed escape, an encoded slash
   *     or backslash the listener refuses, or climbs above the root
   */
  public static String normalize(String path, EscapedSlashes slashes) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      throw new InvalidPath("the request path is not a valid absolute path");
    }
    if (path.indexOf('%') < 0 && path.indexOf('\\') < 0 && path.indexOf("/.") < 0) {
      return path;
    }
    String decoded = decode(path, slashes);
    String normalized = removeDotSegments(decoded);
    if (slashes == EscapedSlashes.KEEP
        && (decoded.indexOf('%') >= 0 || decoded.indexOf('\\') >= 0)) {
      checkKeptSeparators(normalized);
    }
    return normalized;
  }

  /**
   * Percent-encoding normalization, and the listener's choice for encoded slashes and backslashes.
   */
  private static String decode(String path, EscapedSlashes slashes) {
    StringBuilder out = new StringBuilder(path.length());
    int len = path.length();
    for (int i = 0; i < len; i++) {
      char c = path.charAt(i);
      if (c == '\\') {
        out.append(separator(slashes, "\\", "a backslash"));
        continue;
      }
      if (c != '%') {
        out.append(c);
        continue;
      }
      int hi = i + 2 < len ? Character.digit(path.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(path.charAt(i + 2), 16) : -1;
      if (lo < 0) {
        throw new InvalidPath("the request path has a malformed percent-encoding at position " + i);
      }
      int octet = hi << 4 | lo;
      i += 2;
      if (unreserved(octet)) {
        out.append((char) octet);
      } else if (octet == '/' || octet == '\\') {
        String kept = "%" + HEX[hi] + HEX[lo];
        out.append(
            separator(
                slashes,
                kept,
                octet == '/' ? "an encoded slash (%2F)" : "an encoded backslash (%5C)"));
      } else {
        out.append('%').append(HEX[hi]).append(HEX[lo]);
      }
    }
    return out.toString();
  }

  private static String separator(EscapedSlashes slashes, String kept, String what) {
    return switch (slashes) {
      case DECODE -> "/";
      case KEEP -> kept;
      case REJECT ->
          throw new InvalidPath(
              "the request path has "
                  + what
                  + ", which this listener refuses"
                  + " (listeners.*.escapedSlashes: reject)");
    };
  }

  private static boolean unreserved(int c) {
    return c >= 'a' && c <= 'z'
        || c >= 'A' && c <= 'Z'
        || c >= '0' && c <= '9'
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  /** RFC 3986 5.2.4 on an absolute path; refuses a path that climbs above the root. */
  private static String removeDotSegments(String path) {
    if (path.indexOf("/.") < 0) {
      return path;
    }
    String[] segments = path.substring(1).split("/", -1);
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
          throw new InvalidPath("the request path climbs above the root");
        }
        stack.removeLast();
        if (last) {
          stack.addLast("");
        }
      } else {
        stack.addLast(s);
      }
    }
    StringBuilder out = new StringBuilder(path.length());
    for (String s : stack) {
      out.append('/').append(s);
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  /**
   * Kept encoded slashes are data to the gateway, but a backend may decode them into separators:
   * then no part between them may be a dot segment, or that backend would climb out of its base
   * path.
   */
  private static void checkKeptSeparators(String path) {
    for (String segment : path.substring(1).split("/", -1)) {
      String parts = segment.replace("%2F", "/").replace("%5C", "/").replace('\\', '/');
      if (parts.equals(segment)) {
        continue;
      }
      for (String part : parts.split("/", -1)) {
        if (part.equals(".") || part.equals("..")) {
          throw new InvalidPath(
              "the request path has a dot segment between encoded slashes or backslashes");
        }
      }
    }
  }
}
