package dev.portico.discovery;

import java.util.List;
import java.util.Objects;

/**
 * Registry writes made together and announced once ({@link Registry#write(RegistryWrites)}):
 * records to remove, to rewrite in place and to add, done in that order.
 *
 * @param unpublish ids of records to remove
 * @param update records to rewrite, keeping their ids
 * @param publish new records
 */
public record RegistryWrites(
    List<String> unpublish, List<Update> update, List<InstanceSpec> publish) {

  public RegistryWrites {
    unpublish = List.copyOf(unpublish);
    update = List.copyOf(update);
    publish = List.copyOf(publish);
  }

  /** Rewrites record {@code id} with {@code spec} (its endpoint, status and metadata). */
  public record Update(String id, InstanceSpec spec) {
    public Update {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(spec, "spec");
    }
  }

  public int size() {
    return unpublish.size() + update.size() + publish.size();
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  /**
   * What a batch did. A failed write is left out of the lists and described in {@code failures}.
   *
   * @param unpublished ids removed
   * @param updated records as rewritten, in the order asked
   * @param published records as added (with their new ids), in the order asked
   * @param failures one line per write that failed, naming the record and the reason
   */
  public record Result(
      List<String> unpublished,
      List<ServiceInstance> updated,
      List<ServiceInstance> published,
      List<String> failures) {
    public Result {
      unpublished = List.copyOf(unpublished);
      updated = List.copyOf(updated);
      published = List.copyOf(published);
      failures = List.copyOf(failures);
    }

    /** Writes that succeeded. */
    public int written() {
      return unpublished.size() + updated.size() + published.size();
    }
  }
}
