package dev.portico.fabric;

/**
 * JSON that does not have the shape Service Fabric (or Portico's registry metadata) promises;
 * {@link #field()} names the offending field as a path, e.g. {@code
 * Items[2].PartitionInformation.LowKey}.
 */
public final class FabricFormatException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final String problem;

  public FabricFormatException(String field, String problem) {
    this(field, problem, null);
  }

  public FabricFormatException(String field, String problem, Throwable cause) {
    super(field == null || field.isEmpty() ? problem : field + ": " + problem, cause);
    this.field = field == null ? "" : field;
    this.problem = problem;
  }

  /** The path of the offending field; empty when the whole document is at fault. */
  public String field() {
    return field;
  }

  /** What is wrong, without the field path. */
  public String problem() {
    return problem;
  }

  /** The same problem, located under {@code prefix} (for an item inside a list or an object). */
  public FabricFormatException under(String prefix) {
    String path =
        field.isEmpty() ? prefix : field.startsWith("[") ? prefix + field : prefix + "." + field;
    return new FabricFormatException(path, problem, this);
  }
}
