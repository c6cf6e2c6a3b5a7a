package dev.portico.gateway.policy.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Query-string scanning and percent-coding without regular expressions. */
public final class QueryStrings {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private QueryStrings() {}

  /**
   * The first value of {@code name} in raw query {@code query}, percent-decoded; {@code ""} for a
   * bare name; else {@code null}.
   */
  public static String first(String query, String name) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    int n = query.length();
    int start = 0;
    while (start <= n) {
      int amp = query.indexOf('&', start);
      int end = amp < 0 ? n : amp;
      int eq = query.indexOf('=', start);
      int nameEnd = eq < 0 || eq > end ? end : eq;
      if (nameEquals(query, start, nameEnd, name)) {
        return nameEnd == end ? "" : decode(query, nameEnd + 1, end);
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return null;
  }

  /**
   * Every {@code name=value} pair of the raw query, still encoded, in order; empty pairs dropped.
   */
  public static List<String[]> pairs(String query) {
    List<String[]> out = new ArrayList<>();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String part : query.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      out.add(
          eq < 0
              ? new String[] {part, null}
              : new String[] {part.substring(0, eq), part.substring(eq + 1)});
    }
    return out;
  }

  private static boolean nameEquals(String query, int from, int to, String name) {
    // names are compared decoded only when they carry escapes (rare): the common case is a region
    // match
    boolean plain = true;
    for (int i = from; i < to; i++) {
      char c = query.charAt(i);
      if (c == '%' || c == '+') {
        plain = false;
        break;
      }
    }
    if (plain) {
      return to - from == name.length() && query.regionMatches(from, name, 0, name.length());
    }
    return decode(query, from, to).equals(name);
  }

  /**
   * Percent-decodes {@code s[from, to)} as UTF-8, {@code +} as space; a malformed escape is kept as
   * is.
   */
  public static String decode(String s, int from, int to) {
    int i = from;
    while (i < to && s.charAt(i) != '%' && s.charAt(i) != '+') {
      i++;
    }
    if (i == to) {
      return s.substring(from, to);
    }
    byte[] buf = new byte[to - from];
    int len = 0;
    for (int j = from; j < to; j++) {
      char c = s.charAt(j);
      if (c == '+') {
        buf[len++] = ' ';
      } else if (c == '%' && j + 2 < to && hex(s.charAt(j + 1)) >= 0 && hex(s.charAt(j + 2)) >= 0) {
        buf[len++] = (byte) (hex(s.charAt(j + 1)) << 4 | hex(s.charAt(j + 2)));
        j += 2;
      } else if (c < 0x80) {
        buf[len++] = (byte) c;
      } else {
        byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (len + enc.length > buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2 + enc.length);
        }
        System.arraycopy(enc, 0, buf, len, enc.length);
        len += enc.length;
      }
    }
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** Unreserved characters (RFC 3986) stay; everything else is percent-encoded as UTF-8. */
  public static void encodeComponent(String value, StringBuilder out) {
    encode(value, out, "");
  }

  /**
   * Encodes {@code value} as one path segment: unreserved characters and sub-delims stay; {@code
   * /}, {@code ?}, {@code #}, {@code %} and the rest are escaped; a value that is {@code .} or
   * {@code ..} is escaped whole so that it cannot climb the backend's path.
   */
  public static void encodeSegment(String value, StringBuilder out) {
    if (value.equals(".") || value.equals("..")) {
      out.append(value.length() == 1 ? "%2E" : "%2E%2E");
      return;
    }
    encode(value, out, "!$'()*,;:@");
  }

  private static void encode(String value, StringBuilder out, String alsoSafe) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~'
          || alsoSafe.indexOf(c) >= 0) {
        out.append(c);
      } else if (c < 0x80) {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      } else {
        int cp = value.codePointAt(i);
        if (Character.charCount(cp) == 2) {
          i++;
        }
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
      }
    }
  }
}
