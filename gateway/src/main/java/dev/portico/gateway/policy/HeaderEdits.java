package dev.portico.gateway.policy;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An ordered, immutable list of header edits, for the request to the backend or the response to the
 * client. {@link #applyTo(MultiMap)} performs them in order.
 */
public final class HeaderEdits {

  /** What an edit does with the header's existing lines. */
  public enum Op {
    /** Replace every existing line by the values ({@code exists-action: override}). */
    SET,
    /** Add the values after the existing lines ({@code append}). */
    APPEND,
    /** Set the values only when the header is absent ({@code skip}). */
    SET_IF_ABSENT,
    /** Remove every line ({@code delete}); no values. */
    REMOVE
  }

  /** One edit: {@code values} is empty for {@link Op#REMOVE}. */
  public record Edit(Op op, String name, List<String> values) {
    public Edit {
      Objects.requireNonNull(op);
      Objects.requireNonNull(name);
      values = List.copyOf(values);
    }
  }

  public static final HeaderEdits NONE = new HeaderEdits(new Edit[0]);

  private final Edit[] edits;

  private HeaderEdits(Edit[] edits) {
    this.edits = edits;
  }

  public static HeaderEdits of(Edit... edits) {
    return edits.length == 0 ? NONE : new HeaderEdits(edits.clone());
  }

  public static HeaderEdits set(String name, String value) {
    return new HeaderEdits(new Edit[] {new Edit(Op.SET, name, List.of(value))});
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Edit> edits() {
    return List.of(edits);
  }

  public boolean isEmpty() {
    return edits.length == 0;
  }

  /** These edits, then {@code next}'s. */
  public HeaderEdits then(HeaderEdits next) {
    if (next.edits.length == 0) {
      return this;
    }
    if (edits.length == 0) {
      return next;
    }
    Edit[] all = Arrays.copyOf(edits, edits.length + next.edits.length);
    System.arraycopy(next.edits, 0, all, edits.length, next.edits.length);
    return new HeaderEdits(all);
  }

  /** Performs the edits on {@code headers}, in order. */
  public void applyTo(MultiMap headers) {
    for (Edit e : edits) {
      switch (e.op) {
        case SET -> {
          headers.remove(e.name);
          for (String v : e.values) {
            headers.add(e.name, v);
          }
        }
        case APPEND -> {
          for (String v : e.values) {
            headers.add(e.name, v);
          }
        }
        case SET_IF_ABSENT -> {
          if (!headers.contains(e.name)) {
            for (String v : e.values) {
              headers.add(e.name, v);
            }
          }
        }
        case REMOVE -> headers.remove(e.name);
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeaderEdits h && Arrays.equals(edits, h.edits);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(edits);
  }

  @Override
  public String toString() {
    return Arrays.toString(edits);
  }

  /** Collects edits in order. */
  public static final class Builder {
    private final List<Edit> edits = new ArrayList<>(4);

    public Builder set(String name, String... values) {
      edits.add(new Edit(Op.SET, name, List.of(values)));
      return this;
    }

    public Builder append(String name, String... values) {
      edits.add(new Edit(Op.APPEND, name, List.of(values)));
      return this;
    }

    public Builder setIfAbsent(String name, String... values) {
      edits.add(new Edit(Op.SET_IF_ABSENT, name, List.of(values)));
      return this;
    }

    public Builder remove(String name) {
      edits.add(new Edit(Op.REMOVE, name, List.of()));
      return this;
    }

    public Builder add(Edit edit) {
      edits.add(edit);
      return this;
    }

    public boolean isEmpty() {
      return edits.isEmpty();
    }

    public HeaderEdits build() {
      return edits.isEmpty() ? NONE : new HeaderEdits(edits.toArray(new Edit[0]));
    }
  }
}
