package dev.portico.gateway.edge;

/**
 * The syntax of a {@code Host} field value (RFC 9112 3.2, RFC 3986 3.2.2): {@code uri-host [ ":"
 * port ]}, where the host is a registered name, an IPv4 address or a bracketed IPv6 (or IPvFuture)
 * literal, and the port is decimal digits up to 65535.
 */
public final class HostHeader {

  private HostHeader() {}

  /** Whether {@code value} is a valid, non-empty {@code host[:port]}. */
  public static boolean valid(String value) {
    int len = value.length();
    if (len == 0) {
      return false;
    }
    int end;
    if (value.charAt(0) == '[') {
      end = value.indexOf(']');
      if (end < 2) {
        return false;
      }
      for (int i = 1; i < end; i++) {
        char c = value.charAt(i);
        if (!(isHex(c)
            || c == ':'
            || c == '.'
            || c == 'v'
            || c == 'V'
            || isUnreserved(c)
            || isSubDelim(c))) {
          return false;
        }
      }
      end++;
    } else {
      end = 0;
      while (end < len && value.charAt(end) != ':') {
        char c = value.charAt(end);
        if (c == '%') {
          if (end + 2 >= len || !isHex(value.charAt(end + 1)) || !isHex(value.charAt(end + 2))) {
            return false;
          }
          end += 3;
          continue;
        }
        if (!isUnreserved(c) && !isSubDelim(c)) {
          return false;
        }
        end++;
      }
      if (end == 0) {
        return false;
      }
    }
    if (end == len) {
      return true;
    }
    if (value.charAt(end) != ':') {
      return false;
    }
    int digits = len - end - 1;
    if (digits > 5) {
      return false;
    }
    int port = 0;
    for (int i = end + 1; i < len; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      port = port * 10 + (c - '0');
    }
    return port <= 65535;
  }

  private static boolean isHex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  private static boolean isUnreserved(char c) {
    return c >= 'a' && c <= 'z'
        || c >= 'A' && c <= 'Z'
        || c >= '0' && c <= '9'
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  private static boolean isSubDelim(char c) {
    return c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*'
        || c == '+' || c == ',' || c == ';' || c == '=';
  }
}
