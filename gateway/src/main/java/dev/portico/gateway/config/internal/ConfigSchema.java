package dev.portico.gateway.config.internal;

import dev.portico.gateway.document.SchemaCheck;
import dev.portico.gateway.document.SchemaTree;

/**
 * The configuration's JSON schema, {@code portico-config.schema.json}: structure, and the defaults
 * of absent fields.
 */
final class ConfigSchema {

  static final String RESOURCE = "/dev/portico/gateway/config/portico-config.schema.json";
  static final SchemaCheck CHECK = SchemaCheck.of(RESOURCE);

  /** The same schema read for its fields' annotations: defaults, types. */
  static final SchemaTree TREE = SchemaTree.of(RESOURCE);

  private ConfigSchema() {}
}
