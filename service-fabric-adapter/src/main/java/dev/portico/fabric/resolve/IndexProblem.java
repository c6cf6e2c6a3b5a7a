package dev.portico.fabric.resolve;

import java.util.List;
import java.util.Objects;

/**
 * Something wrong with the registry's Service Fabric records, found while building a {@link
 * FabricIndex}: reported for logs and health, never thrown.
 *
 * @param effect what the index did about it
 * @param service the service name as the record(s) gave it
 * @param recordIds the registry records concerned
 * @param message what is wrong, naming the service and the records
 */
public record IndexProblem(Effect effect, String service, List<String> recordIds, String message) {

  public enum Effect {
    /** The record could not be read; the rest of its service is indexed without it. */
    RECORD_SKIPPED,
    /** The service's records contradict each other; the whole service is left out of the index. */
    SERVICE_SKIPPED,
    /** A second UP primary of one partition; the newest (then lowest record id) is kept. */
    REPLICA_IGNORED
  }

  public IndexProblem {
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(service, "service");
    recordIds = List.copyOf(recordIds);
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return effect + ": " + message;
  }
}
