package dev.portico.gateway.policy.internal;

import dev.portico.gateway.policy.PolicyRequest;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A policy expression, compiled once, evaluated per request without regular expressions: literal
 * text with
 *
 * <ul>
 *   <li>{@code {{name}}}: a named value, substituted when the policy is compiled;
 *   <li>{@code {name}} or {@code {path.name}}: a path parameter of the operation's template;
 *   <li>{@code {claim.name}}: a claim of the token {@code validate-jwt} validated (a dotted name
 *       walks into objects);
 *   <li>{@code {header.Name}}: the first value of a request header; {@code {query.name}}: a query
 *       parameter;
 *   <li>{@code {request.ip}}, {@code {request.method}}, {@code {request.path}}, {@code
 *       {request.host}}, {@code {request.api}}, {@code {request.operation}}.
 * </ul>
 *
 * {@code \{}, {@code \}} and {@code \\} stand for themselves. Something missing evaluates to {@code
 * ""}.
 */
public final class Template {

  /**
   * How substituted values are escaped: not at all (headers, keys), as a path segment, or as a
   * query component.
   */
  public enum Encoding {
    NONE,
    PATH,
    QUERY
  }

  private static final String[] REQUEST_VARS = {"ip", "method", "path", "host", "api", "operation"};

  private final String source;
  private final Part[] parts;
  private final String constant;
  private final Set<String> pathParameters;

  private Template(String source, Part[] parts, Set<String> pathParameters) {
    this.source = source;
    this.parts = parts;
    this.pathParameters = pathParameters;
    String c = null;
    if (parts.length == 0) {
      c = "";
    } else if (parts.length == 1 && parts[0] instanceof Literal l) {
      c = l.text;
    }
    this.constant = c;
  }

  /**
   * Compiles {@code source}. {@code namedValues} answers a named value or {@code null} when
   * unknown; {@code trustedProxyDepth} decides {@code {request.ip}}.
   *
   * @throws TemplateException with a message naming the offending part
   */
  public static Template compile(
      String source, Function<String, String> namedValues, int trustedProxyDepth) {
    List<Part> parts = new ArrayList<>();
    Set<String> params = new LinkedHashSet<>();
    StringBuilder lit = new StringBuilder();
    int n = source.length();
    int i = 0;
    while (i < n) {
      char c = source.charAt(i);
      if (c == '\\' && i + 1 < n && "{}\\".indexOf(source.charAt(i + 1)) >= 0) {
        lit.append(source.charAt(i + 1));
        i += 2;
      } else if (c == '{' && i + 1 < n && source.charAt(i + 1) == '{') {
        int close = source.indexOf("}}", i + 2);
        if (close < 0) {
          throw new TemplateException("'{{' at position " + i + " is not closed by '}}'");
        }
        String name = source.substring(i + 2, close).trim();
        if (name.isEmpty()) {
          throw new TemplateException("empty named value reference '{{}}' at position " + i);
        }
        String value = namedValues.apply(name);
        if (value == null) {
          throw new TemplateException("unknown named value '{{" + name + "}}'");
        }
        lit.append(value);
        i = close + 2;
      } else if (c == '{') {
        int close = source.indexOf('}', i + 1);
        if (close < 0) {
          throw new TemplateException(
              "'{' at position " + i + " is not closed by '}' (write \\{ for a literal brace)");
        }
        String expr = source.substring(i + 1, close);
        Part part = expression(expr, trustedProxyDepth);
        if (part instanceof PathParam p) {
          params.add(p.name);
        }
        if (lit.length() > 0) {
          parts.add(new Literal(lit.toString()));
          lit.setLength(0);
        }
        parts.add(part);
        i = close + 1;
      } else if (c == '}') {
        throw new TemplateException(
            "'}' at position " + i + " closes nothing (write \\} for a literal brace)");
      } else {
        lit.append(c);
        i++;
      }
    }
    if (lit.length() > 0) {
      parts.add(new Literal(lit.toString()));
    }
    return new Template(source, parts.toArray(new Part[0]), Set.copyOf(params));
  }

  private static Part expression(String expr, int depth) {
    if (expr.isEmpty()) {
      throw new TemplateException("empty expression '{}'");
    }
    int dot = expr.indexOf('.');
    String kind = dot < 0 ? null : expr.substring(0, dot);
    String arg = dot < 0 ? expr : expr.substring(dot + 1);
    if (kind == null) {
      return new PathParam(checkName(expr, expr));
    }
    if (arg.isEmpty()) {
      throw new TemplateException("'{" + expr + "}' names no " + kind);
    }
    return switch (kind) {
      case "path" -> new PathParam(checkName(expr, arg));
      case "claim" -> new Claim(arg);
      case "header" -> new Header(checkName(expr, arg));
      case "query" -> new Query(arg);
      case "request" -> {
        for (String v : REQUEST_VARS) {
          if (v.equals(arg)) {
            yield new RequestVar(arg, depth);
          }
        }
        throw new TemplateException(
            "unknown '{"
                + expr
                + "}': request values are "
                + String.join(
                    ", ",
                    java.util.Arrays.stream(REQUEST_VARS)
                        .map(v -> "{request." + v + "}")
                        .toList()));
      }
      default ->
          throw new TemplateException(
              "unknown '{"
                  + expr
                  + "}': use {name} or {path.name}, {claim.name},"
                  + " {header.Name}, {query.name}, {request.ip|method|path|host|api|operation}, or {{named-value}}");
    };
  }

  private static String checkName(String expr, String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
        throw new TemplateException("'{" + expr + "}': '" + c + "' is not allowed in a name");
      }
    }
    return name;
  }

  /** Whether it has no expression (its value is {@link #constant()}). */
  public boolean isConstant() {
    return constant != null;
  }

  public String constant() {
    return constant;
  }

  /** Path parameters it refers to. */
  public Set<String> pathParameters() {
    return pathParameters;
  }

  /** Query parameters it reads ({@code {query.name}}). */
  public Set<String> queryParameters() {
    Set<String> out = new LinkedHashSet<>();
    for (Part p : parts) {
      if (p instanceof Query q) {
        out.add(q.name);
      }
    }
    return out;
  }

  /** Whether it reads the claims of a validated token. */
  public boolean usesClaims() {
    for (Part p : parts) {
      if (p instanceof Claim) {
        return true;
      }
    }
    return false;
  }

  public String evaluate(PolicyRequest request) {
    return evaluate(request, Encoding.NONE);
  }

  /**
   * The value for {@code request}; substituted values escaped by {@code encoding} (literals are
   * kept as written).
   */
  public String evaluate(PolicyRequest request, Encoding encoding) {
    if (constant != null) {
      return constant;
    }
    if (parts.length == 1 && encoding == Encoding.NONE) {
      String v = parts[0].value(request);
      return v == null ? "" : v;
    }
    StringBuilder out = new StringBuilder(source.length() + 32);
    appendTo(request, encoding, out);
    return out.toString();
  }

  public void appendTo(PolicyRequest request, Encoding encoding, StringBuilder out) {
    for (Part p : parts) {
      if (p instanceof Literal l) {
        out.append(l.text);
        continue;
      }
      String v = p.value(request);
      if (v == null || v.isEmpty()) {
        continue;
      }
      switch (encoding) {
        case NONE -> out.append(v);
        // a path parameter is taken from the request path as received: already percent-encoded
        case PATH -> {
          if (p instanceof PathParam) {
            out.append(v);
          } else {
            QueryStrings.encodeSegment(v, out);
          }
        }
        case QUERY ->
            QueryStrings.encodeComponent(
                p instanceof PathParam ? QueryStrings.decode(v, 0, v.length()) : v, out);
      }
    }
  }

  @Override
  public String toString() {
    return source;
  }

  private sealed interface Part permits Literal, PathParam, Claim, Header, Query, RequestVar {
    String value(PolicyRequest r);
  }

  private record Literal(String text) implements Part {
    public String value(PolicyRequest r) {
      return text;
    }
  }

  private record PathParam(String name) implements Part {
    public String value(PolicyRequest r) {
      return r.pathParam(name);
    }
  }

  private record Header(String name) implements Part {
    public String value(PolicyRequest r) {
      return r.header(name);
    }
  }

  private record Query(String name) implements Part {
    public String value(PolicyRequest r) {
      return r.queryParam(name);
    }
  }

  private record RequestVar(String name, int depth) implements Part {
    public String value(PolicyRequest r) {
      return switch (name) {
        case "ip" -> ClientAddress.of(r, depth);
        case "method" -> r.method().name();
        case "path" -> r.path();
        case "host" -> r.header("Host");
        case "api" -> r.apiId();
        default -> r.operationId();
      };
    }
  }

  private record Claim(String name) implements Part {
    public String value(PolicyRequest r) {
      return Claims.asText(Claims.find(r.claims(), name));
    }
  }

  /** Claim lookup and rendering shared with validate-jwt's required claims. */
  public static final class Claims {
    private Claims() {}

    /**
     * The claim {@code name}: the exact key first, else a dotted path into nested objects; null
     * when absent.
     */
    public static Object find(Map<String, Object> claims, String name) {
      if (claims == null || claims.isEmpty()) {
        return null;
      }
      Object v = claims.get(name);
      if (v != null || name.indexOf('.') < 0) {
        return v;
      }
      Object at = claims;
      int from = 0;
      while ((at = plain(at)) instanceof Map<?, ?> m) {
        int dot = name.indexOf('.', from);
        String key = dot < 0 ? name.substring(from) : name.substring(from, dot);
        at = m.get(key);
        if (dot < 0) {
          return at;
        }
        from = dot + 1;
      }
      return null;
    }

    /** A Vert.x JSON container as the plain map or list it wraps; anything else as is. */
    public static Object plain(Object v) {
      if (v instanceof JsonObject o) {
        return o.getMap();
      }
      if (v instanceof JsonArray a) {
        return a.getList();
      }
      return v;
    }

    /**
     * Text of a claim value: a string as is, an integral number without decimals, a list joined
     * with commas, an object as JSON.
     */
    public static String asText(Object value) {
      Object v = plain(value);
      if (v == null) {
        return null;
      }
      if (v instanceof String s) {
        return s;
      }
      if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        return d == Math.rint(d) && Math.abs(d) < 1e15
            ? Long.toString((long) d)
            : Double.toString(d);
      }
      if (v instanceof Number || v instanceof Boolean) {
        return v.toString();
      }
      if (v instanceof List<?> list) {
        StringBuilder sb = new StringBuilder();
        for (Object o : list) {
          if (sb.length() > 0) {
            sb.append(',');
          }
          sb.append(asText(o));
        }
        return sb.toString();
      }
      return Json.encode(v);
    }
  }
}
