package dev.portico.gateway.config;

import dev.portico.gateway.config.internal.ConfigPipeline;
import dev.portico.gateway.document.RootCause;
import dev.portico.gateway.document.YamlDocuments;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
   * the configuration file, the bound on its size, the log level (LogSetup), the image's
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
      boolean json = isJson(path);
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
              .compose(bytes -> vertx.executeBlocking(() -> parse(bytes, json, maxChars), false))
              .recover(e -> Future.failedFuture(unreadable(source, json, e)));
    }
    // binding may read secret files: keep it off the event loop
    return raw.compose(
        json ->
            vertx.executeBlocking(
                () -> ConfigPipeline.bindParsed(source, json, env, vertx), false));
  }

  private static boolean isJson(String path) {
    return path.toLowerCase(Locale.ROOT).endsWith(".json");
  }

  private static JsonObject parse(Buffer bytes, boolean json, int maxChars) {
    return json
        ? new JsonObject(bytes)
        : YamlDocuments.parse(bytes.toString(StandardCharsets.UTF_8), maxChars);
  }

  /** A file that could not be read or parsed: the innermost cause says why. */
  private static ConfigException unreadable(String source, boolean json, Throwable e) {
    String why = RootCause.message(e);
    return ConfigException.of(
        source,
        "",
        "cannot read "
            + (json ? "json" : "yaml")
            + ": "
            + why
            + (why.contains("exceeds the limit")
                ? " (" + MAX_CHARS_ENV + " sets the limit, in characters)"
                : ""));
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
   * Like {@link #load} from a thread that may block (the launcher's main thread), on that thread:
   * no Vert.x is started for it (one would cost the start-up ~0.3 s) unless the configuration
   * imports an OpenAPI document. Reads what {@link #load} reads (a file, else the built-in default:
   * a file of that name in the working directory, as Vert.x's file system finds it first, else the
   * classpath resource) and reports the same problems.
   *
   * @throws ConfigException every problem of the file
   */
  public static GatewayConfig loadBlocking(Optional<Path> file, Map<String, String> env) {
    String source = file.map(Path::toString).orElse(BUILT_IN_SOURCE);
    if (file.isPresent() && !Files.isRegularFile(file.get())) {
      throw ConfigException.of(source, "", "file not found");
    }
    boolean json = isJson(file.map(Path::toString).orElse(BUILT_IN));
    int maxChars;
    try {
      maxChars = maxChars(env);
    } catch (IllegalArgumentException e) {
      throw ConfigException.of(source, "", e.getMessage());
    }
    prepareBinding();
    JsonObject raw;
    try {
      raw = parse(Buffer.buffer(read(file)), json, maxChars);
    } catch (IOException | RuntimeException e) {
      throw unreadable(source, json, e);
    }
    return ConfigPipeline.bindParsed(source, raw, env, null);
  }

  /**
   * The first binding loads and initializes a few hundred classes (the schema, the binders, their
   * records): binding an empty document on another thread does that while this one reads and parses
   * the file. Whatever it finds is of no interest (the real binding reports the file's problems);
   * the caches it fills are the ones every binding shares, all safe for concurrent use.
   */
  private static void prepareBinding() {
    Thread t =
        new Thread(
            () -> {
              try {
                ConfigPipeline.bind("<warm-up>", new JsonObject(), Map.of(), null);
              } catch (RuntimeException | LinkageError ignored) {
                // the real binding reports it, in the file's terms
              }
            },
            "portico-config-warm-up");
    t.setDaemon(true);
    t.start();
  }

  private static byte[] read(Optional<Path> file) throws IOException {
    if (file.isPresent()) {
      return Files.readAllBytes(file.get());
    }
    Path local = Path.of(BUILT_IN);
    if (Files.isRegularFile(local)) {
      return Files.readAllBytes(local);
    }
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new NoSuchFileException(BUILT_IN);
      }
      return in.readAllBytes();
    }
  }

  /**
   * Validates and binds a raw configuration document. Pure apart from reading named-value files.
   */
  public static GatewayConfig fromJson(String source, JsonObject raw, Map<String, String> env) {
    return ConfigPipeline.bind(source, raw, env, null);
  }
}
