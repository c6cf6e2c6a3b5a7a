package dev.portico.fabric.importer;

import dev.portico.discovery.ServiceInstance;
import java.util.List;
import java.util.Objects;

/**
 * What a complaint-driven re-resolution of one partition ({@link FabricImporter#reresolve}) found.
 */
public sealed interface PartitionRefresh {

  /**
   * The cluster moved the partition: its records were rewritten; {@code records} are all of them
   * now.
   */
  record Changed(List<ServiceInstance> records) implements PartitionRefresh {
    public Changed {
      records = List.copyOf(Objects.requireNonNull(records, "records"));
    }
  }

  /** The cluster answered what the records already say. */
  record Unchanged() implements PartitionRefresh {}

  /** The importer did not import this partition (or is not running): someone else's records. */
  record Unknown() implements PartitionRefresh {}

  /**
   * The cluster could not be asked, or its answer could not be written; the records are as they
   * were.
   */
  record Failed(String reason) implements PartitionRefresh {
    public Failed {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
