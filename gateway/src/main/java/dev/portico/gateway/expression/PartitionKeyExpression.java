package dev.portico.gateway.expression;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a request's Service Fabric partition key comes from: APIM's {@code sf-partition-key}, which
 * there is a C# policy expression, here a small closed language checked at configuration time:
 *
 * <ul>
 *   <li>{@code {name}}: the operation's template parameter {@code name} (its path segment);
 *   <li>{@code segment:N}: the N-th path segment after the API prefix, counting from 0;
 *   <li>{@code header:Name}: the request header {@code Name} (its first value);
 *   <li>{@code query:name}: the query parameter {@code name} (its first value);
 *   <li>{@code literal:text}: always {@code text};
 *   <li>{@code hash(<one of the above>)}: the 64-bit FNV-1a hash of the value's UTF-8 bytes, as a
 *       signed decimal, to spread string ids over Int64Range partitions.
 * </ul>
 *
 * Path segments are percent-decoded. The value is text; it becomes an Int64 or a Named key once the
 * service's partition kind is known, at resolution.
 */
public sealed interface PartitionKeyExpression {

  /** The expression as written. */
  String source();

  /**
   * The key text this request carries, or {@code null} when it carries none.
   *
   * @param rest the request path after the API prefix ({@code ""} or starting with {@code /})
   */
  String evaluate(HttpServerRequest req, String rest);

  /** Why {@link #evaluate} gave nothing, for the client's error detail. */
  String absence();

  /**
   * This expression with template parameters turned into path segments of {@code template} ({@code
   * null} for an API without operations).
   *
   * @throws IllegalArgumentException when a parameter is not in the template
   */
  default PartitionKeyExpression bind(PathTemplate template) {
    return this;
  }

  /** Reads an expression; the message of the exception says what is wrong and what is allowed. */
  static PartitionKeyExpression parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty; " + KeySyntax.EXPECTED);
    }
    String t = text.strip();
    if (t.startsWith("@(") || t.startsWith("@{")) {
      throw new IllegalArgumentException(
          "'" + t + "': APIM policy expressions are not supported; " + KeySyntax.EXPECTED);
    }
    if (t.startsWith("hash(") && t.endsWith(")")) {
      PartitionKeyExpression inner = parse(t.substring(5, t.length() - 1));
      if (inner instanceof Hashed) {
        throw new IllegalArgumentException("'" + t + "': hash(...) cannot be nested");
      }
      return new Hashed(inner, t);
    }
    if (t.startsWith("{") && t.endsWith("}")) {
      String name = t.substring(1, t.length() - 1);
      if (name.startsWith("*")) {
        throw new IllegalArgumentException(
            "'"
                + t
                + "' is a wildcard, which spans several segments; name a single"
                + " {parameter} or use segment:N");
      }
      if (!KeySyntax.PARAM.matcher(name).matches()) {
        throw new IllegalArgumentException("'" + t + "' is not a template parameter name");
      }
      return new Parameter(name);
    }
    int colon = t.indexOf(':');
    String kind = colon < 0 ? t : t.substring(0, colon);
    String arg = colon < 0 ? "" : t.substring(colon + 1);
    switch (kind) {
      case "segment":
        int index;
        try {
          index = Integer.parseInt(arg);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "'"
                  + t
                  + "': segment:N needs a segment number N (0 is the first"
                  + " segment after the API prefix)");
        }
        if (index < 0 || index > 63) {
          throw new IllegalArgumentException("'" + t + "': the segment number must be within 0-63");
        }
        return new Segment(index, t);
      case "header":
        if (!KeySyntax.TOKEN.matcher(arg).matches()) {
          throw new IllegalArgumentException(
              "'" + t + "': '" + arg + "' is not a valid HTTP header name");
        }
        return new Header(arg);
      case "query":
        if (arg.isEmpty()) {
          throw new IllegalArgumentException("'" + t + "': query:name needs a parameter name");
        }
        return new Query(arg);
      case "literal":
        if (arg.isEmpty()) {
          throw new IllegalArgumentException("'" + t + "': literal:text needs a non-empty text");
        }
        return new Literal(arg);
      default:
        throw new IllegalArgumentException(
            "'" + t + "' is not a partition key expression; " + KeySyntax.EXPECTED);
    }
  }

  /** An operation template parameter; must be {@linkplain #bind bound} before use. */
  record Parameter(String name) implements PartitionKeyExpression {
    @Override
    public String source() {
      return "{" + name + "}";
    }

    @Override
    public String evaluate(HttpServerRequest req, String rest) {
      throw new IllegalStateException(
          "template parameter " + source() + " was not bound to its operation's template");
    }

    @Override
    public String absence() {
      return "the path has no segment for " + source();
    }

    @Override
    public PartitionKeyExpression bind(PathTemplate template) {
      int index = template == null ? -1 : template.parameterIndex(name);
      if (index < 0) {
        throw new IllegalArgumentException(
            template == null
                ? "template parameter "
                    + source()
                    + " needs an operation path template; this API has no operations"
                    + " (use segment:N)"
                : "the operation path '" + template + "' has no parameter " + source());
      }
      return new Segment(index, source());
    }
  }

  /** The {@code index}-th segment of the path after the API prefix. */
  record Segment(int index, String source) implements PartitionKeyExpression {
    @Override
    public String evaluate(HttpServerRequest req, String rest) {
      int pos = 0;
      for (int i = 0; i <= index; i++) {
        if (pos >= rest.length() || rest.charAt(pos) != '/') {
          return null;
        }
        int end = rest.indexOf('/', pos + 1);
        if (end < 0) {
          end = rest.length();
        }
        if (i == index) {
          return end == pos + 1 ? null : KeySyntax.percentDecode(rest.substring(pos + 1, end));
        }
        pos = end;
      }
      return null;
    }

    @Override
    public String absence() {
      return "the path has no segment " + index + " after the API prefix (" + source + ")";
    }
  }

  record Header(String name) implements PartitionKeyExpression {
    @Override
    public String source() {
      return "header:" + name;
    }

    @Override
    public String evaluate(HttpServerRequest req, String rest) {
      String v = req.getHeader(name);
      return v == null || v.isEmpty() ? null : v;
    }

    @Override
    public String absence() {
      return "the request has no " + name + " header (" + source() + ")";
    }
  }

  record Query(String name) implements PartitionKeyExpression {
    @Override
    public String source() {
      return "query:" + name;
    }

    @Override
    public String evaluate(HttpServerRequest req, String rest) {
      String v = req.getParam(name);
      return v == null || v.isEmpty() ? null : v;
    }

    @Override
    public String absence() {
      return "the request has no query parameter " + name + " (" + source() + ")";
    }
  }

  record Literal(String value) implements PartitionKeyExpression {
    @Override
    public String source() {
      return "literal:" + value;
    }

    @Override
    public String evaluate(HttpServerRequest req, String rest) {
      return value;
    }

    @Override
    public String absence() {
      return "";
    }
  }

  /**
   * FNV-1a 64 of the inner value: stable across processes and versions, unlike a platform hash
   * code.
   */
  record Hashed(PartitionKeyExpression inner, String source) implements PartitionKeyExpression {
    public Hashed {
      Objects.requireNonNull(inner, "inner");
    }

    @Override
    public String evaluate(HttpServerRequest req, String rest) {
      String v = inner.evaluate(req, rest);
      return v == null ? null : Long.toString(fnv1a64(v));
    }

    @Override
    public String absence() {
      return inner.absence();
    }

    @Override
    public PartitionKeyExpression bind(PathTemplate template) {
      PartitionKeyExpression bound = inner.bind(template);
      return bound == inner ? this : new Hashed(bound, source);
    }

    public static long fnv1a64(String value) {
      long h = 0xcbf29ce484222325L;
      for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
        h ^= b & 0xff;
        h *= 0x100000001b3L;
      }
      return h;
    }
  }
}
