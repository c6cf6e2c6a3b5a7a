package dev.portico.gateway.policy.config;

import java.util.List;

/**
 * The policies of one scope (global, an API, an operation), in order. An entry is a policy or
 * {@link Base}, the place where the enclosing scope's policies run (APIM's {@code <base />}). A
 * scope that lists no {@code base} runs its enclosing scope's policies first; one that says {@code
 * inheritPolicies: false} runs only its own.
 *
 * @param inherit whether the enclosing scope's policies run at all
 * @param entries policies and at most one {@link Base}
 */
public record PolicyScopeConfig(boolean inherit, List<Entry> entries) {

  /** No policies of its own; the enclosing scope's run. */
  public static final PolicyScopeConfig INHERIT = new PolicyScopeConfig(true, List.of());

  public PolicyScopeConfig {
    entries = List.copyOf(entries);
  }

  /** An entry of a scope's list. */
  public sealed interface Entry permits Base, Configured {}

  /** Where the enclosing scope's policies run. */
  public record Base() implements Entry {}

  /**
   * A policy and where it was configured.
   *
   * @param path the entry's field path ({@code apis[0].policies[2]})
   */
  public record Configured(String path, PolicyConfig config) implements Entry {}

  public boolean hasBase() {
    return entries.stream().anyMatch(e -> e instanceof Base);
  }
}
