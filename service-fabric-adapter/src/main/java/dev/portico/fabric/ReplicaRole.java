package dev.portico.fabric;

/** The role of an endpoint in a resolved partition (REST {@code Kind}). */
public enum ReplicaRole {
  STATELESS("Stateless", 1),
  STATEFUL_PRIMARY("StatefulPrimary", 2),
  STATEFUL_SECONDARY("StatefulSecondary", 3);

  private final String restName;
  private final int code;

  ReplicaRole(String restName, int code) {
    this.restName = restName;
    this.code = code;
  }

  /** The REST {@code Kind} value from api-version 3.0 on. */
  public String restName() {
    return restName;
  }

  /** The number used for {@code Kind} below api-version 3.0. */
  public int code() {
    return code;
  }

  public ServiceKind serviceKind() {
    return this == STATELESS ? ServiceKind.STATELESS : ServiceKind.STATEFUL;
  }

  /** From the pre-3.0 numeric {@code Kind}: 1 Stateless, 2 StatefulPrimary, 3 StatefulSecondary. */
  public static ReplicaRole fromCode(int code) {
    for (ReplicaRole role : values()) {
      if (role.code == code) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "Unknown endpoint kind "
            + code
            + "; expected 1 (Stateless), 2 (StatefulPrimary) or 3 (StatefulSecondary)");
  }

  /** From a REST {@code Kind} string, ignoring case, or its number written as a string ("2"). */
  public static ReplicaRole parse(String text) {
    if (text != null) {
      for (ReplicaRole role : values()) {
        if (role.restName.equalsIgnoreCase(text)) {
          return role;
        }
      }
      if (text.length() == 1 && text.charAt(0) >= '0' && text.charAt(0) <= '9') {
        return fromCode(text.charAt(0) - '0');
      }
    }
    throw new IllegalArgumentException(
        "Unknown endpoint kind "
            + (text == null ? "null" : '"' + text + '"')
            + "; expected Stateless, StatefulPrimary or StatefulSecondary (or 1, 2, 3)");
  }

  @Override
  public String toString() {
    return restName;
  }
}
