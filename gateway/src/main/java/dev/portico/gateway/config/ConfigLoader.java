package dev.portico.gateway.config;

import dev.portico.gateway.config.internal.ConfigPipeline;
import dev.portico.gateway.document.RootCause;
import dev.portico.gateway.document.YamlDocuments;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the gateway configuration: a YAML or JSON file (or the built-in default), then {@code
 * PORTICO_*} environment overrides, then validation. Either every problem is reported in one {@link
 * ConfigException}, or a complete {@link GatewayConfig} is returned: nothing is ever half-applied.
 * A YAML file may hold up to {@value #DEFAULT_MAX_CHARS} characters ({@value #MAX_CHARS_ENV} raises
 * or lowers the bound); JSON files have none.
 */
public final class ConfigLoader {

  /**
   * Name of the built-in configuration used when no file is given: the local registry and demo
   * backends.
   */
  public static final String BUILT_IN = "portico-default.yaml";

  public static final String BUILT_IN_SOURCE = "<built-in default " + BUILT_IN + ">";

  /** How a problem caused by an environment override names its source. */
  public static final String ENV = "environment variable ";

  /** The environment variable bounding a YAML file's size, in characters. */
  public static final String MAX_CHARS_ENV = "PORTICO_CONFIG_MAX_CHARS";

  /**
   * 64 Mi characters: a gateway with 10,000 APIs and 50,000 configured instances takes about 5 Mi.
   */
  public static final int DEFAULT_MAX_CHARS = 64 * 1024 * 1024;

  /**
   * Variables with the prefix {@code PORTICO_} that Portico or its image read, none an override:
   * the configuration file, the bound on its size, the log level (logback.xml), the image's
   * HEALTHCHECK scheme, and the conventional source of the admin token's named value.
   */
  public static final List<String> RESERVED_VARIABLES =
      List.of(
          "PORTICO_CONFIG",
          MAX_CHARS_ENV,
          "PORTICO_LOG_LEVEL",
          "PORTICO_HEALTHCHECK_SCHEME",
          "PORTICO_ADMIN_TOKEN");

  private ConfigLoader() {}

  /**
   * Reads and validates {@code file} (or the built-in default when empty). Never blocks the
   * caller's event loop.
   */
  public static Future<GatewayConfig> load(
      Vertx vertx, Optional<Path> file, Map<String, String> env) {
    String source = file.map(Path::toString).orElse(BUILT_IN_SOURCE);
    Future<JsonObject> raw;
    if (file.isPresent() && !Files.isRegularFile(file.get())) {
      raw = Future.failedFuture(ConfigException.of(source, "", "file not found"));
    } else {
      String path = file.map(Path::toString).orElse(BUILT_IN);
      boolean json = path.toLowerCase(Locale.ROOT).endsWith(".json");
      String format = json ? "json" : "yaml";
      int maxChars;
      try {
        maxChars = maxChars(env);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(ConfigException.of(source, "", e.getMessage()));
      }
      // a classpath resource (the built-in default) is found too; parsing a large file is kept off
      // the event loop
      raw =
          vertx
              .fileSystem()
              .readFile(path)
              .compose(
                  bytes ->
                      vertx.executeBlocking(
                          () ->
                              json
                                  ? new JsonObject(bytes)
                                  : YamlDocuments.parse(
                                      bytes.toString(StandardCharsets.UTF_8), maxChars),
                          false))
              .recover(
                  e -> {
                    String why = RootCause.message(e);
                    return Future.failedFuture(
                        ConfigException.of(
                            source,
                            "",
                            "cannot read "
                                + format
                                + ": "
                                + why
                                + (why.contains("exceeds the limit")
                                    ? " (" + MAX_CHARS_ENV + " sets the limit, in characters)"
                                    : "")));
                  });
    }
    // binding may read secret files: keep it off the event loop
    return raw.compose(
        json ->
            vertx.executeBlocking(
                () -> ConfigPipeline.bindParsed(source, json, env, vertx), false));
  }

  /**
   * The bound on a YAML file's size from {@value #MAX_CHARS_ENV}, else {@value #DEFAULT_MAX_CHARS}.
   */
  static int maxChars(Map<String, String> env) {
    String v = env.get(MAX_CHARS_ENV);
    if (v == null || v.isBlank()) {
      return DEFAULT_MAX_CHARS;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(
        MAX_CHARS_ENV
            + " must be a positive whole number of characters (at most "
            + Integer.MAX_VALUE
            + "), got '"
            + v
            + "'");
  }

  /**
   * Like {@link #load} from a thread that may block (the launcher's main thread); uses a
   * short-lived Vert.x.
   */
  public static GatewayConfig loadBlocking(Optional<Path> file, Map<String, String> env) {
    Vertx vertx = Vertx.vertx();
    try {
      return load(vertx, file, env).await();
    } finally {
      vertx.close().await();
    }
  }

  /**
   * Validates and binds a raw configuration document. Pure apart from reading named-value files.
   */
  public static GatewayConfig fromJson(String source, JsonObject raw, Map<String, String> env) {
    return ConfigPipeline.bind(source, raw, env, null);
  }
}
