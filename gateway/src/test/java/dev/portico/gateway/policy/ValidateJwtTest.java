package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * validate-jwt against a JWKS served by a real Vert.x HTTP server on loopback, with key rotation,
 * tokens signed in the test (RS256, ES256, HS256), and every way a token can be wrong.
 */
class ValidateJwtTest {

  static Vertx vertx;
  static HttpServer jwksServer;
  static int port;
  static final AtomicReference<JsonArray> served = new AtomicReference<>(new JsonArray());
  static final AtomicInteger fetches = new AtomicInteger();
  static final AtomicInteger status = new AtomicInteger(200);
  static TestKeys rsa1;
  static TestKeys rsa2;
  static TestKeys ec1;
  static TestKeys hmac;
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef-and-more".getBytes();

  final Map<String, AtomicInteger> rejected = new ConcurrentHashMap<>();
  PolicyEnvironment env;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    rsa1 = TestKeys.rsa(vertx, "rsa-1");
    rsa2 = TestKeys.rsa(vertx, "rsa-2");
    ec1 = TestKeys.ec(vertx, "ec-1");
    hmac = TestKeys.hmac(vertx, "hs-1", SECRET);
    jwksServer =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  if (req.path().equals("/.well-known/openid-configuration")) {
                    req.response()
                        .putHeader("Content-Type", "application/json")
                        .end(
                            new JsonObject()
                                .put("issuer", "https://issuer.test")
                                .put("jwks_uri", "http://127.0.0.1:" + port + "/jwks")
                                .encode());
                    return;
                  }
                  fetches.incrementAndGet();
                  req.response()
                      .setStatusCode(status.get())
                      .putHeader("Content-Type", "application/jwk-set+json")
                      .end(new JsonObject().put("keys", served.get()).encode());
                })
            .listen(0, "127.0.0.1")
            .await();
    port = jwksServer.actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @BeforeEach
  void fresh() {
    served.set(new JsonArray().add(rsa1.publicJwk).add(ec1.publicJwk));
    status.set(200);
    fetches.set(0);
    env =
        PolicyEnvironment.builder(vertx)
            .namedValues(Map.of("hs-secret", Base64.getEncoder().encodeToString(SECRET)))
            .events(
                new PolicyEvents() {
                  @Override
                  public void tokenRejected(String location, String error) {
                    rejected.computeIfAbsent(error, k -> new AtomicInteger()).incrementAndGet();
                  }
                })
            .build();
  }

  private JsonObject config() {
    return new JsonObject()
        .put("jwks-url", "http://127.0.0.1:" + port + "/jwks")
        .put("issuers", new JsonArray().add("https://issuer.test"))
        .put("audiences", new JsonArray().add("orders-api"))
        .put("jwks-min-refresh-interval", "PT1H");
  }

  private static JsonObject claims() {
    return new JsonObject()
        .put("sub", "alice")
        .put("iss", "https://issuer.test")
        .put("aud", "orders-api")
        .put("exp", TestKeys.now() + 300)
        .put("scope", "orders.read orders.write");
  }

  private static TestRequest bearer(String token) {
    return TestRequest.get("/api/orders").header("Authorization", "Bearer " + token);
  }

  private static PolicyOutcome run(Policy p, TestRequest r) {
    return Policies.run(p, r);
  }

  private static PolicyOutcome.Reject refused(PolicyOutcome o) {
    assertThat(o).isInstanceOf(PolicyOutcome.Reject.class);
    return (PolicyOutcome.Reject) o;
  }

  private static String challenge(PolicyOutcome.Reject r) {
    MultiMap h = Policies.applied(r.responseHeaders());
    return h.get("WWW-Authenticate");
  }

  @Test
  void validTokensFromTheJwksPassWithTheirClaims() {
    Policy jwt = Policies.one(env, "validate-jwt", config());
    for (TestKeys k : List.of(rsa1, ec1)) {
      PolicyOutcome o = run(jwt, bearer(k.sign(claims())));
      assertThat(o)
          .as(k.alg)
          .isInstanceOfSatisfying(
              PolicyOutcome.Continue.class,
              c ->
                  assertThat(c.claims())
                      .containsEntry("sub", "alice")
                      .containsEntry("aud", "orders-api"));
    }
    // the token cache: the same token again needs no verification, and no fetch
    String token = rsa1.sign(claims());
    run(jwt, bearer(token));
    assertThat(run(jwt, bearer(token))).isInstanceOf(PolicyOutcome.Continue.class);
    assertThat(fetches.get()).isEqualTo(1);
  }

  @Test
  void staticHmacSecretFromANamedValueAndTokenInTheQuery() {
    Policy jwt =
        Policies.one(
            env,
            "validate-jwt",
            new JsonObject()
                .put("query-parameter-name", "access_token")
                .put(
                    "issuer-signing-keys",
                    new JsonArray()
                        .add(new JsonObject().put("id", "hs-1").put("value", "{{hs-secret}}"))));
    String token = hmac.sign(claims());
    assertThat(run(jwt, TestRequest.get("/").query("access_token=" + token)))
        .isInstanceOf(PolicyOutcome.Continue.class);
    PolicyOutcome.Reject missing = refused(run(jwt, TestRequest.get("/")));
    assertThat(missing.detail())
        .isEqualTo("no token: the request has no 'access_token' query parameter");
    assertThat(challenge(missing)).isEqualTo("Bearer");
    // a token signed with another secret
    String forged =
        TestKeys.hmac(vertx, "hs-1", "another-secret-another-secret-another-secret".getBytes())
            .sign(claims());
    PolicyOutcome.Reject bad =
        refused(run(jwt, TestRequest.get("/").query("access_token=" + forged)));
    assertThat(bad.detail()).isEqualTo("the token's signature is not valid");
  }

  @Test
  void expiryAudienceIssuerAndClaimsAreChecked() {
    Policy jwt =
        Policies.one(
            env,
            "validate-jwt",
            config()
                .put(
                    "required-claims",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("name", "scope")
                                .put("separator", " ")
                                .put("values", new JsonArray().add("orders.write")))));
    PolicyOutcome.Reject expired =
        refused(run(jwt, bearer(rsa1.sign(claims().put("exp", TestKeys.now() - 30)))));
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.reason()).isEqualTo("Unauthorized");
    assertThat(expired.detail()).matches("the token expired 3\\d s ago");
    assertThat(challenge(expired))
        .matches(
            "Bearer error=\"invalid_token\", error_description=\"the token expired 3\\d s ago\"");

    PolicyOutcome.Reject notYet =
        refused(run(jwt, bearer(rsa1.sign(claims().put("nbf", TestKeys.now() + 120)))));
    assertThat(notYet.detail()).startsWith("the token is not valid before");

    PolicyOutcome.Reject aud =
        refused(run(jwt, bearer(rsa1.sign(claims().put("aud", new JsonArray().add("billing"))))));
    assertThat(aud.detail()).isEqualTo("audience 'billing' is not one this API accepts");
    PolicyOutcome.Reject iss =
        refused(run(jwt, bearer(rsa1.sign(claims().put("iss", "https://evil.test")))));
    assertThat(iss.detail()).isEqualTo("issuer 'https://evil.test' is not accepted");
    PolicyOutcome.Reject scope =
        refused(run(jwt, bearer(rsa1.sign(claims().put("scope", "orders.read")))));
    assertThat(scope.detail()).isEqualTo("claim 'scope' does not have all of [orders.write]");
    JsonObject noExp = claims();
    noExp.remove("exp");
    assertThat(refused(run(jwt, bearer(rsa1.sign(noExp)))).detail())
        .isEqualTo("the token has no expiration time (exp) and this API requires one");

    // clock skew forgives a little
    Policy lenient = Policies.one(env, "validate-jwt", config().put("clock-skew", 60));
    assertThat(run(lenient, bearer(rsa1.sign(claims().put("exp", TestKeys.now() - 30)))))
        .isInstanceOf(PolicyOutcome.Continue.class);
    assertThat(rejected).containsKeys("expired", "not-yet-valid", "audience", "issuer", "claims");
  }

  @Test
  void malformedMissingAndOversizedTokens() {
    Policy jwt = Policies.one(env, "validate-jwt", config());
    PolicyOutcome.Reject none = refused(run(jwt, TestRequest.get("/")));
    assertThat(none.detail()).isEqualTo("no token: the request has no Authorization header");
    assertThat(challenge(none)).isEqualTo("Bearer");

    PolicyOutcome.Reject basic =
        refused(run(jwt, TestRequest.get("/").header("Authorization", "Basic dXNlcjpwYXNz")));
    assertThat(basic.detail()).isEqualTo("the Authorization header does not hold a Bearer token");
    assertThat(challenge(basic)).startsWith("Bearer error=\"invalid_request\"");

    Map<String, String> malformed =
        Map.of(
            "abc", "the token is not a signed JWT (it has 1 segments, not 3)",
            "a.b", "the token is not a signed JWT (it has 2 segments, not 3)",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
                "the token is not signed (its signature segment is empty)",
            "a..c", "the token is not a signed JWT (an empty segment)",
            "not base64!.x.y",
                "the token is not a signed JWT (only base64url characters and two dots are allowed)");
    malformed.forEach(
        (token, detail) -> {
          PolicyOutcome.Reject r = refused(run(jwt, bearer(token)));
          assertThat(r.status()).isEqualTo(401);
          assertThat(r.detail()).as(token).isEqualTo(detail);
        });
    PolicyOutcome.Reject garbage = refused(run(jwt, bearer("eyJub3QganNvbg.eyJzdWIiOiJ4In0.c2ln")));
    assertThat(garbage.detail()).startsWith("the token cannot be read");

    String huge = "a".repeat(9000) + ".b.c";
    PolicyOutcome.Reject big = refused(run(jwt, bearer(huge)));
    assertThat(big.detail())
        .isEqualTo("the token is 9004 characters long; this API accepts at most 8192");
    PolicyOutcome.Reject twice =
        refused(run(jwt, bearer(rsa1.sign(claims())).header("Authorization", "Bearer x.y.z")));
    assertThat(twice.detail()).isEqualTo("the request has 2 Authorization headers; send one");
    assertThat(rejected).containsKeys("missing", "malformed", "too-large");
  }

  @Test
  void algorithmConfusionAndUnsignedTokensAreRefused() {
    Policy jwt = Policies.one(env, "validate-jwt", config());
    // HS256 with the RSA public key's modulus as the secret: no HS256 key exists, so no
    // verification can succeed
    String confused =
        TestKeys.hmac(vertx, "rsa-1", rsa1.publicJwk.getString("n").getBytes()).sign(claims());
    assertThat(refused(run(jwt, bearer(confused))).detail())
        .startsWith("the token is signed with a key this API does not know");
    String header = TestKeys.b64("{\"alg\":\"none\",\"kid\":\"rsa-1\"}".getBytes());
    String payload = TestKeys.b64(claims().encode().getBytes());
    assertThat(refused(run(jwt, bearer(header + "." + payload + ".c2ln"))).status()).isEqualTo(401);
  }

  @Test
  void keyRotationIsFollowedAndUnknownKeysCostOneFetchPerInterval() {
    Policy rotating =
        Policies.one(env, "validate-jwt", config().put("jwks-min-refresh-interval", "PT0S"));
    String old = rsa1.sign(claims());
    assertThat(run(rotating, bearer(old))).isInstanceOf(PolicyOutcome.Continue.class);
    assertThat(fetches.get()).isEqualTo(1);
    // the issuer rotates: rsa-2 appears, rsa-1 is gone
    served.set(new JsonArray().add(rsa2.publicJwk).add(ec1.publicJwk));
    assertThat(run(rotating, bearer(rsa2.sign(claims()))))
        .isInstanceOf(PolicyOutcome.Continue.class);
    assertThat(fetches.get()).isEqualTo(2);
    // the old key's tokens stop working at once, also the one validated (and cached) before
    PolicyOutcome.Reject gone = refused(run(rotating, bearer(old)));
    assertThat(gone.detail())
        .isEqualTo("the token is signed with a key this API does not know (kid 'rsa-1')");

    // a fresh environment with the default bound: made-up key ids cannot make the gateway hammer
    // the issuer
    PolicyEnvironment other = PolicyEnvironment.builder(vertx).build();
    Policy bounded = Policies.one(other, "validate-jwt", config());
    fetches.set(0);
    assertThat(run(bounded, bearer(rsa2.sign(claims()))))
        .isInstanceOf(PolicyOutcome.Continue.class);
    List<String> forged = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      forged.add(TestKeys.hmac(vertx, "made-up-" + i, SECRET).sign(claims()));
    }
    for (String t : forged) {
      assertThat(refused(run(bounded, bearer(t))).detail())
          .startsWith("the token is signed with a key this API does not know");
    }
    assertThat(fetches.get())
        .as("one fetch at start, one for the first unknown kid, none after")
        .isEqualTo(2);
  }

  @Test
  void openIdConfigurationAndAnUnreachableKeySet() {
    Policy viaOpenId =
        Policies.one(
            env,
            "validate-jwt",
            new JsonObject()
                .put(
                    "openid-config",
                    new JsonObject()
                        .put(
                            "url",
                            "http://127.0.0.1:" + port + "/.well-known/openid-configuration"))
                .put("audiences", new JsonArray().add("orders-api")));
    assertThat(run(viaOpenId, bearer(ec1.sign(claims()))))
        .isInstanceOf(PolicyOutcome.Continue.class);

    status.set(500);
    PolicyEnvironment fresh = PolicyEnvironment.builder(vertx).build();
    Policy down =
        Policies.one(
            fresh, "validate-jwt", config().put("jwks-url", "http://127.0.0.1:" + port + "/other"));
    PolicyOutcome.Reject r = refused(run(down, bearer(rsa1.sign(claims()))));
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.reason()).isEqualTo("SigningKeysUnavailable");
    // once the key server is back, the next request after the bound fetches again
    status.set(200);
    Policy back =
        Policies.one(
            fresh,
            "validate-jwt",
            config()
                .put("jwks-url", "http://127.0.0.1:" + port + "/again")
                .put("jwks-min-refresh-interval", "PT0S"));
    assertThat(run(back, bearer(rsa1.sign(claims())))).isInstanceOf(PolicyOutcome.Continue.class);
  }

  @Test
  void aRunThatWaitedEndsOnTheContextThatStartedIt() {
    PolicyChain chain =
        Policies.chain(env, new JsonArray().add(new JsonObject().put("validate-jwt", config())));
    String token = rsa1.sign(claims());
    List<io.vertx.core.Context> contexts =
        List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext(), vertx.getOrCreateContext());
    List<io.vertx.core.Future<Boolean>> same = new ArrayList<>();
    for (io.vertx.core.Context ctx : contexts) {
      io.vertx.core.Promise<Boolean> p = io.vertx.core.Promise.promise();
      same.add(p.future());
      // every run waits for the one key-set fetch the first started (on whichever thread it
      // completes)
      ctx.runOnContext(
          v ->
              chain
                  .start(bearer(token))
                  .outcome()
                  .onComplete(
                      ar ->
                          p.complete(
                              ar.succeeded()
                                  && ar.result() instanceof PolicyOutcome.Continue
                                  && Vertx.currentContext() == ctx)));
    }
    assertThat(io.vertx.core.Future.all(same).await().<Boolean>list()).containsOnly(true);
    assertThat(fetches.get()).isEqualTo(1);
  }
}
