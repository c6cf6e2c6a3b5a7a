package dev.portico.gateway.config.internal;

import dev.portico.gateway.document.SchemaCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What binding found wrong, as (field path, reason); a field an environment variable set names the
 * variable.
 */
final class Problems {

  private final Map<String, String> origins;
  private final List<SchemaCheck.FieldProblem> list = new ArrayList<>();

  /**
   * @param origins field path to the environment variable that set it
   */
  Problems(Map<String, String> origins) {
    this.origins = origins;
  }

  void add(String path, String reason) {
    String origin = origins.get(path);
    list.add(
        new SchemaCheck.FieldProblem(
            path,
            origin == null ? reason : reason + " (set by environment variable " + origin + ")"));
  }

  List<SchemaCheck.FieldProblem> list() {
    return list;
  }
}
