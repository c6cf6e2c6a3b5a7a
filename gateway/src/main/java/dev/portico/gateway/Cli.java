package dev.portico.gateway;

import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The gateway's command line: its own options only (the Vert.x launcher's clustering and deployment
 * flags mean nothing for a gateway and are refused like any unknown option).
 *
 * @param config the configuration file: {@code --config}, else {@code PORTICO_CONFIG}, else none
 *     (the built-in default)
 */
record Cli(Action action, Optional<Path> config, String importOpenApi) {

  Cli(Action action, Optional<Path> config) {
    this(action, config, null);
  }

  enum Action {
    /** Start the gateway. */
    RUN,
    /** Read and validate the configuration as a start would, print the verdict, exit 0 or 2. */
    VALIDATE,
    /** Import an OpenAPI document, print the configuration it produces, exit 0 or 2. */
    IMPORT_OPENAPI,
    HELP,
    VERSION
  }

  static final String SYNOPSIS =
      "java -jar portico-gateway.jar [--config FILE] [--validate | --import-openapi FILE"
          + " | --help | --version]";

  /** A command line that cannot be run. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  static Cli parse(String[] args, Map<String, String> env) throws UsageException {
    Optional<Path> file =
        Optional.ofNullable(env.get("PORTICO_CONFIG")).filter(s -> !s.isBlank()).map(Path::of);
    Action action = Action.RUN;
    String openApi = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--config", "-config", "-c" -> {
          if (i + 1 >= args.length || args[i + 1].isBlank()) {
            throw new UsageException(a + " needs a file path");
          }
          file = Optional.of(Path.of(args[++i]));
        }
        case "--validate", "--check" -> action = max(action, Action.VALIDATE);
        case "--import-openapi" -> {
          if (i + 1 >= args.length || args[i + 1].isBlank()) {
            throw new UsageException(
                a + " needs an OpenAPI document (a file path or an http(s) URL)");
          }
          openApi = args[++i];
          action = max(action, Action.IMPORT_OPENAPI);
        }
        case "--help", "-h", "-help" -> action = max(action, Action.HELP);
        case "--version", "-V", "-version" -> action = max(action, Action.VERSION);
        default -> {
          if (a.startsWith("--config=")) {
            String path = a.substring("--config=".length());
            if (path.isBlank()) {
              throw new UsageException("--config needs a file path");
            }
            file = Optional.of(Path.of(path));
          } else {
            throw new UsageException(
                (a.startsWith("-") ? "unknown option '" : "unexpected argument '") + a + "'");
          }
        }
      }
    }
    return new Cli(action, file, openApi);
  }

  /** Help and version win over validation, which wins over running. */
  private static Action max(Action a, Action b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  static String version() {
    Properties p = new Properties();
    try (InputStream in = Cli.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "portico-gateway "
        + p.getProperty("version", "unknown")
        + " (Eclipse Vert.x "
        + p.getProperty("vertx", "unknown")
        + ", Java "
        + System.getProperty("java.version")
        + " "
        + System.getProperty("java.vm.name")
        + ")";
  }

  /** What {@code --validate} prints for a valid configuration. */
  static String valid(GatewayConfig c) {
    return "configuration valid: "
        + c.source()
        + " ("
        + count(c.apis().size(), "API")
        + ", "
        + count(c.backends().size(), "backend")
        + ", "
        + count(c.namedValues().size(), "named value")
        + "; traffic "
        + c.listeners().traffic().scheme()
        + "://"
        + c.listeners().traffic().host()
        + ":"
        + c.listeners().traffic().port()
        + ", management "
        + c.listeners().management().scheme()
        + "://"
        + c.listeners().management().host()
        + ":"
        + c.listeners().management().port()
        + ", registry: "
        + c.registry().describe()
        + ")";
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  static String help() {
    return """
      Portico API gateway

      usage: %s

      Options:
        -c, --config FILE    the configuration, YAML (or JSON for a .json name). Default: $PORTICO_CONFIG,
                             else the built-in default (local registry, two demo backends behind /demo).
            --validate       read and validate the configuration exactly as a start would (file,
            --check          environment overrides, named values, certificates), print every problem,
                             and exit: 0 when valid, 2 when not. Binds no port and starts nothing.
            --import-openapi FILE
                             import an OpenAPI 3.0/3.1 document (YAML or JSON; FILE may be an http(s)
                             URL), print the configuration it produces (a backends entry from
                             servers[0], an apis entry with one operation per path and method) and
                             exit 0; exit 2 with one line per problem (document#/json/pointer: reason).
        -h, --help           this text.
        -V, --version        the version.

      Environment:
        PORTICO_CONFIG       the configuration file, when --config is not given.
        PORTICO_<PATH>       overrides one configuration field: the path's segments joined by '__',
                             matched case-insensitively; numbers index lists. A PORTICO_ variable is an
                             override exactly when its name contains '__':
                               PORTICO_LISTENERS__TRAFFIC__PORT=8081   PORTICO_BACKENDS__0__URL=http://10.0.0.9
                             Values that read as JSON (numbers, true/false, objects, lists) are JSON.
        PORTICO_LOG_LEVEL    the root log level: DEBUG, INFO (default), WARN, ERROR.
        PORTICO_ADMIN_TOKEN  conventional source of the admin token: namedValues: [{name: admin-token,
                             env: PORTICO_ADMIN_TOKEN}], admin: {token: "{{admin-token}}"}.
        PORTICO_HEALTHCHECK_SCHEME  (container image) https when the management listener has TLS.
        Reserved (never overrides): %s. Other PORTICO_ names
        without '__' are yours (e.g. a named value's env), but one that starts like a section
        (PORTICO_LISTENERS_TRAFFIC_PORT) is refused as a misspelt override.

      Signals:
        SIGTERM, SIGINT      drain: /health/ready answers 503 at once; after gateway.shutdown.delay
                             (default PT0S) the listeners stop accepting; requests in flight finish
                             within gateway.shutdown.gracePeriod (default PT30S, from the signal), then
                             the process exits with status 0. A second signal exits at once (128+signal).
        SIGHUP               reload the configuration (as POST /admin/config/reload).

      Exit status:
        0  stopped by a signal after draining; --validate: valid; --import-openapi: imported;
           --help, --version
        2  invalid configuration (one line per problem: file or variable, field, reason), a usage
           error, a registry that cannot be read or a listener that cannot bind its port at
           start-up (one line naming it), or an OpenAPI document --import-openapi cannot import
        15 the gateway could not start otherwise (see the log)

      Management listener (default port 9090): /health/live, /health/ready, /metrics, /admin.
      Documentation: docs/configuration.md, docs/operations.md.
      """
        .formatted(SYNOPSIS, String.join(", ", ConfigLoader.RESERVED_VARIABLES));
  }
}
