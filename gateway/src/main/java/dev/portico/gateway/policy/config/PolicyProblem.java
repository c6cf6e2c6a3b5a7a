package dev.portico.gateway.policy.config;

/**
 * One thing wrong with a policy configuration, located by field path such as {@code
 * apis[0].policies[1].rate-limit-by-key.calls}. The configuration loader adds the source file.
 */
public record PolicyProblem(String path, String reason) {

  @Override
  public String toString() {
    return (path.isEmpty() ? "" : path + ": ") + reason;
  }
}
