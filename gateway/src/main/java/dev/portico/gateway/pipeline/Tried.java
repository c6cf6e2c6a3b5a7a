package dev.portico.gateway.pipeline;

import dev.portico.gateway.backend.Target;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.RandomAccess;

/**
 * The targets an exchange tried, in order, as the read-only list its target source sees ({@code
 * AttemptContext.tried}). One object per exchange: most exchanges make a single attempt, so the
 * first target needs no array (an {@code ArrayList} and its read-only view were three objects per
 * request); later ones go to a list made at the first retry. Confined to the exchange's event loop.
 */
final class Tried extends AbstractList<Target> implements RandomAccess {

  private Target first;
  private ArrayList<Target> more;
  private int size;

  /** An attempt goes to {@code t} (the exchange's only writer; the list is read-only to others). */
  void record(Target t) {
    if (size == 0) {
      first = t;
    } else {
      if (more == null) {
        more = new ArrayList<>(2);
      }
      more.add(t);
    }
    size++;
  }

  @Override
  public Target get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(index);
    }
    return index == 0 ? first : more.get(index - 1);
  }

  @Override
  public int size() {
    return size;
  }

  // (without these, AbstractList would walk an iterator made per call: balancers ask per attempt)
  @Override
  public int indexOf(Object o) {
    for (int i = 0; i < size; i++) {
      if (get(i).equals(o)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public boolean contains(Object o) {
    return indexOf(o) >= 0;
  }
}
