package dev.portico.gateway.expression;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An operation's path template, relative to its API's prefix: literal segments, {@code {name}}
 * parameters (one whole segment each) and an optional final wildcard ({@code *} or {@code {*name}})
 * that matches the rest of the path, including nothing.
 */
public final class PathTemplate implements Comparable<PathTemplate> {

  private static final Pattern PARAM = Pattern.compile("^\\{[A-Za-z_][A-Za-z0-9_.-]*}$");
  private static final Pattern WILDCARD =
      Pattern.compile("^(\\*|\\{\\*[A-Za-z_][A-Za-z0-9_.-]*})$");

  private enum Kind {
    LITERAL,
    PARAM,
    WILDCARD
  }

  private final String source;
  private final Kind[] kinds;
  private final String[] literals;
  private final String[] parameters; // the name of each {name} segment, null elsewhere

  private PathTemplate(String source, Kind[] kinds, String[] literals, String[] parameters) {
    this.source = source;
    this.kinds = kinds;
    this.literals = literals;
    this.parameters = parameters;
  }

  public static PathTemplate parse(String template) {
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("operation path '" + template + "' must start with '/'");
    }
    if (template.contains("?") || template.contains("#")) {
      throw new IllegalArgumentException(
          "operation path '" + template + "' must not contain a query or fragment");
    }
    String body =
        template.length() > 1 && template.endsWith("/")
            ? template.substring(1, template.length() - 1)
            : template.substring(1);
    List<Kind> kinds = new ArrayList<>();
    List<String> literals = new ArrayList<>();
    List<String> parameters = new ArrayList<>();
    if (!body.isEmpty()) {
      String[] parts = body.split("/", -1);
      for (int i = 0; i < parts.length; i++) {
        String p = parts[i];
        if (p.isEmpty()) {
          throw new IllegalArgumentException(
              "operation path '" + template + "' has an empty segment");
        }
        if (WILDCARD.matcher(p).matches()) {
          if (i != parts.length - 1) {
            throw new IllegalArgumentException(
                "operation path '" + template + "': a wildcard must be the last segment");
          }
          kinds.add(Kind.WILDCARD);
          literals.add(null);
          parameters.add(null);
        } else if (PARAM.matcher(p).matches()) {
          kinds.add(Kind.PARAM);
          literals.add(null);
          parameters.add(p.substring(1, p.length() - 1));
        } else if (p.contains("{") || p.contains("}") || p.contains("*")) {
          throw new IllegalArgumentException(
              "operation path '"
                  + template
                  + "': segment '"
                  + p
                  + "' must be a literal, a whole {parameter}, or a final * wildcard");
        } else {
          kinds.add(Kind.LITERAL);
          literals.add(p);
          parameters.add(null);
        }
      }
    }
    return new PathTemplate(
        template,
        kinds.toArray(new Kind[0]),
        literals.toArray(new String[0]),
        parameters.toArray(new String[0]));
  }

  /** The segment index (0 = the first after the API prefix) of parameter {@code {name}}, or -1. */
  public int parameterIndex(String name) {
    for (int i = 0; i < parameters.length; i++) {
      if (name.equals(parameters[i])) {
        return i;
      }
    }
    return -1;
  }

  /** The names of the {@code {name}} parameters, in order. */
  public java.util.Set<String> parameterNames() {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (String p : parameters) {
      if (p != null) {
        names.add(p);
      }
    }
    return names;
  }

  /**
   * The values of the {@code {name}} parameters in {@code path} (relative to the API prefix from
   * {@code from}), still percent-encoded; for a path this template {@link #matches}. Called only
   * for routes with policies.
   */
  public java.util.Map<String, String> parameterValues(String path, int from) {
    java.util.Map<String, String> out = null;
    int pos = from;
    for (int i = 0; i < kinds.length && pos < path.length(); i++) {
      if (kinds[i] == Kind.WILDCARD) {
        break;
      }
      int segStart = pos + 1;
      int segEnd = path.indexOf('/', segStart);
      if (segEnd < 0) {
        segEnd = path.length();
      }
      if (kinds[i] == Kind.PARAM) {
        if (out == null) {
          out = new java.util.HashMap<>(4);
        }
        out.put(parameters[i], path.substring(segStart, segEnd));
      }
      pos = segEnd;
    }
    return out == null ? java.util.Map.of() : out;
  }

  /**
   * The template with parameter names erased, so that {@code /a/{x}} and {@code /a/{y}} compare
   * equal.
   */
  public String canonical() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < kinds.length; i++) {
      sb.append('/')
          .append(
              switch (kinds[i]) {
                case LITERAL -> literals[i];
                case PARAM -> "{}";
                case WILDCARD -> "*";
              });
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  /**
   * Whether {@code path} (relative to the API prefix, {@code ""} or starting with {@code /})
   * matches. Scans the string in place: no allocation.
   */
  public boolean matches(String path, int from) {
    int pos = from;
    int end = path.length();
    if (end > pos && path.charAt(end - 1) == '/') {
      end--; // one trailing slash is not significant
    }
    for (int i = 0; i < kinds.length; i++) {
      if (kinds[i] == Kind.WILDCARD) {
        return true;
      }
      if (pos >= end || path.charAt(pos) != '/') {
        return false;
      }
      int segStart = pos + 1;
      int segEnd = path.indexOf('/', segStart);
      if (segEnd < 0 || segEnd > end) {
        segEnd = end;
      }
      if (segEnd == segStart) {
        return false;
      }
      if (kinds[i] == Kind.LITERAL) {
        String lit = literals[i];
        if (segEnd - segStart != lit.length()
            || !path.regionMatches(segStart, lit, 0, lit.length())) {
          return false;
        }
      }
      pos = segEnd;
    }
    return pos >= end;
  }

  /**
   * More specific first: at the first differing segment a literal beats a parameter beats a
   * wildcard.
   */
  @Override
  public int compareTo(PathTemplate o) {
    int n = Math.min(kinds.length, o.kinds.length);
    for (int i = 0; i < n; i++) {
      int c = kinds[i].compareTo(o.kinds[i]);
      if (c != 0) {
        return c;
      }
    }
    if (kinds.length == o.kinds.length) {
      return 0;
    }
    // one is a prefix of the other: /a/{id} before /a, but /a before /a/*
    boolean thisLonger = kinds.length > o.kinds.length;
    Kind next = thisLonger ? kinds[n] : o.kinds[n];
    boolean longerFirst = next != Kind.WILDCARD;
    return thisLonger == longerFirst ? -1 : 1;
  }

  @Override
  public String toString() {
    return source;
  }
}
