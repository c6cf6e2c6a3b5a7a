package dev.portico.gateway.routing;

import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.ConfigProblem;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.OperationConfig;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.policy.CompiledScope;
import dev.portico.gateway.policy.PolicyChain;
import dev.portico.gateway.policy.PolicyCompiler;
import dev.portico.gateway.policy.config.PolicyProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled policy chain of every route of a configuration, built once per configuration load
 * off the hot path and handed to {@link ApiTable#build}. Each scope is compiled once, so every
 * route that inherits a policy shares the one compiled instance (an API's rate limit is one limit
 * for all its operations).
 */
public final class RoutePolicies {

  /** No route has policies. */
  public static final RoutePolicies NONE = new RoutePolicies(Map.of());

  /** Chains by API id, then operation id ({@code null} key: the API's own route). */
  private final Map<String, Map<String, PolicyChain>> chains;

  private RoutePolicies(Map<String, Map<String, PolicyChain>> chains) {
    this.chains = chains;
  }

  /**
   * Compiles the global, API and operation scopes of {@code config}.
   *
   * @throws ConfigException naming {@code config}'s source and each field whose policy cannot be
   *     compiled (a template naming an unknown named value, a bad address range, a key that cannot
   *     be loaded, a Redis store without Redis); nothing is used then
   */
  public static RoutePolicies compile(GatewayConfig config, PolicyCompiler compiler) {
    List<PolicyProblem> problems = new ArrayList<>();
    CompiledScope global = compiler.compile(config.policies(), null, problems);
    Map<String, Map<String, PolicyChain>> chains = new HashMap<>();
    for (int i = 0; i < config.apis().size(); i++) {
      ApiConfig api = config.apis().get(i);
      CompiledScope apiScope = compiler.compile(api.policies(), null, problems);
      Map<String, PolicyChain> byOperation = new HashMap<>();
      byOperation.put(null, PolicyChain.of(global, apiScope));
      for (OperationConfig op : api.operations()) {
        CompiledScope opScope =
            op.policies().entries().isEmpty() && op.policies().inherit()
                ? CompiledScope.INHERIT
                : compiler.compile(
                    op.policies(), PathTemplate.parse(op.path()).parameterNames(), problems);
        byOperation.put(op.id(), PolicyChain.of(global, apiScope, opScope));
      }
      chains.put(api.id(), byOperation);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(
          problems.stream()
              .map(p -> new ConfigProblem(config.source(), p.path(), p.reason()))
              .toList());
    }
    return new RoutePolicies(chains);
  }

  /** The chain of an API's route ({@code operationId} {@code null}) or of one of its operations. */
  public PolicyChain chain(String apiId, String operationId) {
    Map<String, PolicyChain> api = chains.get(apiId);
    PolicyChain c = api == null ? null : api.get(operationId);
    return c == null ? PolicyChain.EMPTY : c;
  }
}
