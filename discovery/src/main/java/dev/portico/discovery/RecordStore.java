package dev.portico.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry's records as stored: registration id to the record's JSON text (which names the id
 * too), exactly as the Vert.x Service Discovery backend keeps them. Reading the text rather than
 * decoded records lets {@link RegistryWatcher} decode a record once per version: a record whose
 * text did not change since the last read is not decoded again, and a read that finds nothing new
 * changes nothing. Writes still go through Service Discovery ({@link Registry}).
 */
sealed interface RecordStore {

  /**
   * Every record's text (each names its registration id, the key it is stored under). A list, not a
   * map by id: at 50,000 records a hash map's table is a humongous object to G1 (with the
   * documented 320 MiB heap's 1 MiB regions), which lives in the old generation until a concurrent
   * cycle and keeps every entry it points to alive through young collections until they are tenured
   * too: each periodic read left 1.6 MB that every young pause copied again and again.
   */
  Future<List<String>> all();

  /** The records {@code ids} that exist (an id without a record is absent from the result). */
  Future<Map<String, String>> some(Collection<String> ids);

  /** Stores every record (registration id to JSON text) as the backend's own writes would. */
  Future<Void> putAll(Map<String, String> records);

  /** Removes the records {@code ids} (absent ones are no error). */
  Future<Void> removeAll(Collection<String> ids);

  /**
   * The map {@code DefaultServiceDiscoveryBackend} keeps (local, or cluster-wide on a clustered
   * Vert.x).
   */
  record LocalMap(Vertx vertx) implements RecordStore {
    /** The name {@code DefaultServiceDiscoveryBackend} gives its map. */
    static final String MAP = "service.registry";

    @Override
    public Future<List<String>> all() {
      // the texts are the map's own strings: a watcher finds the unchanged ones by their cached
      // hash
      return map().compose(AsyncMap::values);
    }

    @Override
    public Future<Map<String, String>> some(Collection<String> ids) {
      return map()
          .compose(
              m -> {
                Map<String, String> out = new HashMap<>();
                Future<Void> chain = Future.succeededFuture();
                for (String id : ids) {
                  chain =
                      chain.compose(
                          v ->
                              m.get(id)
                                  .map(
                                      raw -> {
                                        if (raw != null) {
                                          out.put(id, raw);
                                        }
                                        return null;
                                      }));
                }
                return chain.map(out);
              });
    }

    @Override
    public Future<Void> putAll(Map<String, String> records) {
      return map()
          .compose(
              m ->
                  Window.map(
                      List.copyOf(records.entrySet()), 1024, e -> m.put(e.getKey(), e.getValue())))
          .mapEmpty();
    }

    @Override
    public Future<Void> removeAll(Collection<String> ids) {
      return map().compose(m -> Window.map(List.copyOf(ids), 1024, m::remove)).mapEmpty();
    }

    private Future<AsyncMap<String, String>> map() {
      return vertx.sharedData().getAsyncMap(MAP);
    }
  }

  /** The hash {@code RedisBackendService} keeps under {@code key}: one field per record. */
  record RedisHash(io.vertx.redis.client.Redis client, String key) implements RecordStore {
    @Override
    public Future<List<String>> all() {
      return client.send(Request.cmd(Command.HVALS).arg(key)).map(RedisHash::texts);
    }

    @Override
    public Future<Map<String, String>> some(Collection<String> ids) {
      if (ids.isEmpty()) {
        return Future.succeededFuture(Map.of());
      }
      String[] order = ids.toArray(new String[0]);
      Request hmget = Request.cmd(Command.HMGET).arg(key);
      for (String id : order) {
        hmget.arg(id);
      }
      return client
          .send(hmget)
          .map(
              values -> {
                Map<String, String> out = new HashMap<>();
                for (int i = 0; i < order.length && i < values.size(); i++) {
                  Response v = values.get(i);
                  if (v != null) {
                    out.put(order[i], v.toString());
                  }
                }
                return out;
              });
    }

    /**
     * Fields per HSET: a few hundred kilobytes per command, pipelined on the client's connections.
     */
    private static final int PER_COMMAND = 1000;

    @Override
    public Future<Void> putAll(Map<String, String> records) {
      List<Future<Response>> sent = new ArrayList<>();
      Request hset = null;
      int n = 0;
      for (Map.Entry<String, String> e : records.entrySet()) {
        if (hset == null) {
          hset = Request.cmd(Command.HSET).arg(key);
        }
        hset.arg(e.getKey()).arg(e.getValue());
        if (++n % PER_COMMAND == 0) {
          sent.add(client.send(hset));
          hset = null;
        }
      }
      if (hset != null) {
        sent.add(client.send(hset));
      }
      return Future.all(sent).mapEmpty();
    }

    @Override
    public Future<Void> removeAll(Collection<String> ids) {
      List<Future<Response>> sent = new ArrayList<>();
      List<String> list = List.copyOf(ids);
      for (int from = 0; from < list.size(); from += PER_COMMAND) {
        Request hdel = Request.cmd(Command.HDEL).arg(key);
        list.subList(from, Math.min(list.size(), from + PER_COMMAND)).forEach(hdel::arg);
        sent.add(client.send(hdel));
      }
      return Future.all(sent).mapEmpty();
    }

    /** HVALS answers the hash's values, one per field, in RESP2 and RESP3 alike. */
    private static List<String> texts(Response r) {
      if (r == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>(r.size());
      for (Response v : r) {
        if (v != null) {
          out.add(v.toString());
        }
      }
      return out;
    }
  }
}
