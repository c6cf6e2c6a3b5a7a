package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * APIM's {@code validate-jwt}: a signed JWT must be present and valid; its claims go on to later
 * policies. Keys come from a JWKS URL ({@code jwks-url}, or the {@code jwks_uri} of an {@code
 * openid-config}) and/or {@code issuer-signing-keys}.
 *
 * @param headerName header holding the token (default {@code Authorization})
 * @param queryParameterName query parameter holding the token instead
 * @param requireScheme scheme before the token in the header (default {@code Bearer} for {@code
 *     Authorization})
 * @param failedValidationHttpcode status of a refusal (default 401)
 * @param failedValidationErrorMessage detail of a refusal instead of the specific one
 * @param requireExpirationTime whether {@code exp} must be present (default true)
 * @param clockSkew tolerance on {@code exp}, {@code nbf} and {@code iat} (seconds or ISO 8601,
 *     default 0)
 * @param openidConfig {@code {url}} of an OpenID Connect discovery document
 * @param jwksUrl URL of a JSON Web Key Set
 * @param issuerSigningKeys static keys
 * @param audiences accepted audiences (any one must be in {@code aud})
 * @param issuers accepted issuers
 * @param requiredClaims claims that must be present, with values
 * @param jwksRefreshInterval how often the key set is fetched again (default 1 hour, as APIM)
 * @param jwksMinRefreshInterval the least time between two fetches caused by an unknown {@code kid}
 *     (default 30 s)
 * @param jwksFetchTimeout bound on one fetch (default 10 s)
 * @param maxTokenSize longest token accepted, in characters (default 8192)
 * @param verifiedTokenCache verified tokens remembered so a repeated token is not verified again
 *     (default 10,000; 0 verifies every request)
 */
public record ValidateJwtConfig(
    @JsonProperty("header-name") String headerName,
    @JsonProperty("query-parameter-name") String queryParameterName,
    @JsonProperty("require-scheme") String requireScheme,
    @JsonProperty("failed-validation-httpcode") Integer failedValidationHttpcode,
    @JsonProperty("failed-validation-error-message") String failedValidationErrorMessage,
    @JsonProperty("require-expiration-time") Boolean requireExpirationTime,
    @JsonProperty("require-signed-tokens") Boolean requireSignedTokens,
    @JsonProperty("clock-skew") @JsonDeserialize(using = FlexibleDuration.class) Duration clockSkew,
    @JsonProperty("openid-config") OpenIdConfig openidConfig,
    @JsonProperty("jwks-url") String jwksUrl,
    @JsonProperty("issuer-signing-keys") List<SigningKey> issuerSigningKeys,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> audiences,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> issuers,
    @JsonProperty("required-claims") List<RequiredClaim> requiredClaims,
    @JsonProperty("jwks-refresh-interval") @JsonDeserialize(using = FlexibleDuration.class)
        Duration jwksRefreshInterval,
    @JsonProperty("jwks-min-refresh-interval") @JsonDeserialize(using = FlexibleDuration.class)
        Duration jwksMinRefreshInterval,
    @JsonProperty("jwks-fetch-timeout") @JsonDeserialize(using = FlexibleDuration.class)
        Duration jwksFetchTimeout,
    @JsonProperty("max-token-size") Integer maxTokenSize,
    @JsonProperty("verified-token-cache") Integer verifiedTokenCache)
    implements PolicyConfig {

  public static final String NAME = "validate-jwt";

  public ValidateJwtConfig {
    if (headerName == null && queryParameterName == null) {
      headerName = "Authorization";
    }
    if (requireScheme == null && "authorization".equalsIgnoreCase(headerName)) {
      requireScheme = "Bearer";
    }
    failedValidationHttpcode = failedValidationHttpcode == null ? 401 : failedValidationHttpcode;
    requireExpirationTime = requireExpirationTime == null || requireExpirationTime;
    requireSignedTokens = requireSignedTokens == null || requireSignedTokens;
    clockSkew = clockSkew == null ? Duration.ZERO : clockSkew;
    issuerSigningKeys = issuerSigningKeys == null ? List.of() : List.copyOf(issuerSigningKeys);
    audiences = audiences == null ? List.of() : List.copyOf(audiences);
    issuers = issuers == null ? List.of() : List.copyOf(issuers);
    requiredClaims = requiredClaims == null ? List.of() : List.copyOf(requiredClaims);
    jwksRefreshInterval = jwksRefreshInterval == null ? Duration.ofHours(1) : jwksRefreshInterval;
    jwksMinRefreshInterval =
        jwksMinRefreshInterval == null ? Duration.ofSeconds(30) : jwksMinRefreshInterval;
    jwksFetchTimeout = jwksFetchTimeout == null ? Duration.ofSeconds(10) : jwksFetchTimeout;
    maxTokenSize = maxTokenSize == null ? 8192 : maxTokenSize;
    verifiedTokenCache = verifiedTokenCache == null ? 10_000 : verifiedTokenCache;
  }

  /**
   * {@code {url}} of an OpenID Connect discovery document ({@code
   * .well-known/openid-configuration}).
   */
  public record OpenIdConfig(String url) {}

  /**
   * A static key: a symmetric secret ({@code value}, Base64 as in APIM; use {@code {{named-value}}}
   * for a secret), an RSA public key by modulus and exponent ({@code n}, {@code e}), a PEM public
   * key or certificate ({@code pem}), or a JSON Web Key ({@code jwk}).
   *
   * @param id the {@code kid} the key answers to (optional)
   * @param alg the algorithm (HS256 by default for a secret, RS256 for n/e, required for a PEM EC
   *     key)
   */
  public record SigningKey(
      String id,
      String alg,
      String value,
      String n,
      String e,
      String pem,
      Map<String, Object> jwk) {}

  /**
   * A claim that must be present; with {@code values}, {@code match: all} (default) needs every
   * value in the claim, {@code any} one of them. A string claim is split by {@code separator} (e.g.
   * a space for {@code scope}).
   */
  public record RequiredClaim(
      String name,
      String match,
      String separator,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> values) {
    public RequiredClaim {
      match = match == null ? "all" : match;
      values = values == null ? List.of() : List.copyOf(values);
    }
  }

  @Override
  public String policyName() {
    return NAME;
  }

  @Override
  public void validate(String at, Problems problems) {
    if (headerName != null && queryParameterName != null) {
      problems.add(at, "give header-name or query-parameter-name, not both");
    }
    Validation.headerName(at + ".header-name", headerName, problems);
    if (requireScheme != null && !Validation.isToken(requireScheme)) {
      problems.add(
          at + ".require-scheme", "'" + requireScheme + "' is not a valid authentication scheme");
    }
    if (failedValidationHttpcode < 400 || failedValidationHttpcode > 499) {
      problems.add(
          at + ".failed-validation-httpcode",
          "must be a 4xx status, got " + failedValidationHttpcode);
    }
    if (!requireSignedTokens) {
      problems.add(
          at + ".require-signed-tokens",
          "unsigned tokens are not accepted by Portico: remove the field or set it to true");
    }
    if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofHours(1)) > 0) {
      problems.add(at + ".clock-skew", "must be 0..1 hour, got " + clockSkew);
    }
    if (openidConfig != null && jwksUrl != null) {
      problems.add(at, "give openid-config or jwks-url, not both");
    }
    if (openidConfig != null) {
      url(at + ".openid-config.url", openidConfig.url(), problems);
    }
    if (jwksUrl != null) {
      url(at + ".jwks-url", jwksUrl, problems);
    }
    if (openidConfig == null && jwksUrl == null && issuerSigningKeys.isEmpty()) {
      problems.add(at, "no signing keys: give jwks-url, openid-config or issuer-signing-keys");
    }
    for (int i = 0; i < issuerSigningKeys.size(); i++) {
      SigningKey k = issuerSigningKeys.get(i);
      String kat = at + ".issuer-signing-keys[" + i + "]";
      int kinds =
          (k.value() != null ? 1 : 0)
              + (k.n() != null || k.e() != null ? 1 : 0)
              + (k.pem() != null ? 1 : 0)
              + (k.jwk() != null ? 1 : 0);
      if (kinds != 1) {
        problems.add(kat, "give exactly one of value (Base64 secret), n and e, pem, jwk");
      } else if ((k.n() == null) != (k.e() == null)) {
        problems.add(kat, "an RSA key needs both n and e");
      }
    }
    for (int i = 0; i < requiredClaims.size(); i++) {
      RequiredClaim c = requiredClaims.get(i);
      String cat = at + ".required-claims[" + i + "]";
      if (c.name() == null || c.name().isEmpty()) {
        problems.add(cat + ".name", "required field is missing");
      }
      Validation.oneOf(cat + ".match", c.match(), problems, "all", "any");
      if (c.separator() != null && c.separator().isEmpty()) {
        problems.add(cat + ".separator", "must not be empty");
      }
    }
    positive(at + ".jwks-refresh-interval", jwksRefreshInterval, problems);
    if (jwksMinRefreshInterval.isNegative()) {
      problems.add(at + ".jwks-min-refresh-interval", "must not be negative");
    }
    positive(at + ".jwks-fetch-timeout", jwksFetchTimeout, problems);
    if (verifiedTokenCache < 0 || verifiedTokenCache > 1_000_000) {
      problems.add(at + ".verified-token-cache", "must be 0..1000000, got " + verifiedTokenCache);
    }
    if (maxTokenSize < 64 || maxTokenSize > 65536) {
      problems.add(at + ".max-token-size", "must be 64..65536, got " + maxTokenSize);
    }
  }

  private static void positive(String at, Duration d, Problems problems) {
    if (d.isNegative() || d.isZero()) {
      problems.add(at, "must be a positive duration, got " + d);
    }
  }

  private static void url(String at, String url, Problems problems) {
    try {
      URI u = new URI(url);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        problems.add(at, "'" + url + "' must be an absolute http(s) URL");
      }
    } catch (Exception e) {
      problems.add(at, "'" + url + "' is not a URL");
    }
  }
}
