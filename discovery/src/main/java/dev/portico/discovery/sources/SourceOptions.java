package dev.portico.discovery.sources;

/**
 * The configuration of one registry source: a system the gateway imports instances from. Every
 * source publishes under one registry {@link #service()} and marks its records with its {@link
 * #id()} (metadata {@link SourceRecords#SOURCE}); it only ever touches records carrying its own id.
 */
public sealed interface SourceOptions permits DnsSrvOptions, KubernetesOptions {

  /**
   * Unique among the sources of a gateway; the value of the records' {@code source} metadata and
   * metric label.
   */
  String id();

  /** The registry service the instances are published under (what backends name). */
  String service();

  /** {@code dns-srv} or {@code kubernetes}. */
  String type();
}
