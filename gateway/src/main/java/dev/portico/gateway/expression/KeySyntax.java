package dev.portico.gateway.expression;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Parsing helpers of {@link PartitionKeyExpression}. */
final class KeySyntax {
  static final String EXPECTED =
      "expected {parameter}, segment:N, header:Name, query:name, literal:text,"
          + " or hash(<one of them>)";
  static final Pattern PARAM = Pattern.compile("^[A-Za-z_][A-Za-z0-9_.-]*$");
  static final Pattern TOKEN = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");

  private KeySyntax() {}

  /** Decodes {@code %XX} escapes as UTF-8; a malformed escape leaves the text as it was. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return s;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return s;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
