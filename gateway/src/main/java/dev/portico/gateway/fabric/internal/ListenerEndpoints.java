package dev.portico.gateway.fabric.internal;

import dev.portico.discovery.HttpUrl;
import dev.portico.fabric.ListenerEndpoint;
import dev.portico.fabric.resolve.FabricIndex;
import dev.portico.fabric.resolve.IndexedService;
import dev.portico.fabric.resolve.ResolvedPartition;
import dev.portico.fabric.resolve.ResolvedReplica;
import dev.portico.gateway.backend.Endpoint;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Listener addresses parsed into {@link Endpoint}s once, not per request: a cache keyed by the
 * registry record and the address, pruned to what the index still holds each time it changes.
 */
public final class ListenerEndpoints {

  /** Cached absence: an address that is no usable http(s) URL (e.g. {@code http://+:80/}). */
  private static final Endpoint UNUSABLE = new Endpoint("", "", 0, false, "", "", null, 0, 0);

  private final ConcurrentHashMap<String, Endpoint> cache = new ConcurrentHashMap<>();

  /**
   * The endpoint of {@code listener} of {@code replica}, or {@code null} when its address is not a
   * usable URL.
   */
  public Endpoint of(ResolvedReplica replica, ListenerEndpoint listener) {
    String k = replica.recordId() + '|' + listener.address();
    Endpoint e = cache.get(k);
    if (e == null) {
      e = parse(replica.recordId(), listener.address());
      cache.put(k, e);
    }
    return e == UNUSABLE ? null : e;
  }

  /**
   * Forgets addresses the index no longer has.
   *
   * @return the {@code host:port} keys of every http(s) listener in the index
   */
  public Set<String> retain(FabricIndex index) {
    Set<String> keep = new HashSet<>();
    Set<String> endpointKeys = new HashSet<>();
    for (IndexedService s : index.services()) {
      for (ResolvedPartition p : s.partitions()) {
        for (ResolvedReplica r : p.replicas()) {
          for (ListenerEndpoint l : listeners(r)) {
            String k = r.recordId() + '|' + l.address();
            keep.add(k);
            Endpoint e = cache.get(k);
            if (e == null) {
              e = parse(r.recordId(), l.address());
            }
            if (e != UNUSABLE) {
              endpointKeys.add(e.key());
            }
          }
        }
      }
    }
    cache.keySet().retainAll(keep);
    return endpointKeys;
  }

  private static Iterable<ListenerEndpoint> listeners(ResolvedReplica r) {
    if (r.endpoints().isRaw()) {
      return java.util.List.of(new ListenerEndpoint("", r.endpoints().raw().orElse("")));
    }
    return r.endpoints().listeners();
  }

  static Endpoint parse(String recordId, String address) {
    try {
      return Endpoint.of(HttpUrl.parse(address), recordId);
    } catch (IllegalArgumentException e) {
      return UNUSABLE;
    }
  }
}
