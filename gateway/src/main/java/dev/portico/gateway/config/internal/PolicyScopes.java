package dev.portico.gateway.config.internal;

import dev.portico.gateway.policy.config.PolicyConfigBinder;
import dev.portico.gateway.policy.config.PolicyProblem;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A scope's {@code policies} (global, API, operation): the schema checked their shape; the policy
 * binder binds them and checks their meaning. What needs the running gateway (templates against
 * named values, keys, address ranges, a Redis store) is checked when the routing state compiles
 * them.
 */
final class PolicyScopes extends Binding {

  PolicyScopes(Binding parent) {
    super(parent);
  }

  PolicyScopeConfig scope(String at, Object list, Object inherit, boolean global) {
    List<PolicyProblem> found = new ArrayList<>();
    PolicyScopeConfig scope;
    try {
      scope =
          PolicyConfigBinder.bindScope(
              at, list, inherit instanceof Boolean b ? b : null, global, found);
    } catch (RuntimeException e) {
      problem(at, "cannot be read: " + e.getMessage());
      return PolicyScopeConfig.INHERIT;
    }
    found.forEach(p -> problem(p.path(), p.reason()));
    return scope;
  }
}
