package dev.portico.gateway.expression;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When a Service Fabric backend's outcome is a complaint that leads to re-resolution and a resend:
 * APIM's {@code sf-resolve-condition}, which there is a C# policy expression, here a small language
 * checked at configuration time.
 *
 * <pre>
 *   condition := term { ("or" | "||") term }
 *   term      := atom { ("and" | "&amp;&amp;") atom }
 *   atom      := "status" op code | "BackendConnectionFailure" | "Timeout"
 *   op        := "==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;="
 * </pre>
 *
 * A status comparison applies to a response (it is false when the attempt failed without one); a
 * reason applies to an attempt that failed with that reason. The default is APIM's documented one,
 * {@value #DEFAULT_TEXT}. Evaluating allocates nothing.
 */
public final class ResolveCondition {

  public static final String DEFAULT_TEXT = "status != 200 or BackendConnectionFailure or Timeout";
  public static final ResolveCondition DEFAULT = parse(DEFAULT_TEXT);

  // the error model's labels (problem.ErrorReason), as the expression language spells them: a leaf
  // names them itself (ErrorReasonTest holds them to the enum)
  private static final String CONNECTION = "BackendConnectionFailure";
  private static final String TIMEOUT = "Timeout";

  /** One comparison or reason. {@code op} is one of the operator strings, or null for a reason. */
  private record Atom(String op, int code, String reason) {
    boolean matches(int status, String failure) {
      if (op == null) {
        return status == 0 && reason.equals(failure);
      }
      if (status <= 0) {
        return false;
      }
      switch (op) {
        case "==":
          return status == code;
        case "!=":
          return status != code;
        case "<":
          return status < code;
        case "<=":
          return status <= code;
        case ">":
          return status > code;
        default:
          return status >= code;
      }
    }

    @Override
    public String toString() {
      return op == null ? reason : "status " + op + " " + code;
    }
  }

  private final String text;
  private final Atom[][] anyOf;

  private ResolveCondition(String text, Atom[][] anyOf) {
    this.text = text;
    this.anyOf = anyOf;
  }

  /**
   * Whether an attempt's outcome is a complaint.
   *
   * @param status the response status, or 0 when the attempt failed without one
   * @param reason the failure's error reason when {@code status} is 0
   */
  public boolean matches(int status, String reason) {
    for (Atom[] all : anyOf) {
      boolean ok = true;
      for (Atom a : all) {
        if (!a.matches(status, reason)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        return true;
      }
    }
    return false;
  }

  /** The condition as written. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  /** Reads a condition; the exception's message says where and what is wrong. */
  public static ResolveCondition parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty; write e.g. '" + DEFAULT_TEXT + "'");
    }
    String t = text.strip();
    if (t.startsWith("@(") || t.startsWith("@{")) {
      throw new IllegalArgumentException(
          "'"
              + t
              + "': APIM policy expressions are not supported; write e.g. '"
              + DEFAULT_TEXT
              + "'");
    }
    List<String> tokens = tokens(t);
    List<Atom[]> terms = new ArrayList<>();
    List<Atom> term = new ArrayList<>();
    int i = 0;
    while (true) {
      if (i >= tokens.size()) {
        throw new IllegalArgumentException("'" + t + "' ends where a condition was expected");
      }
      String tok = tokens.get(i);
      if (tok.equals("status")) {
        if (i + 2 >= tokens.size()) {
          throw new IllegalArgumentException(
              "'" + t + "': 'status' needs an operator and a status code");
        }
        String op = tokens.get(i + 1);
        if (!List.of("==", "!=", "<", "<=", ">", ">=").contains(op)) {
          throw new IllegalArgumentException(
              "'" + t + "': '" + op + "' is not a comparison (==, !=, <, <=, >, >=)");
        }
        int code;
        try {
          code = Integer.parseInt(tokens.get(i + 2));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "'" + t + "': '" + tokens.get(i + 2) + "' is not a status code");
        }
        if (code < 100 || code > 599) {
          throw new IllegalArgumentException(
              "'" + t + "': status code " + code + " is outside 100-599");
        }
        term.add(new Atom(op, code, null));
        i += 3;
      } else if (tok.equalsIgnoreCase(CONNECTION)) {
        term.add(new Atom(null, 0, CONNECTION));
        i++;
      } else if (tok.equalsIgnoreCase(TIMEOUT)) {
        term.add(new Atom(null, 0, TIMEOUT));
        i++;
      } else {
        throw new IllegalArgumentException(
            "'"
                + t
                + "': unexpected '"
                + tok
                + "'; expected 'status <op> <code>', "
                + CONNECTION
                + " or "
                + TIMEOUT);
      }
      if (i == tokens.size()) {
        terms.add(term.toArray(new Atom[0]));
        break;
      }
      String joint = tokens.get(i).toLowerCase(Locale.ROOT);
      if (joint.equals("or") || joint.equals("||")) {
        terms.add(term.toArray(new Atom[0]));
        term = new ArrayList<>();
      } else if (!joint.equals("and") && !joint.equals("&&")) {
        throw new IllegalArgumentException(
            "'" + t + "': expected 'or' or 'and', found '" + tokens.get(i) + "'");
      }
      i++;
    }
    return new ResolveCondition(t, terms.toArray(new Atom[0][]));
  }

  private static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if ("=!<>|&".indexOf(c) >= 0) {
        int j = i + 1;
        while (j < s.length() && "=!<>|&".indexOf(s.charAt(j)) >= 0) {
          j++;
        }
        out.add(s.substring(i, j));
        i = j;
      } else {
        int j = i + 1;
        while (j < s.length()
            && !Character.isWhitespace(s.charAt(j))
            && "=!<>|&".indexOf(s.charAt(j)) < 0) {
          j++;
        }
        String word = s.substring(i, j);
        out.add(word.equalsIgnoreCase("status") ? "status" : word);
        i = j;
      }
    }
    return out;
  }
}
