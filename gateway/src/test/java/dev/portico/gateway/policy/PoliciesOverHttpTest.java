package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.pipeline.Problems;
import dev.portico.gateway.support.OnContext;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A policy chain behind a real HTTP server on loopback, its outcomes written the way the request
 * path writes them (problem+json refusals, direct answers, header edits): what a client sees.
 */
class PoliciesOverHttpTest {

  static Vertx vertx;
  static HttpServer server;
  static HttpClient client;
  static PolicyChain chain;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    PolicyEnvironment env =
        PolicyEnvironment.builder(vertx).namedValues(Map.of("backend-key", "k-1")).build();
    chain =
        Policies.chain(
            env,
            new JsonArray()
                .add(
                    new JsonObject()
                        .put(
                            "cors",
                            new JsonObject()
                                .put("allowed-origins", new JsonArray().add("https://app.test"))
                                .put("allowed-methods", new JsonArray().add("GET").add("PUT"))
                                .put("allowed-headers", new JsonArray().add("Authorization"))))
                .add(
                    new JsonObject()
                        .put(
                            "ip-filter",
                            new JsonObject()
                                .put("action", "allow")
                                .put("addresses", new JsonArray().add("127.0.0.0/8").add("::1"))
                                .put("trusted-proxy-depth", 0)))
                .add(
                    new JsonObject()
                        .put(
                            "rate-limit-by-key",
                            new JsonObject()
                                .put("calls", 3)
                                .put("renewal-period", 3600)
                                .put("counter-key", "{header.X-Client}")))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject()
                                .put("name", "X-Backend-Key")
                                .put("value", "{{backend-key}}")))
                .add(
                    new JsonObject()
                        .put("rewrite-uri", new JsonObject().put("template", "/v2/orders/{id}"))));
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  HttpPolicyRequest view =
                      new HttpPolicyRequest(
                          req,
                          req.path(),
                          "orders",
                          "get-order",
                          Map.of("id", req.path().substring(req.path().lastIndexOf('/') + 1)));
                  PolicyChain.Run run = chain.start(view);
                  run.outcome()
                      .onFailure(e -> req.response().setStatusCode(599).end(String.valueOf(e)))
                      .onSuccess(
                          o -> {
                            if (o instanceof PolicyOutcome.Reject r) {
                              r.responseHeaders().applyTo(req.response().headers());
                              Problems.write(
                                  req.response(),
                                  new JsonObject()
                                      .put("type", Problems.TYPE_BASE + r.reason())
                                      .put("title", r.title())
                                      .put("status", r.status())
                                      .put("detail", r.detail())
                                      .put("reason", r.reason()));
                            } else if (o instanceof PolicyOutcome.Respond r) {
                              r.responseHeaders().applyTo(req.response().headers());
                              req.response().setStatusCode(r.status()).end();
                            } else if (o instanceof PolicyOutcome.Continue c) {
                              MultiMap upstream =
                                  MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
                              c.requestHeaders().applyTo(upstream);
                              c.responseHeaders().applyTo(req.response().headers());
                              JsonObject seen =
                                  new JsonObject()
                                      .put(
                                          "target",
                                          c.rewrite() == null ? req.uri() : c.rewrite().target())
                                      .put("backendKey", upstream.get("X-Backend-Key"));
                              req.response()
                                  .putHeader("Content-Type", "application/json")
                                  .end(seen.encode());
                            }
                            run.completed(new Completion(req.response().getStatusCode(), 0, 0));
                          });
                })
            .listen(0, "127.0.0.1")
            .await();
    // a server-side failure must fail the test, not leave it waiting for an answer
    client = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(10));
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  record Answer(int statusCode, MultiMap headers, Buffer body) {
    String getHeader(String name) {
      return headers.get(name);
    }
  }

  private static Answer call(HttpMethod method, String uri, MultiMap headers) {
    return OnContext.run(
            vertx,
            () ->
                client
                    .request(
                        new RequestOptions()
                            .setMethod(method)
                            .setHost("127.0.0.1")
                            .setPort(server.actualPort())
                            .setURI(uri)
                            .setHeaders(headers))
                    .compose(r -> r.send())
                    .compose(
                        resp ->
                            resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b))))
        .await();
  }

  @Test
  void aClientSeesTheChain() {
    Answer pre =
        call(
            HttpMethod.OPTIONS,
            "/orders/42",
            MultiMap.caseInsensitiveMultiMap()
                .add("Origin", "https://app.test")
                .add("Access-Control-Request-Method", "PUT")
                .add("Access-Control-Request-Headers", "authorization"));
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.test");
    assertThat(pre.getHeader("Access-Control-Allow-Methods")).isEqualTo("GET, PUT");

    for (int i = 0; i < 3; i++) {
      Answer ok =
          call(
              HttpMethod.GET,
              "/orders/42?x=1",
              MultiMap.caseInsensitiveMultiMap()
                  .add("Origin", "https://app.test")
                  .add("X-Client", "c1"));
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.test");
      JsonObject seen = ok.body().toJsonObject();
      assertThat(seen.getString("target")).isEqualTo("/v2/orders/42?x=1");
      assertThat(seen.getString("backendKey")).isEqualTo("k-1");
    }
    Answer limited =
        call(
            HttpMethod.GET,
            "/orders/42",
            MultiMap.caseInsensitiveMultiMap()
                .add("Origin", "https://app.test")
                .add("X-Client", "c1"));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(limited.getHeader("Retry-After")).isEqualTo("1200");
    assertThat(limited.getHeader("RateLimit")).isEqualTo("\"default\";r=0;t=1200");
    assertThat(limited.getHeader("RateLimit-Policy")).isEqualTo("\"default\";q=3;w=3600");
    assertThat(limited.getHeader("Access-Control-Allow-Origin"))
        .as("the page may read the 429")
        .isEqualTo("https://app.test");
    Buffer body = limited.body();
    assertThat(body.toJsonObject().getString("reason")).isEqualTo("RateLimited");

    Answer evil =
        call(
            HttpMethod.GET,
            "/orders/42",
            MultiMap.caseInsensitiveMultiMap()
                .add("Origin", "https://evil.test")
                .add("X-Client", "c2"));
    assertThat(evil.statusCode()).isEqualTo(200);
    assertThat(evil.getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(evil.getHeader("Vary")).isEqualTo("Origin");
  }
}
