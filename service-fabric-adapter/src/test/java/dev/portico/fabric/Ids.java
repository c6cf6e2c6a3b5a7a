package dev.portico.fabric;

import java.util.ArrayList;
import java.util.List;

/** Deterministic GUID-shaped partition ids for tests. */
final class Ids {

  private Ids() {}

  static String guid(int n) {
    return String.format("%08x-0000-4000-8000-%012x", n, (long) n * 7919);
  }

  static List<String> sequential(int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(guid(i));
    }
    return ids;
  }
}
