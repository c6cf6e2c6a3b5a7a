package dev.portico.gateway.pipeline;

import java.util.List;

/**
 * Reads {@code Via} (RFC 9110 7.6.3): comma-separated elements of {@code [protocol-name "/"]
 * protocol-version received-by [comment]}, over any number of field lines. Only the {@code
 * received-by} part names a hop, compared whole: {@code 1.1 portico-a2} does not name {@code
 * portico-a}, and a comment mentioning an id names nobody.
 */
final class ViaHeader {

  private ViaHeader() {}

  /**
   * Whether any element of any of {@code lines} was received by {@code hop} (names compared without
   * case, as hosts).
   */
  static boolean names(List<String> lines, String hop) {
    for (String line : lines) {
      if (names(line, hop)) {
        return true;
      }
    }
    return false;
  }

  static boolean names(String line, String hop) {
    int len = line.length();
    int i = 0;
    while (i < len) {
      // protocol
      i = skipSpace(line, i);
      int start = i;
      while (i < len && !isSpace(line.charAt(i)) && line.charAt(i) != ',') {
        i++;
      }
      boolean hasProtocol = i > start;
      i = skipSpace(line, i);
      // received-by
      start = i;
      while (i < len
          && !isSpace(line.charAt(i))
          && line.charAt(i) != ','
          && line.charAt(i) != '(') {
        i++;
      }
      if (hasProtocol
          && i - start == hop.length()
          && line.regionMatches(true, start, hop, 0, hop.length())) {
        return true;
      }
      // the rest of the element: a comment (nested, with quoted pairs) up to the next comma
      int depth = 0;
      while (i < len) {
        char c = line.charAt(i);
        if (c == '\\' && depth > 0) {
          i += 2;
          continue;
        }
        if (c == '(') {
          depth++;
        } else if (c == ')' && depth > 0) {
          depth--;
        } else if (c == ',' && depth == 0) {
          break;
        }
        i++;
      }
      i++;
    }
    return false;
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
