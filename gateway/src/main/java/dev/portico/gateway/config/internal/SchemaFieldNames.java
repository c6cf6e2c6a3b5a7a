package dev.portico.gateway.config.internal;

import java.util.List;

/**
 * Every field name the configuration schema knows, so that env overrides can create absent fields
 * with their real spelling.
 */
final class SchemaFieldNames {

  static final List<String> ALL = ConfigSchema.CHECK.fieldNames();

  /** The top-level sections (gateway, listeners, ...). */
  static final List<String> TOP_LEVEL = ConfigSchema.CHECK.topLevelFieldNames();

  private SchemaFieldNames() {}
}
