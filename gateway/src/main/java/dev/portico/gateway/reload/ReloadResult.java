package dev.portico.gateway.reload;

import dev.portico.gateway.config.ConfigProblem;
import java.time.Instant;
import java.util.List;

/** How one reload ended. Only {@link Applied} changed anything. */
public sealed interface ReloadResult {

  /** When the reload was asked for. */
  Instant at();

  /**
   * For metrics and logs: {@code applied}, {@code unchanged}, {@code invalid}, {@code
   * restart_required}, {@code failed}.
   */
  String outcome();

  /**
   * The new configuration is in force; {@code generation} counts the configurations this process
   * ran (1 at start).
   */
  record Applied(Instant at, long generation, ConfigChange change) implements ReloadResult {
    public String outcome() {
      return "applied";
    }
  }

  /** The source reads the same as what is running. */
  record Unchanged(Instant at, long generation) implements ReloadResult {
    public String outcome() {
      return "unchanged";
    }
  }

  /** The source does not validate; nothing changed. */
  record Invalid(Instant at, List<ConfigProblem> problems) implements ReloadResult {
    public String outcome() {
      return "invalid";
    }
  }

  /** The source changes sections that only a restart applies; nothing changed. */
  record RestartRequired(Instant at, List<String> sections) implements ReloadResult {
    public String outcome() {
      return "restart_required";
    }
  }

  /**
   * There is nothing to read again (the gateway was started from an in-memory configuration), or
   * reading failed.
   */
  record Failed(Instant at, String reason) implements ReloadResult {
    public String outcome() {
      return "failed";
    }
  }
}
