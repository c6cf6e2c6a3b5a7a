package dev.portico.gateway.policy.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portico.gateway.policy.HeaderEdits;
import dev.portico.gateway.policy.Policy;
import dev.portico.gateway.policy.PolicyEnvironment;
import dev.portico.gateway.policy.PolicyEvents;
import dev.portico.gateway.policy.PolicyOutcome;
import dev.portico.gateway.policy.PolicyRequest;
import dev.portico.gateway.policy.config.ValidateJwtConfig;
import dev.portico.gateway.policy.config.ValidateJwtConfig.RequiredClaim;
import dev.portico.gateway.problem.ErrorReason;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.SignatureException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code validate-jwt}: signatures verified by Vert.x Auth JWT ({@link JWTAuth}) against the key
 * set of a {@link JwksSource} and/or static keys; then this class checks expiry and not-before with
 * the clock skew, issuers, audiences and required claims (with messages a client can act on), on an
 * injectable clock. A verified token's claims are kept (bounded, for at most 10 minutes and never
 * past its expiry) so a client's repeated token is not verified again; a new key set empties that.
 *
 * <p>A token signed with {@code alg: none} is refused: the provider never runs without keys (it
 * would accept unsigned tokens then), and key lists are per algorithm, so an RSA key is never taken
 * as an HMAC secret.
 */
public final class JwtPolicy implements Policy {

  private static final long TOKEN_CACHE_SECONDS = 600;

  private final String location;
  private final ValidateJwtConfig config;
  private final JwksSource source;
  private final List<JsonObject> staticJwks;
  private final List<PubSecKeyOptions> staticPem;
  private final Vertx vertx;
  private final Clock clock;
  private final PolicyEvents events;
  private final long skewSeconds;
  private final AtomicReference<Verifier> verifier = new AtomicReference<>();
  private final Cache<String, Verified> verified;
  private final String headerName;
  private final String queryName;
  private final String scheme;

  private record Verifier(long generation, JWTAuth auth, boolean hasKeys) {}

  private record Verified(Map<String, Object> claims, long exp, long nbf, long generation) {}

  public JwtPolicy(
      String location,
      ValidateJwtConfig config,
      JwksSource source,
      List<JsonObject> staticJwks,
      List<PubSecKeyOptions> staticPem,
      PolicyEnvironment env) {
    this.location = location;
    this.config = config;
    this.source = source;
    this.staticJwks = List.copyOf(staticJwks);
    this.staticPem = List.copyOf(staticPem);
    this.vertx = env.vertx();
    this.clock = env.clock();
    this.events = env.events();
    this.skewSeconds = config.clockSkew().toSeconds();
    this.verified =
        config.verifiedTokenCache() == 0
            ? null
            : Caffeine.newBuilder()
                .maximumSize(config.verifiedTokenCache())
                .expireAfterWrite(Duration.ofSeconds(TOKEN_CACHE_SECONDS))
                .build();
    this.headerName = config.queryParameterName() == null ? config.headerName() : null;
    this.queryName = config.queryParameterName();
    this.scheme = config.requireScheme();
    if (source == null) {
      verifier.set(build(0, List.of()));
    }
  }

  /**
   * A provider over the static keys and {@code jwks}: made once per key set, then shared by every
   * request.
   */
  private Verifier build(long generation, List<JsonObject> jwks) {
    JWTAuthOptions options =
        new JWTAuthOptions().setJWTOptions(new JWTOptions().setIgnoreExpiration(true));
    for (JsonObject k : staticJwks) {
      options.addJwk(k);
    }
    for (JsonObject k : jwks) {
      options.addJwk(k);
    }
    for (PubSecKeyOptions k : staticPem) {
      options.addPubSecKey(k);
    }
    boolean hasKeys = !staticJwks.isEmpty() || !jwks.isEmpty() || !staticPem.isEmpty();
    return new Verifier(generation, hasKeys ? JWTAuth.create(vertx, options) : null, hasKeys);
  }

  private Verifier verifierFor(JwksSource.Keys keys) {
    Verifier v = verifier.get();
    if (v != null && v.generation == keys.generation()) {
      return v;
    }
    Verifier fresh = build(keys.generation(), keys.jwks());
    verifier.set(fresh);
    if (verified != null) {
      verified.invalidateAll();
    }
    return fresh;
  }

  @Override
  public String name() {
    return ValidateJwtConfig.NAME;
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Future<PolicyOutcome> apply(PolicyRequest request) {
    String token;
    if (headerName != null) {
      List<String> values = request.headers(headerName);
      if (values.isEmpty()) {
        return refuse("missing", "no token: the request has no " + headerName + " header", false);
      }
      if (values.size() > 1) {
        return refuse(
            "malformed",
            "the request has " + values.size() + " " + headerName + " headers; send one",
            true);
      }
      String value = values.get(0);
      token = scheme == null ? value.trim() : afterScheme(value);
      if (token == null) {
        return refuse(
            "malformed",
            "the " + headerName + " header does not hold a " + scheme + " token",
            true);
      }
    } else {
      token = request.queryParam(queryName);
      if (token == null || token.isEmpty()) {
        return refuse(
            "missing", "no token: the request has no '" + queryName + "' query parameter", false);
      }
    }
    if (token.length() > config.maxTokenSize()) {
      return tooLarge(token.length());
    }
    String shape = shapeProblem(token);
    if (shape != null) {
      return refuse("malformed", shape, true);
    }
    Verified hit = verified == null ? null : verified.getIfPresent(token);
    if (hit != null) {
      Verifier v = verifier.get();
      if (v != null && v.generation == hit.generation) {
        return PolicyOutcome.now(timeChecks(hit));
      }
    }
    if (source == null) {
      return PolicyOutcome.now(verify(verifier.get(), token));
    }
    return source
        .keys()
        .transform(
            ar -> {
              if (ar.failed()) {
                return Future.succeededFuture(noKeys(ar.cause()));
              }
              Verifier v = verifierFor(ar.result());
              PolicyOutcome first = verify(v, token);
              if (first != UNKNOWN_KEY) {
                return Future.succeededFuture(first);
              }
              // the issuer may have rotated its keys: look again (rate-bounded), then decide
              return source
                  .refreshForUnknownKey()
                  .transform(
                      again -> {
                        if (again.failed()) {
                          return Future.succeededFuture(
                              refused(
                                  "unknown-kid",
                                  "the token is signed with a key this API does not know",
                                  true));
                        }
                        PolicyOutcome second = verify(verifierFor(again.result()), token);
                        return Future.succeededFuture(
                            second == UNKNOWN_KEY
                                ? refused(
                                    "unknown-kid",
                                    "the token is signed with a key this API does not know (kid "
                                        + kidOf(token)
                                        + ")",
                                    true)
                                : second);
                      });
            });
  }

  /** Marker: the signature names a key the set does not have. */
  private static final PolicyOutcome UNKNOWN_KEY = new PolicyOutcome.Respond(0, HeaderEdits.NONE);

  private PolicyOutcome verify(Verifier v, String token) {
    if (v == null || !v.hasKeys) {
      return noKeys(null);
    }
    Future<User> f = v.auth.authenticate(new TokenCredentials(token));
    if (f.failed()) {
      Throwable e = f.cause();
      if (e instanceof NoSuchKeyIdException) {
        if (source != null) {
          return UNKNOWN_KEY;
        }
        return refused(
            "unknown-kid",
            "the token is signed with a key this API does not know (kid "
                + kidOf(token)
                + ", alg "
                + algOf(token)
                + ")",
            true);
      }
      if (e instanceof SignatureException) {
        return refused("signature", "the token's signature is not valid", true);
      }
      return refused("malformed", "the token cannot be read (" + safe(e.getMessage()) + ")", true);
    }
    JsonObject payload = f.result().attributes().getJsonObject("accessToken");
    if (payload == null) {
      return refused("malformed", "the token has no claims", true);
    }
    long exp = number(payload.getValue("exp"));
    long nbf = number(payload.getValue("nbf"));
    if (payload.getValue("exp") != null && exp == Long.MIN_VALUE
        || payload.getValue("nbf") != null && nbf == Long.MIN_VALUE) {
      return refused("malformed", "exp and nbf must be numbers of seconds", true);
    }
    if (exp == Long.MIN_VALUE && config.requireExpirationTime()) {
      return refused(
          "expired", "the token has no expiration time (exp) and this API requires one", true);
    }
    String claimProblem = claimChecks(payload.getMap());
    if (claimProblem != null) {
      return refused(
          claimProblem.startsWith("issuer")
              ? "issuer"
              : claimProblem.startsWith("audience") ? "audience" : "claims",
          claimProblem,
          true);
    }
    Verified ok =
        new Verified(
            Collections.unmodifiableMap(payload.getMap()),
            exp == Long.MIN_VALUE ? Long.MAX_VALUE : exp,
            nbf,
            v.generation);
    PolicyOutcome outcome = timeChecks(ok);
    if (verified != null && outcome instanceof PolicyOutcome.Continue) {
      verified.put(token, ok);
    }
    return outcome;
  }

  private PolicyOutcome timeChecks(Verified v) {
    long now = clock.millis() / 1000;
    if (v.exp != Long.MAX_VALUE && now - skewSeconds >= v.exp) {
      return refused("expired", "the token expired " + (now - v.exp) + " s ago", true);
    }
    if (v.nbf != Long.MIN_VALUE && v.nbf > now + skewSeconds) {
      return refused(
          "not-yet-valid", "the token is not valid before " + (v.nbf - now) + " s from now", true);
    }
    return new PolicyOutcome.Continue(v.claims, HeaderEdits.NONE, HeaderEdits.NONE, null);
  }

  private String claimChecks(Map<String, Object> claims) {
    if (!config.issuers().isEmpty()) {
      Object iss = claims.get("iss");
      if (!(iss instanceof String s) || !config.issuers().contains(s)) {
        return "issuer "
            + (iss == null ? "missing" : "'" + safe(String.valueOf(iss)) + "'")
            + " is not accepted";
      }
    }
    if (!config.audiences().isEmpty()) {
      Object aud = Template.Claims.plain(claims.get("aud"));
      boolean ok =
          aud instanceof String s
              ? config.audiences().contains(s)
              : aud instanceof List<?> l && l.stream().anyMatch(config.audiences()::contains);
      if (!ok) {
        return "audience "
            + (aud == null ? "missing" : "'" + safe(Template.Claims.asText(aud)) + "'")
            + " is not one this API accepts";
      }
    }
    for (RequiredClaim rc : config.requiredClaims()) {
      Object value = Template.Claims.plain(Template.Claims.find(claims, rc.name()));
      if (value == null) {
        return "required claim '" + rc.name() + "' is missing";
      }
      if (rc.values().isEmpty()) {
        continue;
      }
      List<String> present = values(value, rc.separator());
      boolean ok =
          "any".equals(rc.match())
              ? rc.values().stream().anyMatch(present::contains)
              : present.containsAll(rc.values());
      if (!ok) {
        return "claim '"
            + rc.name()
            + "' does not have "
            + ("any".equals(rc.match()) ? "any of " : "all of ")
            + rc.values();
      }
    }
    return null;
  }

  private static List<String> values(Object value, String separator) {
    if (value instanceof List<?> l) {
      return l.stream().map(Template.Claims::asText).toList();
    }
    String text = Template.Claims.asText(value);
    if (separator == null) {
      return List.of(text);
    }
    return List.of(text.split(java.util.regex.Pattern.quote(separator), -1));
  }

  private static long number(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    return Long.MIN_VALUE;
  }

  private String afterScheme(String value) {
    int sp = value.indexOf(' ');
    if (sp <= 0 || !value.regionMatches(true, 0, scheme, 0, sp) || sp != scheme.length()) {
      return null;
    }
    String t = value.substring(sp + 1).trim();
    return t.isEmpty() ? null : t;
  }

  /**
   * Three base64url segments, the last one non-empty: anything else is no signed JWT (and never
   * reaches the parser).
   */
  private static String shapeProblem(String token) {
    int dots = 0;
    int segmentStart = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        if (i == segmentStart) {
          return "the token is not a signed JWT (an empty segment)";
        }
        dots++;
        segmentStart = i + 1;
      } else if (!(c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '_')) {
        return "the token is not a signed JWT (only base64url characters and two dots are allowed)";
      }
    }
    if (dots != 2) {
      return "the token is not a signed JWT (it has " + (dots + 1) + " segments, not 3)";
    }
    if (segmentStart == token.length()) {
      return "the token is not signed (its signature segment is empty)";
    }
    return null;
  }

  private static String kidOf(String token) {
    try {
      String header = token.substring(0, token.indexOf('.'));
      JsonObject h =
          new JsonObject(
              io.vertx.core.buffer.Buffer.buffer(java.util.Base64.getUrlDecoder().decode(header)));
      String kid = h.getString("kid");
      return kid == null ? "none" : "'" + safe(kid) + "'";
    } catch (RuntimeException e) {
      return "unreadable";
    }
  }

  private static String algOf(String token) {
    try {
      String header = token.substring(0, token.indexOf('.'));
      JsonObject h =
          new JsonObject(
              io.vertx.core.buffer.Buffer.buffer(java.util.Base64.getUrlDecoder().decode(header)));
      return safe(String.valueOf(h.getValue("alg")));
    } catch (RuntimeException e) {
      return "unreadable";
    }
  }

  /**
   * Text from a token, bounded and stripped of quotes, backslashes and controls (it goes into a
   * header and a problem).
   */
  private static String safe(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), 80));
    for (int i = 0; i < s.length() && b.length() < 80; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c > 0x7e || c == '"' || c == '\\' ? '?' : c);
    }
    return b.toString();
  }

  private Future<PolicyOutcome> tooLarge(int length) {
    return refuse(
        "too-large",
        "the token is "
            + length
            + " characters long; this API accepts at most "
            + config.maxTokenSize(),
        true);
  }

  private Future<PolicyOutcome> refuse(String error, String detail, boolean invalid) {
    return Future.succeededFuture(refused(error, detail, invalid));
  }

  private PolicyOutcome refused(String error, String detail, boolean invalid) {
    events.tokenRejected(location, error);
    String text =
        config.failedValidationErrorMessage() != null
            ? config.failedValidationErrorMessage()
            : detail;
    int status = config.failedValidationHttpcode();
    HeaderEdits headers = HeaderEdits.NONE;
    if (status == 401) {
      // RFC 6750 3.1: a request without credentials gets the bare challenge; a bad token,
      // invalid_token
      String challenge =
          invalid
              ? "Bearer error=\""
                  + ("malformed".equals(error) && headerName != null && detail.contains("header")
                      ? "invalid_request"
                      : "invalid_token")
                  + "\", error_description=\""
                  + safe(text)
                  + "\""
              : "Bearer";
      headers = HeaderEdits.set("WWW-Authenticate", challenge);
    }
    return new PolicyOutcome.Reject(
        status,
        (status == 403 ? ErrorReason.FORBIDDEN : ErrorReason.UNAUTHORIZED).label(),
        status == 401 ? "Unauthorized" : "Token not accepted",
        text,
        headers);
  }

  private PolicyOutcome noKeys(Throwable cause) {
    events.tokenRejected(location, "no-keys");
    return new PolicyOutcome.Reject(
        503,
        ErrorReason.SIGNING_KEYS_UNAVAILABLE.label(),
        "Signing keys unavailable",
        "the keys to verify tokens could not be fetched"
            + (source == null ? "" : " from " + source.url())
            + "; try again later",
        HeaderEdits.set("Retry-After", "5"));
  }

  @Override
  public String toString() {
    return name() + " at " + location + (source == null ? "" : " (keys from " + source.url() + ")");
  }
}
