package dev.portico.fabric.importer;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * How an importer is doing, for {@code /health/ready} and the admin API.
 *
 * @param name the importer's name ({@code sf.source} of its records)
 * @param running started and not stopped
 * @param lastAttempt when the last cycle began (null before the first)
 * @param lastSuccess when the last COMPLETE or PARTIAL cycle began (null before the first)
 * @param lastError why the last cycle failed; null when it did not
 * @param consecutiveFailures failed cycles since the last success
 * @param stale the records may no longer match the cluster: no success for longer than {@link
 *     ImporterConfig#staleAfter()}, or {@link ImporterConfig#staleAfterFailures()} failures in a
 *     row. The records keep serving either way.
 * @param activeEndpoint the management endpoint tried first
 * @param lastCycle the last cycle's summary (null before the first)
 * @param complaints complaint-driven re-resolutions so far
 */
public record ImporterStatus(
    String name,
    boolean running,
    Instant lastAttempt,
    Instant lastSuccess,
    String lastError,
    int consecutiveFailures,
    boolean stale,
    String activeEndpoint,
    CycleSummary lastCycle,
    Complaints complaints) {

  /**
   * @param calls ResolvePartition calls made because a caller complained about a partition
   * @param shared complaints answered by a call already made (in flight, or within the re-resolve
   *     interval)
   * @param changes calls whose answer moved the partition (its records were rewritten)
   */
  public record Complaints(long calls, long shared, long changes) {
    public JsonObject toJson() {
      return new JsonObject().put("calls", calls).put("shared", shared).put("changes", changes);
    }
  }

  /** Imported at least once and not stale. */
  public boolean ready() {
    return lastSuccess != null && !stale;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("name", name)
        .put("running", running)
        .put("ready", ready())
        .put("stale", stale)
        .put("lastAttempt", lastAttempt == null ? null : lastAttempt.toString())
        .put("lastSuccess", lastSuccess == null ? null : lastSuccess.toString())
        .put("lastError", lastError)
        .put("consecutiveFailures", consecutiveFailures)
        .put("activeEndpoint", activeEndpoint)
        .put("lastCycle", lastCycle == null ? null : lastCycle.toJson())
        .put("complaints", complaints.toJson());
  }
}
