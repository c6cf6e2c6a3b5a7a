package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.OnContext;
import dev.portico.gateway.support.RecordingBackend;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The policies in the request path, end to end: a gateway started from YAML, real loopback backends
 * (and a JWKS server), a client over HTTP. What the client gets, and what the backend sees.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoliciesThroughGatewayTest {

  /** 32 bytes, Base64: an HS256 secret from a named value. */
  static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  static final String SECRET_B64 = Base64.getEncoder().encodeToString(SECRET);

  Vertx vertx;
  WebClient web;
  RecordingBackend backend;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.web = WebClient.create(vertx);
    this.backend = RecordingBackend.start(vertx);
  }

  GatewayVerticle gateway(String rest) {
    return GatewayHarness.start(
        vertx,
        """
      backends:
        - { id: b, url: "http://127.0.0.1:%d/base" }
      """
                .formatted(backend.port())
            + rest);
  }

  HttpRequest<Buffer> get(GatewayVerticle gw, String uri) {
    return web.get(gw.trafficPort(), "127.0.0.1", uri);
  }

  static void assertProblem(HttpResponse<Buffer> res, int status, String reason) {
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(status);
    assertThat(res.getHeader("content-type")).isEqualTo("application/problem+json");
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getString("reason")).isEqualTo(reason);
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("requestId")).isEqualTo(res.getHeader("x-request-id"));
  }

  @Test
  void rateLimitByKeyAnswers429WithRetryAfterAndRateLimitHeadersWithoutCallingTheBackend() {
    GatewayVerticle gw =
        gateway(
            """
      apis:
        - id: orders
          path: /orders
          backend: b
          policies:
            - rate-limit-by-key: {calls: 2, renewal-period: 60, counter-key: "{header.X-Key}"}
      """);
    for (int i = 0; i < 2; i++) {
      assertThat(get(gw, "/orders/1").putHeader("X-Key", "alice").send().await().statusCode())
          .isEqualTo(200);
    }
    HttpResponse<Buffer> limited = get(gw, "/orders/1").putHeader("X-Key", "alice").send().await();
    assertProblem(limited, 429, "RateLimited");
    assertThat(Integer.parseInt(limited.getHeader("retry-after"))).isBetween(1, 60);
    assertThat(limited.getHeader("ratelimit-policy")).isEqualTo("\"default\";q=2;w=60");
    assertThat(limited.getHeader("ratelimit")).startsWith("\"default\";r=0;t=");
    assertThat(backend.seen()).hasSize(2);
    // another key has its own bucket
    assertThat(get(gw, "/orders/1").putHeader("X-Key", "bob").send().await().statusCode())
        .isEqualTo(200);
    assertThat(backend.seen()).hasSize(3);
  }

  @Test
  void quotaByKeyAnswers403QuotaExceeded() {
    GatewayVerticle gw =
        gateway(
            """
      apis:
        - id: orders
          path: /orders
          backend: b
          policies:
            - quota-by-key: {calls: 1, renewal-period: 3600, counter-key: "{header.X-Tenant}"}
      """);
    assertThat(get(gw, "/orders").putHeader("X-Tenant", "t1").send().await().statusCode())
        .isEqualTo(200);
    HttpResponse<Buffer> over = get(gw, "/orders").putHeader("X-Tenant", "t1").send().await();
    assertProblem(over, 403, "QuotaExceeded");
    assertThat(over.getHeader("retry-after")).isNotNull();
    assertThat(backend.seen()).hasSize(1);
  }

  @Test
  void validateJwtRefusesMissingInvalidAndExpiredTokensAndForwardsAClaimOfAValidOne() {
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      namedValues:
        - { name: jwt-secret, value: "%s", secret: true }
      backends:
        - { id: b, url: "http://127.0.0.1:%d/base" }
      apis:
        - id: orders
          path: /orders
          backend: b
          policies:
            - validate-jwt:
                issuer-signing-keys: [{value: "{{jwt-secret}}"}]
                issuers: [https://issuer.test]
            - set-header: {name: X-User, value: "{claim.sub}"}
      """
                .formatted(SECRET_B64, backend.port()));
    TestKeys keys = TestKeys.hmac(vertx, null, SECRET);
    long now = TestKeys.now();

    HttpResponse<Buffer> missing = get(gw, "/orders").send().await();
    assertProblem(missing, 401, "Unauthorized");
    assertThat(missing.getHeader("www-authenticate")).startsWith("Bearer");

    HttpResponse<Buffer> invalid =
        get(gw, "/orders").putHeader("Authorization", "Bearer not.a.token").send().await();
    assertProblem(invalid, 401, "Unauthorized");
    assertThat(invalid.getHeader("www-authenticate")).contains("error=\"invalid_token\"");

    String expired =
        keys.sign(
            new JsonObject()
                .put("sub", "alice")
                .put("iss", "https://issuer.test")
                .put("exp", now - 120));
    HttpResponse<Buffer> old =
        get(gw, "/orders").putHeader("Authorization", "Bearer " + expired).send().await();
    assertProblem(old, 401, "Unauthorized");
    assertThat(old.getHeader("www-authenticate")).contains("invalid_token");
    assertThat(backend.seen()).isEmpty();

    String valid =
        keys.sign(
            new JsonObject()
                .put("sub", "alice")
                .put("iss", "https://issuer.test")
                .put("exp", now + 300));
    HttpResponse<Buffer> ok =
        get(gw, "/orders/7").putHeader("Authorization", "Bearer " + valid).send().await();
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(backend.last().headers().get("X-User")).isEqualTo("alice");
    assertThat(backend.last().uri()).isEqualTo("/base/7");
  }

  /**
   * A JWKS endpoint whose key set the test replaces; {@code delayMs} holds every answer that long.
   */
  record Jwks(HttpServer server, AtomicReference<JsonArray> keys, AtomicInteger fetches) {
    String url() {
      return "http://127.0.0.1:" + server.actualPort() + "/jwks";
    }
  }

  Jwks jwks(long delayMs, JsonObject... keys) {
    AtomicReference<JsonArray> set = new AtomicReference<>(new JsonArray());
    for (JsonObject k : keys) {
      set.get().add(k);
    }
    AtomicInteger fetches = new AtomicInteger();
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  fetches.incrementAndGet();
                  Runnable answer =
                      () ->
                          req.response()
                              .putHeader("content-type", "application/json")
                              .end(new JsonObject().put("keys", set.get()).encode());
                  if (delayMs > 0) {
                    vertx.setTimer(delayMs, t -> answer.run());
                  } else {
                    answer.run();
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
    return new Jwks(server, set, fetches);
  }

  @Test
  void jwksKeyRotationIsFollowedThroughTheGateway() throws Exception {
    TestKeys first = TestKeys.rsa(vertx, "k1");
    TestKeys second = TestKeys.rsa(vertx, "k2");
    Jwks jwks = jwks(0, first.publicJwk);
    GatewayVerticle gw =
        gateway(
            """
      apis:
        - id: orders
          path: /orders
          backend: b
          policies:
            - validate-jwt: {jwks-url: "%s", jwks-min-refresh-interval: PT0S}
      """
                .formatted(jwks.url()));
    long exp = TestKeys.now() + 300;
    String byFirst = first.sign(new JsonObject().put("sub", "a").put("exp", exp));
    String bySecond = second.sign(new JsonObject().put("sub", "a").put("exp", exp));
    assertThat(
            get(gw, "/orders")
                .putHeader("Authorization", "Bearer " + byFirst)
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    // the issuer rotates: only the second key is published now
    jwks.keys().set(new JsonArray().add(second.publicJwk));
    assertThat(
            get(gw, "/orders")
                .putHeader("Authorization", "Bearer " + bySecond)
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    assertThat(jwks.fetches().get()).isEqualTo(2);
    HttpResponse<Buffer> retired =
        get(gw, "/orders").putHeader("Authorization", "Bearer " + byFirst).send().await();
    assertProblem(retired, 401, "Unauthorized");
    assertThat(backend.seen()).hasSize(2);
  }

  @Test
  void aBodyPostedThroughAChainThatWaitsArrivesIntact() throws Exception {
    TestKeys key = TestKeys.rsa(vertx, "slow");
    // the first request waits for this JWKS fetch: the body must stay in the connection meanwhile
    Jwks jwks = jwks(400, key.publicJwk);
    GatewayVerticle gw =
        gateway(
            """
      apis:
        - id: upload
          path: /upload
          backend: b
          policies:
            - validate-jwt: {jwks-url: "%s", jwks-min-refresh-interval: PT0S}
      """
                .formatted(jwks.url()));
    String token = key.sign(new JsonObject().put("sub", "u").put("exp", TestKeys.now() + 300));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < 200_000; i++) {
      sb.append("line ").append(i).append('\n');
    }
    String body = sb.toString();
    HttpResponse<Buffer> res =
        web.post(gw.trafficPort(), "127.0.0.1", "/upload/file")
            .putHeader("Authorization", "Bearer " + token)
            .sendBuffer(Buffer.buffer(body))
            .await();
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    assertThat(jwks.fetches().get()).isEqualTo(1);
    assertThat(backend.last().body().future().await()).isEqualTo(body);
    // a chunked body through another wait: a token of a key the gateway has not fetched yet
    TestKeys rotated = TestKeys.rsa(vertx, "slow-2");
    jwks.keys().set(new JsonArray().add(key.publicJwk).add(rotated.publicJwk));
    String token2 = rotated.sign(new JsonObject().put("sub", "u").put("exp", TestKeys.now() + 300));
    io.vertx.core.http.HttpClient client = vertx.createHttpClient();
    // the request made and its answer read on one event loop: a body handler set later from this
    // thread could miss the data (support/OnContext)
    int status =
        OnContext.run(
                vertx,
                () ->
                    client
                        .request(HttpMethod.POST, gw.trafficPort(), "127.0.0.1", "/upload/chunked")
                        .compose(
                            req -> {
                              req.setChunked(true).putHeader("Authorization", "Bearer " + token2);
                              req.write(body.substring(0, 100_000));
                              req.end(body.substring(100_000));
                              return req.response().compose(r -> r.body().map(b -> r.statusCode()));
                            }))
            .await();
    assertThat(status).isEqualTo(200);
    assertThat(jwks.fetches().get()).isEqualTo(2);
    assertThat(backend.last().uri()).isEqualTo("/base/chunked");
    assertThat(backend.last().body().future().await()).isEqualTo(body);
  }

  @Test
  void corsPreflightIsAnsweredByTheGatewayAndActualResponsesAreDecoratedForAllowedOriginsOnly() {
    GatewayVerticle gw =
        gateway(
            """
      apis:
        - id: orders
          path: /orders
          backend: b
          policies:
            - cors:
                allowed-origins: [https://app.example.com]
                allowed-methods: [GET, PUT]
                allowed-headers: [Content-Type]
                preflight-result-max-age: 600
      """);
    HttpResponse<Buffer> preflight =
        web.request(HttpMethod.OPTIONS, gw.trafficPort(), "127.0.0.1", "/orders/1")
            .putHeader("Origin", "https://app.example.com")
            .putHeader("Access-Control-Request-Method", "PUT")
            .putHeader("Access-Control-Request-Headers", "content-type")
            .send()
            .await();
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.getHeader("access-control-allow-origin"))
        .isEqualTo("https://app.example.com");
    assertThat(preflight.getHeader("access-control-allow-methods")).contains("PUT");
    assertThat(preflight.getHeader("access-control-max-age")).isEqualTo("600");
    assertThat(preflight.getHeader("x-request-id")).isNotNull();
    assertThat(preflight.body()).isNull();
    assertThat(backend.seen()).isEmpty();

    HttpResponse<Buffer> actual =
        get(gw, "/orders/1").putHeader("Origin", "https://app.example.com").send().await();
    assertThat(actual.statusCode()).isEqualTo(200);
    assertThat(actual.getHeader("access-control-allow-origin"))
        .isEqualTo("https://app.example.com");
    assertThat(actual.getHeader("vary")).containsIgnoringCase("origin");

    HttpResponse<Buffer> other =
        get(gw, "/orders/1").putHeader("Origin", "https://evil.example.net").send().await();
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().names())
        .noneMatch(n -> n.toLowerCase().startsWith("access-control-"));
    assertThat(backend.seen()).hasSize(2);
  }

  @Test
  void setHeaderEditsRequestAndResponseAndRewriteUriIsWhatTheBackendSees() {
    GatewayVerticle gw =
        gateway(
            """
      apis:
        - id: shop
          path: /shop
          backend: b
          operations:
            - id: item
              method: GET
              path: /items/{id}
              policies:
                - set-header: {name: X-Item, value: "{id}"}
                - set-header: {name: X-Drop-Me, exists-action: delete}
                - set-header: {name: X-Served-By, value: portico, direction: response}
                - rewrite-uri: {template: "/v2/things/{id}?view={query.view}", copy-unmatched-params: false}
            - id: file
              method: GET
              path: /files
              policies:
                - rewrite-uri: {template: "/files/{query.p}"}
      """);
    HttpResponse<Buffer> res =
        get(gw, "/shop/items/42?view=full&secret=x").putHeader("X-Drop-Me", "1").send().await();
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.getHeader("x-served-by")).isEqualTo("portico");
    RecordingBackend.Seen seen = backend.last();
    assertThat(seen.uri()).isEqualTo("/base/v2/things/42?view=full");
    assertThat(seen.headers().get("X-Item")).isEqualTo("42");
    assertThat(seen.headers().contains("X-Drop-Me")).isFalse();

    // a value from the request cannot climb out of the backend's base path
    for (String p :
        new String[] {"..", "../../etc/passwd", "%2e%2e", "..%2F..%2Fadmin", "a/../../x"}) {
      HttpResponse<Buffer> r = get(gw, "/shop/files?p=" + p).send().await();
      assertThat(r.statusCode()).as(p).isIn(200, 400);
    }
    assertThat(backend.uris())
        .allSatisfy(
            u -> {
              assertThat(u).startsWith("/base/");
              assertThat(u).doesNotContain("/../").doesNotEndWith("/..");
            });
  }

  @Test
  void ipFilterHonoursTheTrustedProxyDepth() {
    GatewayVerticle gw =
        gateway(
            """
      policySettings: {trustedProxyDepth: 1}
      apis:
        - id: admin
          path: /admin
          backend: b
          policies:
            - ip-filter: {action: allow, addresses: [203.0.113.0/24]}
      """);
    // one trusted proxy (this client) appended the client's address
    assertThat(
            get(gw, "/admin")
                .putHeader("X-Forwarded-For", "203.0.113.5")
                .send()
                .await()
                .statusCode())
        .isEqualTo(200);
    // what the client itself wrote to the left is never believed
    assertProblem(
        get(gw, "/admin").putHeader("X-Forwarded-For", "203.0.113.5, 198.51.100.1").send().await(),
        403,
        "Forbidden");
    // no proxy hop: the peer (127.0.0.1) is the client
    assertProblem(get(gw, "/admin").send().await(), 403, "Forbidden");
    assertThat(backend.seen()).hasSize(1);
  }

  @Test
  void scopesGlobalThenApiThenOperationWithBaseAndInheritPoliciesFalse() {
    GatewayVerticle gw =
        gateway(
            """
      policies:
        - set-header: {name: X-Trail, value: global, exists-action: append}
      apis:
        - id: s
          path: /s
          backend: b
          policies:
            - set-header: {name: X-Trail, value: api, exists-action: append}
          operations:
            - {id: inherits, method: GET, path: /inherits}
            - id: own-first
              method: GET
              path: /own-first
              policies:
                - set-header: {name: X-Trail, value: op, exists-action: append}
                - base
            - id: after
              method: GET
              path: /after
              policies:
                - set-header: {name: X-Trail, value: op, exists-action: append}
            - id: alone
              method: GET
              path: /alone
              inheritPolicies: false
              policies:
                - set-header: {name: X-Trail, value: alone, exists-action: append}
        - id: plain
          path: /plain
          backend: b
      """);
    Map<String, String> expected =
        Map.of(
            "/s/inherits", "global,api",
            "/s/own-first", "op,global,api",
            "/s/after", "global,api,op",
            "/s/alone", "alone",
            "/plain/x", "global");
    expected.forEach(
        (uri, trail) -> {
          assertThat(get(gw, uri).send().await().statusCode()).isEqualTo(200);
          assertThat(String.join(",", backend.last().headers().getAll("X-Trail")))
              .as(uri)
              .isEqualTo(trail);
        });
  }

  @Test
  void refusalsAreCountedAsExchangesAndPolicyDecisionsAsMetrics() {
    GatewayVerticle gw =
        gateway(
            """
      apis:
        - id: limited
          path: /limited
          backend: b
          policies:
            - cors: {allowed-origins: [https://app.example.com]}
            - rate-limit-by-key: {calls: 1, renewal-period: 60, counter-key: "{request.api}"}
      """);
    assertThat(get(gw, "/limited").send().await().statusCode()).isEqualTo(200);
    HttpResponse<Buffer> limited =
        get(gw, "/limited").putHeader("Origin", "https://app.example.com").send().await();
    assertProblem(limited, 429, "RateLimited");
    // the CORS policy ran before the refusal: a browser can read the 429
    assertThat(limited.getHeader("access-control-allow-origin"))
        .isEqualTo("https://app.example.com");
    String metrics =
        web.get(gw.managementPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
    assertThat(metrics)
        .containsPattern(
            "portico_request_duration_seconds_count\\{[^}]*reason=\"RateLimited\"[^}]*} 1");
    assertThat(metrics)
        .containsPattern("portico_policy_limit_decisions_total\\{[^}]*result=\"limited\"[^}]*} 1");
    assertThat(metrics)
        .containsPattern("portico_policy_limit_decisions_total\\{[^}]*result=\"allowed\"[^}]*} 1");
  }

  @Test
  void theDocumentedExampleLoadsAndRuns() throws Exception {
    String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "policies.md"));
    int marker = doc.indexOf("<!-- example:policies -->");
    assertThat(marker).as("docs/policies.md has the example").isPositive();
    int from = doc.indexOf("```yaml\n", marker) + "```yaml\n".length();
    String yaml =
        doc.substring(from, doc.indexOf("```", from))
            .replace("http://127.0.0.1:8081/api", "http://127.0.0.1:" + backend.port() + "/api");
    GatewayVerticle gw = GatewayHarness.start(vertx, yaml);
    HttpResponse<Buffer> preflight =
        web.request(HttpMethod.OPTIONS, gw.trafficPort(), "127.0.0.1", "/orders/7")
            .putHeader("Origin", "https://app.example.com")
            .putHeader("Access-Control-Request-Method", "DELETE")
            .send()
            .await();
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertProblem(get(gw, "/orders/7").send().await(), 401, "Unauthorized");
    // the client address is the entry the trusted proxy (this client) appended: a forbidden one
    assertProblem(
        get(gw, "/orders/7").putHeader("X-Forwarded-For", "203.0.113.9").send().await(),
        403,
        "Forbidden");
    assertThat(get(gw, "/orders/health").send().await().statusCode()).isEqualTo(200);
    assertThat(backend.uris()).containsExactly("/api/health");
  }

  @Test
  void theGatewaysOwnErrorsGetThePoliciesResponseHeaders() {
    int closed = dev.portico.gateway.support.Backends.closedPort();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      backends:
        - { id: gone, url: "http://127.0.0.1:%d" }
      apis:
        - id: a
          path: /a
          backend: gone
          policies:
            - cors: {allowed-origins: [https://app.example.com]}
            - set-header: {name: X-Served-By, value: portico, direction: response}
      """
                .formatted(closed));
    HttpResponse<Buffer> res =
        get(gw, "/a").putHeader("Origin", "https://app.example.com").send().await();
    assertProblem(res, 502, "BackendConnectionFailure");
    assertThat(res.getHeader("x-served-by")).isEqualTo("portico");
    assertThat(res.getHeader("access-control-allow-origin")).isEqualTo("https://app.example.com");
  }

  @Test
  void theChainIsToldHowEachExchangeEndedBodyBytesIncluded() {
    GatewayVerticle gw =
        gateway(
            """
      apis:
        - id: up
          path: /up
          backend: b
          policies:
            - quota-by-key: {bandwidth: 2, renewal-period: 3600, counter-key: "{header.X-Tenant}"}
      """);
    Buffer kb3 = Buffer.buffer("x".repeat(3 * 1024));
    // the first request crosses the 2 KB allowance: counted when it ends, so it completes
    assertThat(
            web.post(gw.trafficPort(), "127.0.0.1", "/up")
                .putHeader("X-Tenant", "t")
                .sendBuffer(kb3)
                .await()
                .statusCode())
        .isEqualTo(200);
    // the client has the response once it is written; the gateway counts the exchange just after
    // (a request on another connection may reach the other event loop first): wait for the end,
    // which the API's in-flight gauge shows after the policies were told
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.metrics().inFlight("up") == 0);
    assertProblem(get(gw, "/up").putHeader("X-Tenant", "t").send().await(), 403, "QuotaExceeded");
    assertThat(get(gw, "/up").putHeader("X-Tenant", "other").send().await().statusCode())
        .isEqualTo(200);
    assertThat(backend.seen()).hasSize(2);
  }

  @Test
  void aPreflightNoOperationMatchesRunsThePoliciesOfTheOperationItAnnounces() {
    GatewayVerticle gw =
        gateway(
            """
      apis:
        - id: shop
          path: /shop
          backend: b
          operations:
            - id: put-item
              method: PUT
              path: /items/{id}
              policies:
                - cors: {allowed-origins: [https://app.example.com], allowed-methods: [PUT]}
            - {id: list, method: GET, path: /items}
      """);
    HttpResponse<Buffer> put =
        web.request(HttpMethod.OPTIONS, gw.trafficPort(), "127.0.0.1", "/shop/items/3")
            .putHeader("Origin", "https://app.example.com")
            .putHeader("Access-Control-Request-Method", "PUT")
            .send()
            .await();
    assertThat(put.statusCode()).isEqualTo(204);
    assertThat(put.getHeader("access-control-allow-methods")).contains("PUT");
    // an operation without cors lets the preflight through its (empty) chain: still no OPTIONS
    // operation
    HttpResponse<Buffer> list =
        web.request(HttpMethod.OPTIONS, gw.trafficPort(), "127.0.0.1", "/shop/items")
            .putHeader("Origin", "https://app.example.com")
            .putHeader("Access-Control-Request-Method", "GET")
            .send()
            .await();
    assertProblem(list, 404, "OperationNotFound");
    assertThat(backend.seen()).isEmpty();
  }
}
