package dev.portico.fabric.importer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one import cycle did.
 *
 * @param outcome COMPLETE, PARTIAL (some parts of the cluster or some registry writes failed; the
 *     rest was applied) or FAILED (nothing was written; the records keep serving as they were)
 * @param startedAt when the cycle began
 * @param duration how long it took
 * @param endpoint the management endpoint that answered last
 * @param applications applications listed
 * @param services services listed
 * @param partitions partitions resolved
 * @param replicas endpoints seen in the resolved partitions
 * @param published records published
 * @param updated records rewritten in place (moved, promoted, or carrying a new partition version)
 * @param unpublished records removed
 * @param unchanged records already right
 * @param kept records left alone because their part of the cluster could not be read (or because a
 *     complaint-driven re-resolution rewrote their partition while the cycle ran)
 * @param offline listed partitions with no replica to publish, recorded as offline partitions
 * @param problems what could not be read or written, one line each
 * @param error why the cycle failed; null unless FAILED
 */
public record CycleSummary(
    Outcome outcome,
    Instant startedAt,
    Duration duration,
    String endpoint,
    int applications,
    int services,
    int partitions,
    int replicas,
    int published,
    int updated,
    int unpublished,
    int unchanged,
    int kept,
    int offline,
    List<String> problems,
    String error) {

  public enum Outcome {
    COMPLETE,
    PARTIAL,
    FAILED
  }

  public CycleSummary {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(duration, "duration");
    problems = List.copyOf(problems);
  }

  static CycleSummary failed(Instant startedAt, Duration duration, String endpoint, String error) {
    return new CycleSummary(
        Outcome.FAILED,
        startedAt,
        duration,
        endpoint,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        List.of(),
        error);
  }

  /** Whether the cycle wrote anything to the registry. */
  public boolean changed() {
    return published + updated + unpublished > 0;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("outcome", outcome.name())
        .put("startedAt", startedAt.toString())
        .put("durationMs", duration.toMillis())
        .put("endpoint", endpoint)
        .put("applications", applications)
        .put("services", services)
        .put("partitions", partitions)
        .put("replicas", replicas)
        .put("published", published)
        .put("updated", updated)
        .put("unpublished", unpublished)
        .put("unchanged", unchanged)
        .put("kept", kept)
        .put("offline", offline)
        .put("problems", new JsonArray(List.copyOf(problems)))
        .put("error", error);
  }

  @Override
  public String toString() {
    return outcome
        + " in "
        + duration.toMillis()
        + " ms via "
        + endpoint
        + ": "
        + applications
        + " applications, "
        + services
        + " services, "
        + partitions
        + " partitions, "
        + replicas
        + " replicas; published "
        + published
        + ", updated "
        + updated
        + ", unpublished "
        + unpublished
        + ", unchanged "
        + unchanged
        + ", kept "
        + kept
        + (offline == 0 ? "" : ", offline partitions " + offline)
        + (problems.isEmpty() ? "" : "; problems: " + problems)
        + (error == null ? "" : "; error: " + error);
  }
}
