package dev.portico.gateway.policy.config;

import java.util.Locale;
import java.util.Set;

/** Checks shared by the policy configurations. */
final class Validation {

  /** Headers a policy may not touch: framing and connection management belong to the gateway. */
  static final Set<String> PROTECTED_HEADERS =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "content-length",
          "host");

  private Validation() {}

  static boolean isToken(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static void headerName(String at, String name, PolicyConfig.Problems problems) {
    if (name != null && !isToken(name)) {
      problems.add(
          at, "'" + name + "' is not a valid header name (RFC 9110 token characters only)");
    }
  }

  static boolean isProtected(String name) {
    return name != null && PROTECTED_HEADERS.contains(name.toLowerCase(Locale.ROOT));
  }

  static void oneOf(String at, String value, PolicyConfig.Problems problems, String... allowed) {
    for (String a : allowed) {
      if (a.equals(value)) {
        return;
      }
    }
    problems.add(at, "must be one of " + String.join(", ", allowed) + "; got '" + value + "'");
  }

  static void statusRanges(
      String at, IncrementCondition condition, PolicyConfig.Problems problems) {
    if (condition == null) {
      return;
    }
    if (condition.statusCodeRanges().isEmpty()) {
      problems.add(at + ".status-code-ranges", "give at least one range {min, max}");
    }
    for (int i = 0; i < condition.statusCodeRanges().size(); i++) {
      StatusCodeRange r = condition.statusCodeRanges().get(i);
      String rat = at + ".status-code-ranges[" + i + "]";
      if (r.min() == null || r.max() == null) {
        problems.add(rat, "give both min and max");
      } else if (r.min() < 100 || r.max() > 599 || r.min() > r.max()) {
        problems.add(
            rat,
            "must be a range within 100..599 with min <= max, got " + r.min() + ".." + r.max());
      }
    }
  }

  /**
   * The quota policy's name goes into a structured-field string: printable ASCII without quotes or
   * backslashes.
   */
  static void quotaName(String at, String name, PolicyConfig.Problems problems) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        problems.add(at, "must be printable ASCII without quotes or backslashes");
        return;
      }
    }
    if (name.isEmpty()) {
      problems.add(at, "must not be empty");
    }
  }
}
