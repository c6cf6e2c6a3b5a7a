package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * APIM's {@code cors}: the gateway answers preflights and decorates the responses to allowed
 * origins.
 *
 * @param allowCredentials {@code Access-Control-Allow-Credentials: true} (default false; not with
 *     {@code *})
 * @param terminateUnmatchedRequest answer a preflight that does not match (origin, method or
 *     headers) with a plain 200 without CORS headers (default true); false passes it to the backend
 * @param allowedOrigins origins ({@code https://app.example.com}), {@code *}, or a wildcard
 *     subdomain ({@code https://*.example.com}); required
 * @param allowedMethods methods a preflight may ask for (default GET, POST; {@code *} for any)
 * @param preflightResultMaxAge {@code Access-Control-Max-Age} in seconds (or ISO 8601); none by
 *     default
 * @param allowedHeaders request headers a preflight may ask for ({@code *} for any)
 * @param exposeHeaders response headers the browser may show to the page
 */
public record CorsConfig(
    @JsonProperty("allow-credentials") Boolean allowCredentials,
    @JsonProperty("terminate-unmatched-request") Boolean terminateUnmatchedRequest,
    @JsonProperty("allowed-origins") List<String> allowedOrigins,
    @JsonProperty("allowed-methods") List<String> allowedMethods,
    @JsonProperty("preflight-result-max-age") @JsonDeserialize(using = FlexibleDuration.class)
        Duration preflightResultMaxAge,
    @JsonProperty("allowed-headers") List<String> allowedHeaders,
    @JsonProperty("expose-headers") List<String> exposeHeaders)
    implements PolicyConfig {

  public static final String NAME = "cors";

  public CorsConfig {
    allowCredentials = allowCredentials != null && allowCredentials;
    terminateUnmatchedRequest = terminateUnmatchedRequest == null || terminateUnmatchedRequest;
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    allowedMethods = allowedMethods == null ? List.of("GET", "POST") : List.copyOf(allowedMethods);
    allowedHeaders = allowedHeaders == null ? List.of() : List.copyOf(allowedHeaders);
    exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
  }

  @Override
  public String policyName() {
    return NAME;
  }

  @Override
  public void validate(String at, Problems problems) {
    if (allowedOrigins.isEmpty()) {
      problems.add(at + ".allowed-origins", "give at least one origin, or '*'");
    }
    for (int i = 0; i < allowedOrigins.size(); i++) {
      String o = allowedOrigins.get(i);
      String oat = at + ".allowed-origins[" + i + "]";
      if (o.equals("*")) {
        if (allowCredentials) {
          problems.add(
              oat,
              "'*' cannot be used with allow-credentials: true (browsers refuse credentials with a"
                  + " wildcard origin); list the origins");
        }
        continue;
      }
      origin(oat, o, problems);
    }
    for (int i = 0; i < allowedMethods.size(); i++) {
      String m = allowedMethods.get(i);
      if (!m.equals("*") && !Validation.isToken(m)) {
        problems.add(at + ".allowed-methods[" + i + "]", "'" + m + "' is not a method name");
      }
    }
    names(at + ".allowed-headers", allowedHeaders, true, problems);
    names(at + ".expose-headers", exposeHeaders, true, problems);
    if (preflightResultMaxAge != null
        && (preflightResultMaxAge.isNegative() || preflightResultMaxAge.getNano() != 0)) {
      problems.add(
          at + ".preflight-result-max-age",
          "must be a whole number of seconds, got " + preflightResultMaxAge);
    }
  }

  private static void names(String at, List<String> names, boolean starAllowed, Problems problems) {
    for (int i = 0; i < names.size(); i++) {
      String h = names.get(i);
      if (!(starAllowed && h.equals("*")) && !Validation.isToken(h)) {
        problems.add(at + "[" + i + "]", "'" + h + "' is not a header name");
      }
    }
  }

  private static void origin(String at, String origin, Problems problems) {
    String o = origin;
    boolean wildcard = false;
    int star = o.indexOf("://*.");
    if (star > 0) {
      wildcard = true;
      o = o.substring(0, star + 3) + "x" + o.substring(star + 4);
    }
    try {
      URI u = new URI(o);
      boolean plain =
          u.getScheme() != null
              && u.getHost() != null
              && (u.getRawPath() == null || u.getRawPath().isEmpty())
              && u.getRawQuery() == null
              && u.getRawFragment() == null
              && u.getRawUserInfo() == null;
      if (!plain || o.contains("*")) {
        problems.add(
            at,
            "'"
                + origin
                + "' is not an origin: write scheme://host[:port] (no path),"
                + (wildcard ? "" : " '*', or a wildcard subdomain such as https://*.example.com"));
      } else if (!o.equals(o.toLowerCase(Locale.ROOT))) {
        problems.add(
            at, "'" + origin + "' must be lower case: browsers send origins in lower case");
      }
    } catch (Exception e) {
      problems.add(at, "'" + origin + "' is not an origin (scheme://host[:port])");
    }
  }
}
