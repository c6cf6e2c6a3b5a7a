package dev.portico.discovery.sources;

import dev.portico.discovery.ServiceInstance;

/** The metadata keys registry sources write on their records. */
public final class SourceRecords {

  /**
   * The id of the source that owns the record; a source only changes records carrying its own id.
   */
  public static final String SOURCE = "source";

  /** The source's type ({@code dns-srv}, {@code kubernetes}). */
  public static final String SOURCE_TYPE = "source.type";

  private SourceRecords() {}

  /**
   * The id of the source that wrote {@code instance}, or {@code null} for a record no source owns.
   */
  public static String owner(ServiceInstance instance) {
    return instance.metadata(SOURCE);
  }
}
