package dev.portico.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.ConfigProblem;
import dev.portico.gateway.config.GatewayConfig;
import java.util.List;
import java.util.Map;

/**
 * A configuration written as YAML in a test, loaded as the file {@code gw.yaml} (listeners as
 * written).
 */
public final class ConfigTexts {

  private ConfigTexts() {}

  public static GatewayConfig load(String yaml, Map<String, String> env) {
    return ConfigLoader.fromJson("gw.yaml", GatewayHarness.yaml(yaml), env);
  }

  /**
   * The problems the configuration is refused with, one line each; fails the test when it loads.
   */
  public static List<String> problems(String yaml, Map<String, String> env) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(yaml, env));
    assertThat(e).as("expected a ConfigException").isNotNull();
    return e.problems().stream().map(ConfigProblem::toString).toList();
  }
}
