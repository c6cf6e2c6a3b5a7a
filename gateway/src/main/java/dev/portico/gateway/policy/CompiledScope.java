package dev.portico.gateway.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The compiled policies of one scope, with the place of the enclosing scope's ({@code base}).
 * Compile each scope once and assemble routes with {@link PolicyChain#of}: a policy compiled once
 * is shared by every route that inherits it, so an API's rate limit is one limit for all its
 * operations.
 */
public final class CompiledScope {

  /** A scope without policies of its own that inherits (the default of an API or operation). */
  public static final CompiledScope INHERIT = new CompiledScope(true, List.of());

  /** Marker of {@code base} among the entries. */
  static final Object BASE =
      new Object() {
        @Override
        public String toString() {
          return "base";
        }
      };

  private final boolean inherit;
  private final List<Object> entries;

  CompiledScope(boolean inherit, List<Object> entries) {
    this.inherit = inherit;
    this.entries = List.copyOf(entries);
  }

  public boolean inherit() {
    return inherit;
  }

  /** This scope's own policies, in order (without the inherited ones). */
  public List<Policy> policies() {
    List<Policy> out = new ArrayList<>();
    for (Object e : entries) {
      if (e instanceof Policy p) {
        out.add(p);
      }
    }
    return out;
  }

  /** {@code parent}'s policies placed by this scope's rules, then its own. */
  List<Policy> resolve(List<Policy> parent) {
    if (!inherit) {
      return policies();
    }
    List<Policy> out = new ArrayList<>(parent.size() + entries.size());
    boolean placed = false;
    for (Object e : entries) {
      if (e == BASE) {
        out.addAll(parent);
        placed = true;
      } else {
        out.add((Policy) e);
      }
    }
    if (!placed) {
      out.addAll(0, parent);
    }
    return out;
  }
}
