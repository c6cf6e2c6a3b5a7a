package dev.portico.fabric.importer.internal;

import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of path segments and query values: everything but RFC 3986's unreserved
 * characters.
 */
final class Uris {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Uris() {}

  static String segment(String s) {
    return encode(s);
  }

  static String query(String s) {
    return encode(s);
  }

  private static String encode(String s) {
    StringBuilder out = null;
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean unreserved =
          (b >= 'A' && b <= 'Z')
              || (b >= 'a' && b <= 'z')
              || (b >= '0' && b <= '9')
              || b == '-'
              || b == '.'
              || b == '_'
              || b == '~';
      if (unreserved) {
        if (out != null) {
          out.append((char) b);
        }
      } else {
        if (out == null) {
          out = new StringBuilder(bytes.length + 16);
          for (int j = 0; j < i; j++) {
            out.append((char) bytes[j]);
          }
        }
        out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
      }
    }
    return out == null ? s : out.toString();
  }
}
