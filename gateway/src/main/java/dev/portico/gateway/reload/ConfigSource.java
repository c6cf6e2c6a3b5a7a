package dev.portico.gateway.reload;

import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the running configuration came from, so that it can be read again: the file (or the
 * built-in default when empty) and the environment its overrides and named values were taken from.
 */
public record ConfigSource(Optional<Path> file, Map<String, String> env) {

  public ConfigSource {
    env = Map.copyOf(env);
  }

  /**
   * Reads and validates the source again; fails with a {@code ConfigException} naming every
   * problem.
   */
  public Future<GatewayConfig> load(Vertx vertx) {
    return ConfigLoader.load(vertx, file, env);
  }
}
