package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.policy.config.PolicyConfigBinder;
import dev.portico.gateway.policy.config.PolicyProblem;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Binding from the configuration tree, the problems it reports, and APIM's scope rules (global,
 * API, operation).
 */
class ScopesAndConfigTest {

  static Vertx vertx;
  static PolicyEnvironment env;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    env = PolicyEnvironment.builder(vertx).namedValues(Map.of("tenant", "acme")).build();
  }

  @AfterAll
  static void stop() {
    env.close();
    vertx.close().await();
  }

  private static JsonObject header(String name, String value) {
    return new JsonObject()
        .put("set-header", new JsonObject().put("name", name).put("value", value));
  }

  private CompiledScope scope(
      String at, JsonArray list, Boolean inherit, boolean global, List<PolicyProblem> problems) {
    PolicyScopeConfig config = PolicyConfigBinder.bindScope(at, list, inherit, global, problems);
    return new PolicyCompiler(env).compile(config, null, problems);
  }

  private static List<String> locations(PolicyChain chain) {
    return chain.policies().stream().map(Policy::location).toList();
  }

  @Test
  void operationsInheritTheApiWhichInheritsGlobal() {
    List<PolicyProblem> problems = new ArrayList<>();
    CompiledScope global =
        scope("policies", new JsonArray().add(header("X-G", "g")), null, true, problems);
    CompiledScope api =
        scope("apis[0].policies", new JsonArray().add(header("X-A", "a")), null, false, problems);
    CompiledScope opDefault = scope("apis[0].operations[0].policies", null, null, false, problems);
    CompiledScope opWithOwn =
        scope(
            "apis[0].operations[1].policies",
            new JsonArray().add(header("X-O", "o")),
            null,
            false,
            problems);
    CompiledScope opBaseLast =
        scope(
            "apis[0].operations[2].policies",
            new JsonArray().add(header("X-O", "o")).add("base"),
            null,
            false,
            problems);
    CompiledScope opAlone =
        scope(
            "apis[0].operations[3].policies",
            new JsonArray().add(header("X-O", "o")),
            false,
            false,
            problems);
    CompiledScope opNone =
        scope("apis[0].operations[4].policies", new JsonArray(), false, false, problems);
    assertThat(problems).isEmpty();

    assertThat(locations(PolicyChain.of(global, api, opDefault)))
        .containsExactly("policies[0].set-header", "apis[0].policies[0].set-header");
    assertThat(locations(PolicyChain.of(global, api, opWithOwn)))
        .containsExactly(
            "policies[0].set-header",
            "apis[0].policies[0].set-header",
            "apis[0].operations[1].policies[0].set-header");
    assertThat(locations(PolicyChain.of(global, api, opBaseLast)))
        .containsExactly(
            "apis[0].operations[2].policies[0].set-header",
            "policies[0].set-header",
            "apis[0].policies[0].set-header");
    assertThat(locations(PolicyChain.of(global, api, opAlone)))
        .containsExactly("apis[0].operations[3].policies[0].set-header");
    assertThat(PolicyChain.of(global, api, opNone).isEmpty()).isTrue();
    assertThat(locations(PolicyChain.of(global, null, null)))
        .containsExactly("policies[0].set-header");

    // one compiled policy per configured entry: every route inheriting it shares it (and its
    // counters)
    assertThat(PolicyChain.of(global, api, opDefault).policies().get(1))
        .isSameAs(PolicyChain.of(global, api, opWithOwn).policies().get(1));
  }

  @Test
  void everyProblemIsReportedAtItsField() {
    JsonArray list =
        new JsonArray()
            .add("base")
            .add(
                new JsonObject()
                    .put(
                        "rate-limit-by-key",
                        new JsonObject()
                            .put("calls", 0)
                            .put("renewal-period", "PT0S")
                            .put("counter-key", "{claim.sub")))
            .add(new JsonObject().put("rate-limit-by-kee", new JsonObject()))
            .add(
                new JsonObject()
                    .put(
                        "cors",
                        new JsonObject()
                            .put("allowed-origins", new JsonArray().add("*"))
                            .put("allow-credentials", true)))
            .add(
                new JsonObject()
                    .put(
                        "set-header",
                        new JsonObject().put("name", "Content-Length").put("value", "1")))
            .add(
                new JsonObject()
                    .put("set-header", new JsonObject().put("name", "X-A").put("valeu", "1")))
            .add(
                new JsonObject()
                    .put(
                        "validate-jwt",
                        new JsonObject()
                            .put("jwks-url", "ftp://keys")
                            .put(
                                "issuer-signing-keys",
                                new JsonArray().add(new JsonObject().put("value", "{{nope}}")))))
            .add(
                new JsonObject()
                    .put("quota-by-key", new JsonObject().put("renewal-period", "soon")))
            .add(new JsonObject().put("rewrite-uri", new JsonObject().put("template", "v2/{id}")))
            .add(
                new JsonObject()
                    .put(
                        "rate-limit-by-key",
                        new JsonObject()
                            .put("calls", 5)
                            .put("renewal-period", 1)
                            .put("store", new JsonObject().put("type", "redis"))))
            .add(
                new JsonObject()
                    .put(
                        "set-header",
                        new JsonObject().put("name", "X-B").put("value", "{header.X A}")))
            .add(new JsonObject().put("a", 1).put("b", 2));
    List<PolicyProblem> problems = Policies.problems(env, list, null);
    assertThat(problems)
        .extracting(PolicyProblem::toString)
        .containsExactlyInAnyOrder(
            "policies[0]: the global scope has no enclosing scope: 'base' belongs in an API's or an operation's policies",
            "policies[1].rate-limit-by-key.calls: must be at least 1, got 0",
            "policies[1].rate-limit-by-key.renewal-period: must be at least 1 ms and at most 1 day (a longer period is a quota:"
                + " use quota-by-key), got PT0S",
            "policies[2].rate-limit-by-kee: unknown policy 'rate-limit-by-kee'; policies are rate-limit-by-key, quota-by-key,"
                + " validate-jwt, cors, set-header, rewrite-uri, ip-filter",
            "policies[3].cors.allowed-origins[0]: '*' cannot be used with allow-credentials: true (browsers refuse credentials"
                + " with a wildcard origin); list the origins",
            "policies[4].set-header.name: 'Content-Length' belongs to the gateway (framing and connection headers cannot be"
                + " set or removed by a policy)",
            "policies[5].set-header.valeu: unknown field (allowed: direction, exists-action, name, value)",
            "policies[6].validate-jwt.jwks-url: 'ftp://keys' must be an absolute http(s) URL",
            "policies[7].quota-by-key.renewal-period: 'soon' is neither a number of seconds nor an ISO 8601 duration"
                + " (examples: 60, PT1M, PT0.5S)",
            "policies[8].rewrite-uri.template: must start with '/' (it is relative to the backend's base URL), got 'v2/{id}'",
            "policies[9].rate-limit-by-key.store.type: 'redis' needs a Redis server: the fleet-wide store is the shared"
                + " registry's Redis (registry.backend: redis)",
            "policies[10].set-header.value[0]: '{header.X A}': ' ' is not allowed in a name",
            "policies[11]: each entry is 'base' or one policy as {name: configuration}; policies are rate-limit-by-key,"
                + " quota-by-key, validate-jwt, cors, set-header, rewrite-uri, ip-filter");
  }

  @Test
  void baseAndInheritRules() {
    List<PolicyProblem> problems = new ArrayList<>();
    PolicyConfigBinder.bindScope(
        "apis[1].policies", new JsonArray().add("base").add("base"), null, false, problems);
    PolicyConfigBinder.bindScope(
        "apis[2].policies", new JsonArray().add("base"), false, false, problems);
    PolicyConfigBinder.bindScope("apis[3].policies", new JsonObject(), null, false, problems);
    assertThat(problems)
        .extracting(PolicyProblem::toString)
        .containsExactly(
            "apis[1].policies[1]: 'base' may appear once",
            "apis[2].policies[0]: 'base' contradicts inheritPolicies: false; drop one",
            "apis[3].policies: must be a list of policies");
  }

  @Test
  void secretsInProblemsAreNeverShown() {
    PolicyEnvironment withSecret =
        PolicyEnvironment.builder(vertx).namedValues(Map.of("jwt-secret", "not base64 !!")).build();
    JsonArray list =
        new JsonArray()
            .add(
                new JsonObject()
                    .put(
                        "validate-jwt",
                        new JsonObject()
                            .put(
                                "issuer-signing-keys",
                                new JsonArray()
                                    .add(new JsonObject().put("value", "{{jwt-secret}}")))));
    List<PolicyProblem> problems = Policies.problems(withSecret, list, Set.of());
    assertThat(problems)
        .extracting(PolicyProblem::toString)
        .containsExactly(
            "policies[0].validate-jwt.issuer-signing-keys[0].value: must be Base64 (as APIM's issuer-signing-keys); the value is not shown");
    assertThat(problems.toString()).doesNotContain("not base64");
  }
}
