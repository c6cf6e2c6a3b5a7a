package dev.portico.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.policy.config.PolicyConfigBinder;
import dev.portico.gateway.policy.config.PolicyProblem;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Test helpers: compile policies from JSON as the configuration would give them. */
final class Policies {

  private Policies() {}

  /** One scope's list compiled; fails the test on any problem. */
  static PolicyChain chain(PolicyEnvironment env, JsonArray list) {
    List<PolicyProblem> problems = new ArrayList<>();
    CompiledScope scope =
        new PolicyCompiler(env)
            .compile(
                PolicyConfigBinder.bindScope("policies", list, null, true, problems),
                null,
                problems);
    assertThat(problems).isEmpty();
    return PolicyChain.of(scope);
  }

  static Policy one(PolicyEnvironment env, String name, JsonObject config) {
    List<Policy> ps =
        chain(env, new JsonArray().add(new JsonObject().put(name, config))).policies();
    assertThat(ps).hasSize(1);
    return ps.get(0);
  }

  /** The problems of compiling one scope's list (binding and compiling). */
  static List<PolicyProblem> problems(
      PolicyEnvironment env, JsonArray list, Set<String> pathParameters) {
    List<PolicyProblem> problems = new ArrayList<>();
    new PolicyCompiler(env)
        .compile(
            PolicyConfigBinder.bindScope("policies", list, null, true, problems),
            pathParameters,
            problems);
    return problems;
  }

  static PolicyOutcome run(Policy p, PolicyRequest r) {
    return p.apply(r).toCompletionStage().toCompletableFuture().join();
  }

  static MultiMap applied(HeaderEdits edits) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    edits.applyTo(m);
    return m;
  }
}
