package dev.portico.fabric;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Service Fabric name: {@code fabric:/App}, {@code fabric:/App/Service}, or deeper ({@code
 * fabric:/myapp/app1/svc1}).
 *
 * <p>Equality is exact and case-sensitive: the reverse proxy answers 404 for a name in the wrong
 * case, so two names that differ only in case are different services here too.
 *
 * <p>A segment may not be empty, {@code .} or {@code ..}, and may not contain whitespace, control
 * characters, {@code /}, {@code \}, {@code ?}, {@code #} or {@code ~} ({@code ~} is the separator
 * of REST ids from api-version 6.0, so allowing it would make {@link #toRestId()} ambiguous).
 */
public record FabricName(List<String> segments) {

  /** The URI scheme, matched case-insensitively when parsing and always written in lower case. */
  public static final String SCHEME = "fabric:";

  public FabricName {
    if (segments == null) {
      throw new InvalidFabricNameException("A fabric name needs segments, got null");
    }
    if (segments.isEmpty()) {
      throw new InvalidFabricNameException(
          "A fabric name needs at least one segment (fabric:/ alone is the cluster root)");
    }
    for (int i = 0; i < segments.size(); i++) {
      String problem = segmentProblem(segments.get(i));
      if (problem != null) {
        throw new InvalidFabricNameException(
            "Invalid fabric name segment "
                + (i + 1)
                + " "
                + quote(segments.get(i))
                + ": "
                + problem);
      }
    }
    segments = List.copyOf(segments);
  }

  /** A name from its segments, e.g. {@code of("MyApp", "MyService")}. */
  public static FabricName of(String... segments) {
    return new FabricName(List.of(segments));
  }

  /** Parses {@code fabric:/App[/Service[/...]]}; one segment (an application name) is enough. */
  public static FabricName parse(String name) {
    return parse(name, 1);
  }

  /** Parses a service name: like {@link #parse} but at least {@code fabric:/App/Service}. */
  public static FabricName parseService(String name) {
    return parse(name, 2);
  }

  /** {@link #parse} without the exception, for callers that only want to know. */
  public static Optional<FabricName> tryParse(String name) {
    try {
      return Optional.of(parse(name));
    } catch (InvalidFabricNameException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether a backend URL points into Service Fabric naming (it starts with {@code fabric:}, any
   * case). It says nothing about validity: parse it to find out.
   */
  public static boolean isFabricUrl(String url) {
    return url != null && url.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
  }

  /**
   * Parses a REST id ({@code myapp~app1~svc1}); the separator before api-version 6.0 was {@code /}
   * ({@code myapp/app1/svc1}) and both are accepted, even mixed, since neither can occur inside a
   * segment.
   */
  public static FabricName fromRestId(String restId) {
    if (restId == null) {
      throw new InvalidFabricNameException("A REST id is required, got null");
    }
    if (restId.isEmpty()) {
      throw new InvalidFabricNameException("A REST id is required, got an empty string");
    }
    if (isFabricUrl(restId)) {
      throw new InvalidFabricNameException(
          "Invalid REST id "
              + quote(restId)
              + ": it is a fabric name; a REST id drops 'fabric:/' and uses '~' as the separator");
    }
    List<String> segments = split(restId, 0, true);
    for (int i = 0; i < segments.size(); i++) {
      String problem = segmentProblem(segments.get(i));
      if (problem != null) {
        throw new InvalidFabricNameException(
            "Invalid REST id "
                + quote(restId)
                + ": segment "
                + (i + 1)
                + " "
                + quote(segments.get(i))
                + " "
                + problem
                + (segments.get(i).isEmpty() ? " (leading, trailing or doubled separator)" : ""));
      }
    }
    return new FabricName(segments);
  }

  /** The REST id of api-version 6.0 and later: the segments joined with {@code ~}. */
  public String toRestId() {
    return String.join("~", segments);
  }

  /** The application this name belongs to: its first segment, {@code fabric:/App}. */
  public FabricName application() {
    return segments.size() == 1 ? this : new FabricName(segments.subList(0, 1));
  }

  /** True for a one-segment name, which can only be an application. */
  public boolean isApplication() {
    return segments.size() == 1;
  }

  /** The name one level up, or empty for a one-segment name. */
  public Optional<FabricName> parent() {
    return segments.size() == 1
        ? Optional.empty()
        : Optional.of(new FabricName(segments.subList(0, segments.size() - 1)));
  }

  /** The last segment ({@code MyService} of {@code fabric:/MyApp/MyService}). */
  public String lastSegment() {
    return segments.get(segments.size() - 1);
  }

  /** Whether {@code other} lies strictly below this name (segment-wise, case-sensitive). */
  public boolean isAncestorOf(FabricName other) {
    return other.segments.size() > segments.size()
        && other.segments.subList(0, segments.size()).equals(segments);
  }

  /** {@code fabric:/App/Service}. */
  @Override
  public String toString() {
    return SCHEME + "/" + String.join("/", segments);
  }

  private static FabricName parse(String name, int minSegments) {
    if (name == null) {
      throw new InvalidFabricNameException("A fabric name is required, got null");
    }
    if (name.isEmpty()) {
      throw new InvalidFabricNameException("A fabric name is required, got an empty string");
    }
    if (!isFabricUrl(name)) {
      String why =
          Character.isWhitespace(name.charAt(0))
              ? "it starts with whitespace"
              : "it does not start with the 'fabric:/' scheme (expected fabric:/App/Service)";
      throw invalid(name, why);
    }
    int start = SCHEME.length();
    if (name.length() == start) {
      throw invalid(name, "it names no application (expected fabric:/App/Service)");
    }
    if (name.charAt(start) != '/') {
      throw invalid(name, "expected '/' after 'fabric:'");
    }
    start++;
    if (name.length() == start) {
      throw invalid(name, "it names no application; fabric:/ alone is the cluster root");
    }
    if (name.endsWith("/")) {
      throw invalid(name, "it has a trailing '/'");
    }
    List<String> segments = split(name, start, false);
    for (int i = 0; i < segments.size(); i++) {
      String problem = segmentProblem(segments.get(i));
      if (problem != null) {
        throw invalid(
            name,
            "segment "
                + (i + 1)
                + " "
                + quote(segments.get(i))
                + " "
                + problem
                + (segments.get(i).isEmpty() ? " (a '//' in the name)" : ""));
      }
    }
    if (segments.size() < minSegments) {
      throw invalid(
          name,
          "it names only the application "
              + SCHEME
              + "/"
              + segments.get(0)
              + "; a service name (fabric:/App/Service) is required");
    }
    return new FabricName(segments);
  }

  private static List<String> split(String s, int from, boolean tildeToo) {
    List<String> parts = new ArrayList<>(4);
    int begin = from;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '/' || (tildeToo && c == '~')) {
        parts.add(s.substring(begin, i));
        begin = i + 1;
      }
    }
    parts.add(s.substring(begin));
    return parts;
  }

  /** Why a segment is not acceptable, or null when it is. */
  private static String segmentProblem(String segment) {
    if (segment == null) {
      return "is null";
    }
    if (segment.isEmpty()) {
      return "is empty";
    }
    if (segment.equals(".") || segment.equals("..")) {
      return "is a relative path step";
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        return "contains whitespace";
      }
      if (Character.isISOControl(c)) {
        return "contains a control character";
      }
      switch (c) {
        case '~':
          return "contains '~', which is reserved as the REST id separator";
        case '/':
          return "contains '/'";
        case '\\':
          return "contains '\\'";
        case '?':
        case '#':
          return "contains '" + c + "', a URI query/fragment delimiter";
        default:
          break;
      }
    }
    return null;
  }

  private static InvalidFabricNameException invalid(String name, String why) {
    return new InvalidFabricNameException("Invalid fabric name " + quote(name) + ": " + why);
  }

  private static String quote(String s) {
    return s == null ? "null" : '"' + s + '"';
  }
}
