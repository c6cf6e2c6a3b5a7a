package dev.portico.gateway.routing.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Longest-prefix matching on segment boundaries in time proportional to the path's length, whatever
 * the number of prefixes: a trie over path segments, flattened into one open-addressing hash table
 * keyed by the prefix text itself.
 *
 * <p>A prefix {@code p} matches a path when the path starts with {@code p} and the next character
 * is {@code '/'} or there is none, exactly what {@code path.startsWith(p) && (path.length() ==
 * p.length() || path.charAt(p.length()) == '/')} says. So the only prefix lengths worth looking up
 * are the path's boundaries (positions holding {@code '/'}, and its end). The lookup walks the path
 * once, extending {@link String#hashCode()}'s polynomial hash character by character, and probes
 * the table at each boundary. Every boundary prefix of every value's prefix is in the table too (as
 * a node without a value when it is not itself a prefix), so a probe that finds nothing proves that
 * no longer prefix can match and ends the walk. Each node knows the node of its previous boundary,
 * so a hit is confirmed by comparing its last segment only: the walk never reads a character twice
 * and allocates nothing.
 *
 * <p>Immutable once built; safe to share between threads.
 *
 * @param <T> what a prefix maps to
 */
public final class PrefixIndex<T> {

  private static final class Node<T> {
    final String key;
    final int hash;
    final int length; // key.length(), here so that a probe need not read the key's string
    final Node<T> parent; // node of the previous boundary of key, null at the first

    /**
     * The last segment (from the previous boundary to the end, its '/' included) packed by {@link
     * #pack}, its first 7 characters in {@code low}, the next 7 in {@code high}, when it has at
     * most 14 characters all below 256; else {@link #packed} is false and a lookup compares {@link
     * #key}. With thousands of APIs a request's node is rarely in the CPU's cache: the comparison
     * then reads this node only, not the key's string and its array too.
     */
    final long low;

    final long high;
    final boolean packed;
    T value; // null when key is only a boundary of longer prefixes
    boolean hasLonger; // some longer prefix continues through this node

    Node(String key, int hash, Node<T> parent) {
      this.key = key;
      this.hash = hash;
      this.length = key.length();
      this.parent = parent;
      int from = parent == null ? 0 : parent.length;
      int mid = Math.min(length, from + 7);
      long lo = length - from <= 14 ? pack(key, from, mid) : -1;
      long hi = lo == -1 ? -1 : pack(key, mid, length);
      this.packed = hi != -1;
      this.low = lo;
      this.high = hi;
    }

    /** Whether {@code path[from, end)} is this node's last segment (the lengths are equal). */
    boolean endsWith(String path, int from, int end) {
      if (!packed) {
        return key.regionMatches(from, path, from, end - from);
      }
      int mid = Math.min(end, from + 7);
      // a character of 256 or more packs to -1, which no packed segment equals
      return pack(path, from, mid) == low && pack(path, mid, end) == high;
    }

    /**
     * {@code s[from, to)}, at most 7 characters, one byte each from the lowest; -1 (a top byte no
     * packing sets) when one of them is 256 or more.
     */
    private static long pack(String s, int from, int to) {
      long v = 0;
      for (int i = from; i < to; i++) {
        char c = s.charAt(i);
        if (c >= 256) {
          return -1;
        }
        v |= (long) c << (8 * (i - from));
      }
      return v;
    }
  }

  private final Node<T>[] table;
  private final int mask;

  /** The value of the empty prefix, which matches every path that is empty or starts with '/'. */
  private final T root;

  private PrefixIndex(Node<T>[] table, T root) {
    this.table = table;
    this.mask = table.length - 1;
    this.root = root;
  }

  /**
   * Builds the index. When two entries have the same prefix, the first one wins (as a stable
   * longest-first scan would pick it).
   */
  public static <T> PrefixIndex<T> build(List<String> prefixes, List<T> values) {
    if (prefixes.size() != values.size()) {
      throw new IllegalArgumentException("one value per prefix");
    }
    List<Node<T>> nodes = new ArrayList<>();
    Builder<T> b = new Builder<>();
    T root = null;
    for (int k = 0; k < prefixes.size(); k++) {
      String p = prefixes.get(k);
      T v = values.get(k);
      if (p.isEmpty()) {
        if (root == null) {
          root = v;
        }
        continue;
      }
      Node<T> parent = null;
      int h = 0;
      for (int i = 0; i < p.length(); ) {
        h = 31 * h + p.charAt(i);
        i++;
        if (i == p.length() || p.charAt(i) == '/') {
          Node<T> n = b.getOrAdd(p, i, h, parent, nodes);
          if (i == p.length()) {
            if (n.value == null) {
              n.value = v;
            }
          } else {
            n.hasLonger = true;
          }
          parent = n;
        }
      }
    }
    // at most half full: probes stay short
    int capacity = 16;
    while (capacity < nodes.size() * 2) {
      capacity <<= 1;
    }
    @SuppressWarnings("unchecked")
    Node<T>[] table = new Node[capacity];
    for (Node<T> n : nodes) {
      int slot = spread(n.hash) & (capacity - 1);
      while (table[slot] != null) {
        slot = (slot + 1) & (capacity - 1);
      }
      table[slot] = n;
    }
    return new PrefixIndex<>(table, root);
  }

  /**
   * The value of the longest prefix of {@code path} ending on a segment boundary, or {@code null}.
   */
  public T longestMatch(String path) {
    int n = path.length();
    T best = n == 0 || path.charAt(0) == '/' ? root : null;
    Node<T> previous = null;
    int previousEnd = 0;
    int h = 0;
    for (int i = 0; i < n; ) {
      h = 31 * h + path.charAt(i);
      i++;
      if (i == n || path.charAt(i) == '/') {
        Node<T> node = find(path, previousEnd, i, h, previous);
        if (node == null) {
          break;
        }
        if (node.value != null) {
          best = node.value;
        }
        if (!node.hasLonger) {
          break;
        }
        previous = node;
        previousEnd = i;
      }
    }
    return best;
  }

  /**
   * The node for {@code path[0, end)}, given that {@code parent} is the node for {@code path[0,
   * from)}.
   */
  private Node<T> find(String path, int from, int end, int h, Node<T> parent) {
    Node<T>[] t = table;
    int slot = spread(h) & mask;
    for (Node<T> node = t[slot]; node != null; node = t[slot = (slot + 1) & mask]) {
      if (node.hash == h
          && node.parent == parent
          && node.length == end
          && node.endsWith(path, from, end)) {
        return node;
      }
    }
    return null;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  /** Collects the nodes while building, found again by their exact text. */
  private static final class Builder<T> {
    private final HashMap<String, Node<T>> byKey = new HashMap<>();

    Node<T> getOrAdd(String p, int end, int h, Node<T> parent, List<Node<T>> nodes) {
      String key = p.substring(0, end);
      Node<T> n = byKey.get(key);
      if (n == null) {
        n = new Node<>(key, h, parent);
        byKey.put(key, n);
        nodes.add(n);
      }
      return n;
    }
  }
}
