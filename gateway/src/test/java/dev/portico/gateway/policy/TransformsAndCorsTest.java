package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** set-header, rewrite-uri and cors, and how the chain merges their outcomes. */
class TransformsAndCorsTest {

  static Vertx vertx;
  static PolicyEnvironment env;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    env = PolicyEnvironment.builder(vertx).namedValues(Map.of("backend-key", "k-123")).build();
  }

  @AfterAll
  static void stop() {
    env.close();
    vertx.close().await();
  }

  private static PolicyOutcome.Continue cont(PolicyOutcome o) {
    assertThat(o).isInstanceOf(PolicyOutcome.Continue.class);
    return (PolicyOutcome.Continue) o;
  }

  @Test
  void setHeaderActionsAndTemplates() {
    MultiMap upstream =
        MultiMap.caseInsensitiveMultiMap()
            .add("X-Keep", "old")
            .add("X-Over", "old")
            .add("X-App", "a")
            .add("X-Del", "gone");
    PolicyChain chain =
        Policies.chain(
            env,
            new JsonArray()
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject()
                                .put("name", "X-Keep")
                                .put("exists-action", "skip")
                                .put("value", "new")))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject()
                                .put("name", "X-Over")
                                .put("value", new JsonArray().add("1").add("2"))))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject()
                                .put("name", "X-App")
                                .put("exists-action", "append")
                                .put("value", "b")))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject().put("name", "X-Del").put("exists-action", "delete")))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject()
                                .put("name", "X-Api-Key")
                                .put("value", "{{backend-key}}")))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject().put("name", "X-User").put("value", "{claim.sub}")))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject().put("name", "X-Order").put("value", "order-{id}")))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject().put("name", "X-Evil").put("value", "{query.v}")))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject()
                                .put("name", "X-Served-By")
                                .put("direction", "response")
                                .put("value", "portico"))));
    PolicyOutcome.Continue c =
        cont(
            chain
                .start(TestRequest.get("/api/orders/42").query("v=a%0d%0aInjected:%20yes"))
                .outcome()
                .result());
    c.requestHeaders().applyTo(upstream);
    assertThat(upstream.getAll("X-Keep")).containsExactly("old");
    assertThat(upstream.getAll("X-Over")).containsExactly("1", "2");
    assertThat(upstream.getAll("X-App")).containsExactly("a", "b");
    assertThat(upstream.contains("X-Del")).isFalse();
    assertThat(upstream.get("X-Api-Key")).isEqualTo("k-123");
    assertThat(upstream.contains("X-User")).as("a claim that is not there sets nothing").isFalse();
    assertThat(upstream.get("X-Order")).isEqualTo("order-42");
    assertThat(upstream.contains("X-Evil")).as("a value with a line break is never sent").isFalse();
    assertThat(Policies.applied(c.responseHeaders()).get("X-Served-By")).isEqualTo("portico");
  }

  @Test
  void claimsOfValidateJwtReachLaterPolicies() {
    Policy claims =
        new Policy() {
          public String name() {
            return "test-claims";
          }

          public String location() {
            return "test";
          }

          public io.vertx.core.Future<PolicyOutcome> apply(PolicyRequest request) {
            return PolicyOutcome.now(
                new PolicyOutcome.Continue(Map.of("sub", "alice"), null, null, null));
          }
        };
    Policy header =
        Policies.one(
            env, "set-header", new JsonObject().put("name", "X-User").put("value", "{claim.sub}"));
    PolicyOutcome.Continue c =
        cont(
            PolicyChain.of(java.util.List.of(claims, header))
                .start(TestRequest.get("/"))
                .outcome()
                .result());
    assertThat(c.claims()).containsEntry("sub", "alice");
    assertThat(Policies.applied(c.requestHeaders()).get("X-User")).isEqualTo("alice");
  }

  @Test
  void rewriteUriFromTheOperationTemplate() {
    Policy rewrite =
        Policies.one(
            env,
            "rewrite-uri",
            new JsonObject()
                .put(
                    "template",
                    "/v2/US/{storenumber}/{ordernumber}?City={query.city}&State=WA&user={claim.sub}"));
    TestRequest r =
        TestRequest.get("/api/stores/12/orders/a%2Fb")
            .param("storenumber", "12")
            .param("ordernumber", "a%2Fb")
            .query("city=New%20York&page=2&flag")
            .claims(Map.of("sub", "../x"));
    PolicyOutcome.Continue c = cont(Policies.run(rewrite, r));
    assertThat(c.rewrite().path()).isEqualTo("/v2/US/12/a%2Fb");
    assertThat(c.rewrite().query()).isEqualTo("City=New%20York&State=WA&user=..%2Fx&page=2&flag");

    Policy noCopy =
        Policies.one(
            env,
            "rewrite-uri",
            new JsonObject()
                .put("template", "/put?b={query.zzz}")
                .put("copy-unmatched-params", false));
    PolicyOutcome.Continue d = cont(Policies.run(noCopy, TestRequest.get("/get").query("a=b&c=d")));
    assertThat(d.rewrite().target()).isEqualTo("/put");

    Policy copy = Policies.one(env, "rewrite-uri", new JsonObject().put("template", "/put?a=1"));
    assertThat(
            cont(Policies.run(copy, TestRequest.get("/get").query("a=b&c=d"))).rewrite().target())
        .isEqualTo("/put?a=1&c=d");
  }

  private static final JsonObject CORS =
      new JsonObject()
          .put(
              "allowed-origins",
              new JsonArray().add("https://app.example.com").add("https://*.example.org"))
          .put("allowed-methods", new JsonArray().add("GET").add("PUT").add("DELETE"))
          .put("allowed-headers", new JsonArray().add("Content-Type").add("Authorization"))
          .put("expose-headers", new JsonArray().add("X-Request-Id"))
          .put("allow-credentials", true)
          .put("preflight-result-max-age", 600);

  @Test
  void preflightFromAnAllowedOriginIsAnswered() {
    Policy cors = Policies.one(env, "cors", CORS);
    TestRequest pre =
        TestRequest.get("/api/orders")
            .method(HttpMethod.OPTIONS)
            .header("Origin", "https://app.example.com")
            .header("Access-Control-Request-Method", "PUT")
            .header("Access-Control-Request-Headers", "content-type, authorization");
    PolicyOutcome o = Policies.run(cors, pre);
    assertThat(o).isInstanceOf(PolicyOutcome.Respond.class);
    PolicyOutcome.Respond r = (PolicyOutcome.Respond) o;
    assertThat(r.status()).isEqualTo(204);
    MultiMap h = Policies.applied(r.responseHeaders());
    assertThat(h.get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(h.get("Access-Control-Allow-Methods")).isEqualTo("GET, PUT, DELETE");
    assertThat(h.get("Access-Control-Allow-Headers")).isEqualTo("Content-Type, Authorization");
    assertThat(h.get("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(h.get("Access-Control-Max-Age")).isEqualTo("600");
    assertThat(h.get("Vary"))
        .isEqualTo("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");

    TestRequest sub =
        TestRequest.get("/")
            .method(HttpMethod.OPTIONS)
            .header("Origin", "https://a.b.example.org")
            .header("Access-Control-Request-Method", "DELETE");
    assertThat(((PolicyOutcome.Respond) Policies.run(cors, sub)).status()).isEqualTo(204);
  }

  @Test
  void disallowedOriginsGetNoCorsHeaders() {
    Policy cors = Policies.one(env, "cors", CORS);
    for (String origin :
        new String[] {
          "https://evil.example.com",
          "https://example.org",
          "http://app.example.com",
          "https://app.example.com.evil.net",
          "null"
        }) {
      TestRequest pre =
          TestRequest.get("/")
              .method(HttpMethod.OPTIONS)
              .header("Origin", origin)
              .header("Access-Control-Request-Method", "GET");
      PolicyOutcome.Respond r = (PolicyOutcome.Respond) Policies.run(cors, pre);
      assertThat(r.status()).as(origin).isEqualTo(200);
      assertThat(Policies.applied(r.responseHeaders()).names()).as(origin).containsExactly("Vary");
      // the actual request goes on; a backend's own CORS headers are taken off
      PolicyOutcome.Continue c =
          cont(Policies.run(cors, TestRequest.get("/").header("Origin", origin)));
      MultiMap backend =
          MultiMap.caseInsensitiveMultiMap()
              .add("Access-Control-Allow-Origin", "*")
              .add("Content-Type", "x");
      c.responseHeaders().applyTo(backend);
      assertThat(backend.contains("Access-Control-Allow-Origin")).as(origin).isFalse();
      assertThat(backend.get("Vary")).isEqualTo("Origin");
    }
    // an allowed origin asking for a method or header that is not allowed
    TestRequest badMethod =
        TestRequest.get("/")
            .method(HttpMethod.OPTIONS)
            .header("Origin", "https://app.example.com")
            .header("Access-Control-Request-Method", "PATCH");
    assertThat(((PolicyOutcome.Respond) Policies.run(cors, badMethod)).status()).isEqualTo(200);
    TestRequest badHeader =
        TestRequest.get("/")
            .method(HttpMethod.OPTIONS)
            .header("Origin", "https://app.example.com")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "X-Secret");
    assertThat(((PolicyOutcome.Respond) Policies.run(cors, badHeader)).status()).isEqualTo(200);
    // terminate-unmatched-request: false passes an unmatched preflight to the backend
    Policy passing =
        Policies.one(env, "cors", CORS.copy().put("terminate-unmatched-request", false));
    assertThat(Policies.run(passing, badMethod)).isSameAs(PolicyOutcome.CONTINUE);
  }

  @Test
  void actualRequestsFromAllowedOriginsAreDecorated() {
    Policy cors = Policies.one(env, "cors", CORS);
    PolicyOutcome.Continue c =
        cont(Policies.run(cors, TestRequest.get("/").header("Origin", "https://app.example.com")));
    MultiMap h = Policies.applied(c.responseHeaders());
    assertThat(h.get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(h.get("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(h.get("Access-Control-Expose-Headers")).isEqualTo("X-Request-Id");
    assertThat(h.get("Vary")).isEqualTo("Origin");

    Policy any =
        Policies.one(
            env,
            "cors",
            new JsonObject()
                .put("allowed-origins", new JsonArray().add("*"))
                .put("allowed-headers", new JsonArray().add("*"))
                .put("allowed-methods", new JsonArray().add("*")));
    MultiMap a =
        Policies.applied(
            cont(Policies.run(any, TestRequest.get("/").header("Origin", "https://x.test")))
                .responseHeaders());
    assertThat(a.get("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(a.contains("Vary")).isFalse();
    PolicyOutcome.Respond pre =
        (PolicyOutcome.Respond)
            Policies.run(
                any,
                TestRequest.get("/")
                    .method(HttpMethod.OPTIONS)
                    .header("Origin", "https://x.test")
                    .header("Access-Control-Request-Method", "PATCH")
                    .header("Access-Control-Request-Headers", "X-Anything"));
    MultiMap p = Policies.applied(pre.responseHeaders());
    assertThat(p.get("Access-Control-Allow-Methods")).isEqualTo("*");
    assertThat(p.get("Access-Control-Allow-Headers")).isEqualTo("*");
  }

  @Test
  void aRefusalAfterCorsStillCarriesTheCorsHeaders() {
    PolicyChain chain =
        Policies.chain(
            env,
            new JsonArray()
                .add(new JsonObject().put("cors", CORS))
                .add(
                    new JsonObject()
                        .put(
                            "ip-filter",
                            new JsonObject()
                                .put("action", "allow")
                                .put("addresses", new JsonArray().add("10.0.0.0/8")))));
    PolicyOutcome o =
        chain
            .start(TestRequest.get("/").header("Origin", "https://app.example.com"))
            .outcome()
            .result();
    assertThat(o).isInstanceOf(PolicyOutcome.Reject.class);
    MultiMap h = Policies.applied(((PolicyOutcome.Reject) o).responseHeaders());
    assertThat(h.get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
  }
}
