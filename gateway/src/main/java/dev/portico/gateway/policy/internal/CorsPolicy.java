package dev.portico.gateway.policy.internal;

import dev.portico.gateway.policy.HeaderEdits;
import dev.portico.gateway.policy.Policy;
import dev.portico.gateway.policy.PolicyOutcome;
import dev.portico.gateway.policy.PolicyRequest;
import dev.portico.gateway.policy.config.CorsConfig;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code cors} (Fetch standard, CORS protocol). A preflight ({@code OPTIONS} with {@code Origin}
 * and {@code Access-Control-Request-Method}) is answered here: 204 with the allowing headers when
 * origin, method and requested headers are allowed; otherwise, with {@code
 * terminate-unmatched-request} (default), a plain 200 without CORS headers (what APIM does; the
 * browser then blocks the actual request), or it goes on to the backend. An actual request from an
 * allowed origin gets {@code Access-Control-Allow-Origin} (and credentials and expose headers) on
 * its response; from any other origin, no CORS headers (the browser keeps the response from the
 * page). The policy owns these headers: those a backend sets are replaced or removed, so a backend
 * cannot widen the policy. Responses that depend on the origin say {@code Vary: Origin}.
 */
public final class CorsPolicy implements Policy {

  private static final String ACAO = "Access-Control-Allow-Origin";
  private static final String ACAC = "Access-Control-Allow-Credentials";
  private static final String ACAM = "Access-Control-Allow-Methods";
  private static final String ACAH = "Access-Control-Allow-Headers";
  private static final String ACEH = "Access-Control-Expose-Headers";
  private static final String ACMA = "Access-Control-Max-Age";
  private static final String PREFLIGHT_VARY =
      "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

  private final String location;
  private final boolean anyOrigin;
  private final Set<String> origins;
  private final List<String[]>
      wildcardOrigins; // {scheme "https://", suffix ".example.com", port ":8443" or ""}
  private final boolean credentials;
  private final boolean terminate;
  private final boolean anyMethod;
  private final Set<String> methods;
  private final String methodsValue;
  private final boolean anyHeader;
  private final Set<String> headers;
  private final String headersValue;
  private final String maxAge;

  /**
   * Response edits for an actual request from an allowed origin, when they do not depend on the
   * origin ({@code *}).
   */
  private final HeaderEdits staticAllowed;

  /** Response edits for a request whose origin is not allowed, or without an Origin. */
  private final HeaderEdits notAllowed;

  private final String exposeValue;

  public CorsPolicy(String location, CorsConfig c) {
    this.location = location;
    this.anyOrigin = c.allowedOrigins().contains("*");
    this.origins =
        c.allowedOrigins().stream()
            .filter(o -> !o.equals("*") && !o.contains("://*."))
            .collect(Collectors.toSet());
    this.wildcardOrigins =
        c.allowedOrigins().stream()
            .filter(o -> o.contains("://*."))
            .map(
                o -> {
                  int at = o.indexOf("://*.");
                  String rest = o.substring(at + 4); // ".example.com[:port]"
                  int colon = rest.indexOf(':');
                  return new String[] {
                    o.substring(0, at + 3),
                    colon < 0 ? rest : rest.substring(0, colon),
                    colon < 0 ? "" : rest.substring(colon)
                  };
                })
            .toList();
    this.credentials = c.allowCredentials();
    this.terminate = c.terminateUnmatchedRequest();
    this.anyMethod = c.allowedMethods().contains("*");
    this.methods = Set.copyOf(c.allowedMethods());
    this.methodsValue = String.join(", ", c.allowedMethods());
    this.anyHeader = c.allowedHeaders().contains("*");
    this.headers =
        c.allowedHeaders().stream()
            .map(h -> h.toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
    this.headersValue = String.join(", ", c.allowedHeaders());
    this.maxAge =
        c.preflightResultMaxAge() == null
            ? null
            : Long.toString(c.preflightResultMaxAge().getSeconds());
    this.exposeValue = c.exposeHeaders().isEmpty() ? null : String.join(", ", c.exposeHeaders());
    HeaderEdits.Builder removeAll = HeaderEdits.builder().remove(ACAO).remove(ACAC).remove(ACEH);
    if (!anyOrigin) {
      removeAll.append("Vary", "Origin");
    }
    this.notAllowed = removeAll.build();
    this.staticAllowed = anyOrigin ? allowed("*") : null;
  }

  @Override
  public String name() {
    return CorsConfig.NAME;
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Future<PolicyOutcome> apply(PolicyRequest request) {
    String origin = request.header("Origin");
    boolean preflight =
        request.method() == HttpMethod.OPTIONS
            && origin != null
            && request.header("Access-Control-Request-Method") != null;
    if (preflight) {
      return PolicyOutcome.now(preflight(request, origin));
    }
    if (origin == null || !originAllowed(origin)) {
      return PolicyOutcome.now(PolicyOutcome.Continue.withResponseHeaders(notAllowed));
    }
    return PolicyOutcome.now(
        PolicyOutcome.Continue.withResponseHeaders(
            staticAllowed != null ? staticAllowed : allowed(origin)));
  }

  private HeaderEdits allowed(String origin) {
    HeaderEdits.Builder b =
        HeaderEdits.builder().set(ACAO, anyOrigin && !credentials ? "*" : origin);
    if (credentials) {
      b.set(ACAC, "true");
    } else {
      b.remove(ACAC);
    }
    if (exposeValue != null) {
      b.set(ACEH, exposeValue);
    } else {
      b.remove(ACEH);
    }
    if (!(anyOrigin && !credentials)) {
      b.append("Vary", "Origin");
    }
    return b.build();
  }

  private PolicyOutcome preflight(PolicyRequest request, String origin) {
    String method = request.header("Access-Control-Request-Method").trim();
    String requested = String.join(",", request.headers("Access-Control-Request-Headers"));
    if (!originAllowed(origin) || !methodAllowed(method) || !headersAllowed(requested)) {
      if (!terminate) {
        return PolicyOutcome.CONTINUE;
      }
      return new PolicyOutcome.Respond(200, HeaderEdits.set("Vary", PREFLIGHT_VARY));
    }
    HeaderEdits.Builder b =
        HeaderEdits.builder()
            .set(ACAO, anyOrigin && !credentials ? "*" : origin)
            // with credentials a browser takes '*' literally: name what was asked for instead
            .set(ACAM, anyMethod ? (credentials ? method : "*") : methodsValue);
    if (!requested.isBlank()) {
      b.set(ACAH, anyHeader ? (credentials ? requested : "*") : headersValue);
    }
    if (credentials) {
      b.set(ACAC, "true");
    }
    if (maxAge != null) {
      b.set(ACMA, maxAge);
    }
    b.set("Vary", PREFLIGHT_VARY);
    return new PolicyOutcome.Respond(204, b.build());
  }

  boolean originAllowed(String origin) {
    if (anyOrigin) {
      return true;
    }
    String o = origin.trim();
    if (origins.contains(o)) {
      return true;
    }
    for (String[] w : wildcardOrigins) {
      // https://*.example.com matches https://a.example.com and https://a.b.example.com, not
      // https://example.com
      if (o.startsWith(w[0]) && o.endsWith(w[1] + w[2])) {
        String host = o.substring(w[0].length(), o.length() - w[2].length());
        if (host.length() > w[1].length()
            && host.indexOf(':') < 0
            && host.indexOf('/') < 0
            && host.charAt(host.length() - w[1].length() - 1) != '.') {
          return true;
        }
      }
    }
    return false;
  }

  private boolean methodAllowed(String method) {
    // GET, HEAD and POST are CORS-safelisted methods: always allowed once the origin is
    return anyMethod
        || methods.contains(method)
        || method.equals("GET")
        || method.equals("HEAD")
        || method.equals("POST");
  }

  private boolean headersAllowed(String requested) {
    if (anyHeader || requested.isBlank()) {
      return true;
    }
    for (String h : requested.split(",")) {
      String name = h.trim().toLowerCase(Locale.ROOT);
      if (!name.isEmpty() && !headers.contains(name)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return name() + " at " + location;
  }
}
