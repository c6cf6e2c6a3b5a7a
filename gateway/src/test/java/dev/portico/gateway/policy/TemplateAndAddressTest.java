package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.policy.config.PolicyProblem;
import dev.portico.gateway.policy.internal.IpRanges;
import dev.portico.gateway.policy.internal.Template;
import dev.portico.gateway.policy.internal.TemplateException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Templates (policy expressions), IP ranges and the client address behind trusted proxies. */
class TemplateAndAddressTest {

  static Vertx vertx;
  static PolicyEnvironment env;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    env =
        PolicyEnvironment.builder(vertx)
            .namedValues(Map.of("tenant", "acme", "secret", "s3cr3t"))
            .build();
  }

  @AfterAll
  static void stop() {
    env.close();
    vertx.close().await();
  }

  private static Template t(String source) {
    return Template.compile(source, Map.of("tenant", "acme")::get, 0);
  }

  @Test
  void expressionsReadTheRequest() {
    TestRequest r =
        TestRequest.get("/api/orders/42")
            .query("view=full&x=a%20b")
            .header("X-Key", "k1")
            .claims(Map.of("sub", "alice", "realm", Map.of("roles", List.of("a", "b")), "n", 3.0));
    assertThat(t("{{tenant}}-{id}-{path.id}").evaluate(r)).isEqualTo("acme-42-42");
    assertThat(t("{claim.sub}/{claim.realm.roles}/{claim.n}").evaluate(r)).isEqualTo("alice/a,b/3");
    assertThat(t("{header.x-key}|{query.x}|{query.missing}|{claim.none}").evaluate(r))
        .isEqualTo("k1|a b||");
    assertThat(
            t("{request.ip} {request.method} {request.api} {request.operation} {request.path}")
                .evaluate(r))
        .isEqualTo("192.0.2.10 GET orders get-order /api/orders/42");
    assertThat(t("literal \\{not\\} {{tenant}}").isConstant()).isTrue();
    assertThat(t("literal \\{not\\} {{tenant}}").constant()).isEqualTo("literal {not} acme");
    assertThat(t("/v2/{id}/{claim.sub}").pathParameters()).containsExactly("id");
  }

  @Test
  void valuesAreEscapedForWhereTheyGo() {
    TestRequest r = TestRequest.get("/x").claims(Map.of("sub", "../admin", "q", "a&b=c d/é"));
    assertThat(t("/u/{claim.sub}").evaluate(r, Template.Encoding.PATH)).isEqualTo("/u/..%2Fadmin");
    assertThat(t("/u/{claim.q}").evaluate(r.claims(Map.of("q", "..")), Template.Encoding.PATH))
        .isEqualTo("/u/%2E%2E");
    StringBuilder q = new StringBuilder();
    t("{claim.q}")
        .appendTo(
            TestRequest.get("/x").claims(Map.of("q", "a&b=c d/é")), Template.Encoding.QUERY, q);
    assertThat(q.toString()).isEqualTo("a%26b%3Dc%20d%2F%C3%A9");
  }

  @Test
  void badExpressionsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> t("{claim.sub"))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("not closed");
    assertThatThrownBy(() -> t("{{nope}}")).hasMessageContaining("unknown named value '{{nope}}'");
    assertThatThrownBy(() -> t("{cookie.x}")).hasMessageContaining("unknown '{cookie.x}'");
    assertThatThrownBy(() -> t("{request.user}")).hasMessageContaining("request values are");
    assertThatThrownBy(() -> t("a}b")).hasMessageContaining("closes nothing");
    assertThatThrownBy(() -> t("{}")).hasMessageContaining("empty expression");
  }

  @Test
  void rangesCoverIpv4Ipv6AndMappedAddresses() {
    IpRanges r =
        IpRanges.builder()
            .add("10.0.0.0/8")
            .add("192.0.2.7")
            .add("2001:db8::/32")
            .addRange("198.51.100.10", "198.51.100.20")
            .build();
    assertThat(r.contains("10.255.1.2")).isTrue();
    assertThat(r.contains("::ffff:10.1.2.3")).isTrue();
    assertThat(r.contains("11.0.0.1")).isFalse();
    assertThat(r.contains("192.0.2.7")).isTrue();
    assertThat(r.contains("192.0.2.8")).isFalse();
    assertThat(r.contains("2001:db8:1::5")).isTrue();
    assertThat(r.contains("2001:db9::1")).isFalse();
    assertThat(r.contains("198.51.100.15")).isTrue();
    assertThat(r.contains("198.51.100.21")).isFalse();
    assertThat(r.contains("not-an-ip")).isFalse();
    assertThat(r.contains("example.com")).isFalse();
    assertThat(IpRanges.builder().add("0.0.0.0/0").build().contains("203.0.113.9")).isTrue();
    assertThat(IpRanges.builder().add("0.0.0.0/0").build().contains("2001:db8::1")).isFalse();
    assertThat(IpRanges.builder().add("::/0").build().contains("2001:db8::1")).isTrue();
  }

  @Test
  void badAddressesInConfigurationAreProblemsAtTheirField() {
    JsonArray list =
        new JsonArray()
            .add(
                new JsonObject()
                    .put(
                        "ip-filter",
                        new JsonObject()
                            .put("action", "allow")
                            .put(
                                "addresses",
                                new JsonArray()
                                    .add("10.0.0.0/8")
                                    .add("10.0.0.1/8")
                                    .add("300.1.1.1")
                                    .add("10.0.0.0/33")
                                    .add("fe80::/abc"))
                            .put(
                                "address-ranges",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("from", "10.0.0.9")
                                            .put("to", "10.0.0.1")))));
    List<PolicyProblem> problems = Policies.problems(env, list, null);
    assertThat(problems)
        .extracting(PolicyProblem::toString)
        .containsExactly(
            "policies[0].ip-filter.addresses[1]: '10.0.0.1/8' has bits set after the /8 prefix (did you mean 10.0.0.0/8?)",
            "policies[0].ip-filter.addresses[2]: '300.1.1.1' is not an IP address or CIDR block (examples: 192.0.2.1, 10.0.0.0/8, 2001:db8::/32)",
            "policies[0].ip-filter.addresses[3]: '10.0.0.0/33': the prefix length must be 0..32",
            "policies[0].ip-filter.addresses[4]: 'fe80::/abc': the prefix length after '/' must be a number",
            "policies[0].ip-filter.address-ranges[0]: range 10.0.0.9 to 10.0.0.1 ends before it starts");
  }

  @Test
  void ipFilterAllowsAndForbidsTheClientBehindTrustedProxies() {
    Policy allow =
        Policies.one(
            env,
            "ip-filter",
            new JsonObject()
                .put("action", "allow")
                .put("addresses", new JsonArray().add("192.0.2.0/24").add("2001:db8::/32")));
    assertThat(Policies.run(allow, TestRequest.get("/").from("192.0.2.99")))
        .isSameAs(PolicyOutcome.CONTINUE);
    assertThat(Policies.run(allow, TestRequest.get("/").from("2001:db8::7")))
        .isSameAs(PolicyOutcome.CONTINUE);
    PolicyOutcome refused = Policies.run(allow, TestRequest.get("/").from("203.0.113.5"));
    assertThat(refused)
        .isInstanceOfSatisfying(
            PolicyOutcome.Reject.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("Forbidden");
              assertThat(r.detail())
                  .isEqualTo("the client address 203.0.113.5 is not allowed to call this API");
            });
    // without trusted proxies, X-Forwarded-For is the client's own claim: ignored
    assertThat(
            Policies.run(
                allow,
                TestRequest.get("/").from("203.0.113.5").header("X-Forwarded-For", "192.0.2.1")))
        .isInstanceOf(PolicyOutcome.Reject.class);

    Policy behindOne =
        Policies.one(
            env,
            "ip-filter",
            new JsonObject()
                .put("action", "forbid")
                .put("addresses", new JsonArray().add("198.51.100.0/24"))
                .put("trusted-proxy-depth", 1));
    // the proxy (peer 10.0.0.2) appended the client; what the client wrote to the left is not
    // trusted
    TestRequest spoofing =
        TestRequest.get("/").from("10.0.0.2").header("X-Forwarded-For", "192.0.2.1, 198.51.100.7");
    assertThat(Policies.run(behindOne, spoofing)).isInstanceOf(PolicyOutcome.Reject.class);
    TestRequest clean =
        TestRequest.get("/")
            .from("10.0.0.2")
            .header("X-Forwarded-For", "198.51.100.7")
            .header("X-Forwarded-For", "192.0.2.1");
    assertThat(Policies.run(behindOne, clean)).isSameAs(PolicyOutcome.CONTINUE);

    Policy behindTwo =
        Policies.one(
            env,
            "ip-filter",
            new JsonObject()
                .put("action", "allow")
                .put("addresses", new JsonArray().add("::ffff:192.0.2.0/120"))
                .put("trusted-proxy-depth", 2));
    TestRequest two =
        TestRequest.get("/")
            .from("10.0.0.2")
            .header("X-Forwarded-For", "6.6.6.6, 192.0.2.44:51000, 10.0.0.1");
    assertThat(Policies.run(behindTwo, two)).isSameAs(PolicyOutcome.CONTINUE);
    // a chain shorter than the depth did not come through every proxy: the peer decides
    TestRequest shortChain =
        TestRequest.get("/").from("10.0.0.2").header("X-Forwarded-For", "192.0.2.44");
    assertThat(Policies.run(behindTwo, shortChain)).isInstanceOf(PolicyOutcome.Reject.class);
    TestRequest v6 =
        TestRequest.get("/")
            .from("10.0.0.2")
            .header("X-Forwarded-For", "[2001:db8::1]:443, 10.0.0.1");
    assertThat(Policies.run(behindTwo, v6)).isInstanceOf(PolicyOutcome.Reject.class);
  }

  @Test
  void unusedTemplatesOfOperationsAreChecked() {
    JsonArray list =
        new JsonArray()
            .add(
                new JsonObject()
                    .put(
                        "set-header",
                        new JsonObject().put("name", "X-Order").put("value", "{orderId}")));
    assertThat(Policies.problems(env, list, Set.of("id")))
        .extracting(PolicyProblem::toString)
        .containsExactly(
            "policies[0].set-header.value[0]: path parameter {orderId} is not in the operation's template (it has id)");
    assertThat(Policies.problems(env, list, null)).isEmpty();
  }
}
