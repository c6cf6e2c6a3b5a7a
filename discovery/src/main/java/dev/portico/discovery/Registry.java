package dev.portico.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The discovery registry: a thin, typed face over Vert.x Service Discovery holding {@code
 * http-endpoint} records. Every write is announced on the event bus ({@link
 * RegistryOptions#announceAddress()}), which is what {@link RegistryWatcher} listens to: one
 * announcement per single write, naming its record (watchers read that record alone), and one per
 * {@linkplain #write(RegistryWrites) batch}, however many records it holds (watchers read every
 * record). (Service Discovery's own per-record announcements go to an address nobody listens to:
 * thousands of records written at once must not become thousands of snapshot rebuilds.)
 */
public final class Registry {

  /**
   * The field of an event-bus announcement naming the one record written; an announcement without
   * it (a batch, or anyone else's message) means "anything may have changed".
   */
  static final String RECORD_FIELD = "record";

  /**
   * Records of one batch written at once at most: a Redis pool must not see more waiting commands
   * than it queues.
   */
  static final int BATCH_WINDOW = 16;

  private final Vertx vertx;
  private final ServiceDiscovery discovery;
  private final RegistryOptions options;

  /** Cross-process announcements of a Redis registry; {@code null} for the local one. */
  private final RedisAnnouncements announcements;

  private final RecordStore records;

  /**
   * Records this process wrote itself, decoded, by their text as stored: the watcher's next read of
   * such a record does not decode it again. Each entry is taken by that read or by the record's
   * unpublication (a record unpublished before any read would otherwise stay here for good).
   */
  private final Map<String, ServiceInstance> written = new ConcurrentHashMap<>();

  private Registry(
      Vertx vertx,
      ServiceDiscovery discovery,
      RegistryOptions options,
      RedisAnnouncements announcements,
      RecordStore records) {
    this.vertx = vertx;
    this.discovery = discovery;
    this.options = options;
    this.announcements = announcements;
    this.records = records;
  }

  public static Registry create(Vertx vertx, RegistryOptions options) {
    if (!options.redis()) {
      return new Registry(
          vertx,
          ServiceDiscovery.create(vertx, options.toDiscoveryOptions()),
          options,
          null,
          new RecordStore.LocalMap(vertx));
    }
    RedisAnnouncements announcements = new RedisAnnouncements(vertx, options.backendConfig());
    return new Registry(
        vertx,
        ServiceDiscovery.create(vertx, options.toDiscoveryOptions()),
        options,
        announcements,
        new RecordStore.RedisHash(
            announcements.client(), options.backendConfig().getString("key", "records")));
  }

  /**
   * Calls {@code onChange} when a process changed the registry (a shared registry only; this
   * process's own writes are also announced on its event bus, see {@link
   * RegistryOptions#announceAddress()}): with the registration id of the record written, or with
   * {@code null} when anything may have changed (the subscription was (re)established: writes
   * meanwhile were not heard).
   */
  public void onRemoteChange(Consumer<String> onChange) {
    if (announcements != null) {
      announcements.subscribe(onChange);
    }
  }

  /**
   * Whether other processes write to this registry too (and {@link #onRemoteChange} tells of their
   * writes).
   */
  public boolean shared() {
    return announcements != null;
  }

  /**
   * Every record's JSON text as stored (each names its registration id), for reading without
   * decoding what did not change.
   */
  Future<List<String>> stored() {
    return bounded(records.all());
  }

  /** The records {@code ids} as stored; an id without a record is absent from the result. */
  Future<Map<String, String>> stored(java.util.Collection<String> ids) {
    return bounded(records.some(ids));
  }

  /**
   * Calls {@code onLost} when this process loses its connection to a shared registry (the server
   * went down, or is being replaced and may come back without its records). Never for the local
   * registry.
   */
  public void onConnectionLost(Runnable onLost) {
    if (announcements != null) {
      announcements.onConnectionLost(onLost);
    }
  }

  public RegistryOptions options() {
    return options;
  }

  /** Publishes a new record and returns the instance with its registration id. */
  public Future<ServiceInstance> publish(InstanceSpec spec) {
    return announced(publishQuietly(spec));
  }

  /**
   * Writes in flight at once when many go together (start-up declares thousands of configured
   * instances).
   */
  static final int WRITE_WINDOW = 256;

  /**
   * Publishes every spec in bulk: the records are written to the backend's store in a few large
   * writes (one HSET per thousand records on Redis) rather than one Service Discovery publication
   * each, then announced once. Completes with the records in the order of {@code specs}; when the
   * write fails, what was written is removed again (best effort) and the call fails.
   */
  public Future<List<ServiceInstance>> publishAll(List<InstanceSpec> specs) {
    if (specs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    // encoding tens of thousands of records takes a second of CPU: not on the caller's event loop
    Future<Bulk> bulk =
        specs.size() < ENCODE_INLINE
            ? Future.succeededFuture(encode(specs))
            : vertx.executeBlocking(() -> encode(specs), false);
    return bulk.compose(
        b ->
            bounded(records.putAll(b.stored()))
                .recover(
                    e -> {
                      b.stored().values().forEach(written::remove);
                      return bounded(records.removeAll(b.stored().keySet()))
                          .otherwiseEmpty()
                          .transform(ar -> Future.failedFuture(e));
                    })
                .map(
                    v -> {
                      // one announcement for the whole bulk: every watcher reads the registry once
                      announce("bulk publication of " + b.instances().size());
                      return b.instances();
                    }));
  }

  /**
   * Bulks smaller than this are encoded on the caller's thread (a worker hop costs more than they
   * do).
   */
  private static final int ENCODE_INLINE = 1024;

  /**
   * The records of one bulk publication: as returned (in order) and as stored, by registration id.
   */
  private record Bulk(List<ServiceInstance> instances, Map<String, String> stored) {}

  private Bulk encode(List<InstanceSpec> specs) {
    List<ServiceInstance> out = new java.util.ArrayList<>(specs.size());
    Map<String, String> stored = new java.util.LinkedHashMap<>();
    RegistrationIds ids = new RegistrationIds();
    for (InstanceSpec spec : specs) {
      // what DiscoveryImpl.publish and the backend's store do, record by record (RecordText
      // writes the record's text without building it: RecordTextTest holds the two equal)
      String id = ids.next();
      String text = RecordText.encode(spec, id);
      ServiceInstance instance = RecordText.instance(spec, id);
      stored.put(id, text);
      written.put(text, instance);
      out.add(instance);
    }
    return new Bulk(out, stored);
  }

  /** How many written records wait for a watcher's read (for tests). */
  int awaitingRead() {
    return written.size();
  }

  /**
   * The instance this process wrote as a record stored exactly as {@code stored} (so it needs no
   * decoding), else {@code null}. Takes the entry.
   */
  ServiceInstance writtenAs(String stored) {
    return written.remove(stored);
  }

  /** Drops what this process wrote as records {@code ids}: they are gone before any read. */
  private void forgetWritten(Collection<String> ids) {
    if (!written.isEmpty()) {
      Set<String> gone = ids instanceof Set<String> set ? set : new HashSet<>(ids);
      written.values().removeIf(i -> gone.contains(i.id()));
    }
  }

  /** Replaces the endpoint, status and metadata of the record {@code id}; the id is kept. */
  public Future<ServiceInstance> update(String id, InstanceSpec spec) {
    return announced(updateQuietly(id, spec));
  }

  /** Sets the status of the record {@code id} (UP, DOWN, OUT_OF_SERVICE). */
  public Future<ServiceInstance> setStatus(String id, InstanceStatus status) {
    return announced(
        find(id)
            .compose(r -> bounded(discovery.update(r.setStatus(status.toVertx()))))
            .map(Registry::toInstance));
  }

  public Future<Void> unpublish(String id) {
    return unpublishQuietly(id).onSuccess(v -> announceRecord(id));
  }

  /**
   * Unpublishes every record of {@code ids} in a few large writes (HDEL per thousand on Redis) and
   * announces them once: a gateway stopping with 50,000 declared instances does not remove them one
   * by one. Records already gone are no failure.
   */
  public Future<Void> unpublishAll(Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    forgetWritten(ids);
    return bounded(records.removeAll(ids))
        .onSuccess(v -> announce("bulk unpublication of " + ids.size()));
  }

  /**
   * Publishes, updates and unpublishes the records of {@code writes}, at most {@value
   * #BATCH_WINDOW} at a time, and announces them once when all are done. A write that fails does
   * not stop the others: the result lists what was written and why the rest was not. Callers keep
   * batches bounded (thousands of records, not the whole of a big registry): the records of one
   * batch are held until it completes.
   */
  public Future<RegistryWrites.Result> write(RegistryWrites writes) {
    return writeUnannounced(writes)
        .onSuccess(
            result -> {
              if (result.written() > 0) {
                announce("batch of " + result.written());
              }
            });
  }

  /**
   * {@link #write(RegistryWrites)} without the announcement, for a writer that writes several
   * batches in a row and then calls {@link #announce(String)} once: every announcement makes every
   * watcher re-read the registry.
   */
  public Future<RegistryWrites.Result> writeUnannounced(RegistryWrites writes) {
    return new BatchWriter(this, writes, BATCH_WINDOW).run();
  }

  /**
   * Every HTTP endpoint record, whatever its status. Not for the hot path: use {@link
   * RegistryWatcher}.
   */
  public Future<List<ServiceInstance>> instances() {
    return bounded(discovery.getRecords(r -> HttpEndpoint.TYPE.equals(r.getType()), true))
        .map(records -> records.stream().map(Registry::toInstance).toList());
  }

  public Future<ServiceInstance> instance(String id) {
    return find(id).map(Registry::toInstance);
  }

  public void close() {
    if (announcements != null) {
      announcements.close();
    }
    discovery.close();
  }

  /** A single write, unannounced: for a batch, which announces once. */
  Future<ServiceInstance> publishQuietly(InstanceSpec spec) {
    return bounded(discovery.publish(toRecord(spec))).map(Registry::toInstance);
  }

  Future<ServiceInstance> updateQuietly(String id, InstanceSpec spec) {
    Record record = toRecord(spec).setRegistration(id);
    return find(id)
        .compose(existing -> bounded(discovery.update(record)))
        .map(Registry::toInstance);
  }

  Future<Void> unpublishQuietly(String id) {
    forgetWritten(Set.of(id));
    return bounded(discovery.unpublish(id));
  }

  private Future<ServiceInstance> announced(Future<ServiceInstance> write) {
    return write.onSuccess(i -> announceRecord(i.id()));
  }

  /**
   * Tells this process's watchers (event bus) and, for a shared registry, the other processes, that
   * record {@code id} changed: a shared registry's watchers read that record again, not all of
   * them.
   */
  private void announceRecord(String id) {
    // "record": this process's watchers read that record alone, as a shared registry's do
    vertx
        .eventBus()
        .publish(
            options.announceAddress(), new JsonObject().put("changed", id).put(RECORD_FIELD, id));
    if (announcements != null) {
      announcements.announce(id);
    }
  }

  /**
   * Tells this process's watchers (event bus) and, for a shared registry, the other processes, that
   * any number of records changed (a batch): every watcher reads the whole registry again. {@code
   * what} is for the curious (logs).
   */
  public void announce(String what) {
    vertx.eventBus().publish(options.announceAddress(), new JsonObject().put("changed", what));
    if (announcements != null) {
      announcements.announce(RedisAnnouncements.ANYTHING);
    }
  }

  private Future<Record> find(String id) {
    return bounded(discovery.getRecord(id))
        .compose(
            r ->
                r == null
                    ? Future.failedFuture(
                        new NoSuchElementException("no registry record with id " + id))
                    : Future.succeededFuture(r));
  }

  /**
   * A registry that stops answering (a Redis behind a dead route) fails calls instead of stalling
   * callers.
   */
  private <T> Future<T> bounded(Future<T> call) {
    long millis = options.callTimeout().toMillis();
    return call.timeout(millis, TimeUnit.MILLISECONDS)
        .recover(
            e ->
                Future.failedFuture(
                    e instanceof java.util.concurrent.TimeoutException
                        ? new RegistryUnavailableException(
                            "the registry did not answer within " + options.callTimeout(), e)
                        : e));
  }

  /**
   * A stored record's registration id ({@code null} when it names none) and, when it is an HTTP
   * endpoint, its instance ({@code null} otherwise: other record types may share the registry; they
   * are not routed to).
   */
  record Decoded(String id, ServiceInstance instance) {}

  /** What a stored record's JSON text describes. */
  static Decoded decode(String stored) {
    Record record = new Record(new JsonObject(stored));
    return new Decoded(
        record.getRegistration(),
        HttpEndpoint.TYPE.equals(record.getType()) ? toInstance(record) : null);
  }

  static Record toRecord(InstanceSpec spec) {
    JsonObject metadata = new JsonObject();
    spec.metadata().forEach(metadata::put);
    Record record =
        HttpEndpoint.createRecord(
            spec.service(),
            spec.ssl(),
            spec.host(),
            spec.port(),
            spec.root().isEmpty() ? "/" : spec.root(),
            metadata);
    return record.setStatus(spec.status().toVertx());
  }

  static ServiceInstance toInstance(Record record) {
    JsonObject location = record.getLocation() == null ? new JsonObject() : record.getLocation();
    Map<String, String> metadata = new HashMap<>();
    if (record.getMetadata() != null) {
      record
          .getMetadata()
          .forEach(
              e -> {
                if (e.getValue() != null) {
                  metadata.put(e.getKey(), String.valueOf(e.getValue()));
                }
              });
    }
    return new ServiceInstance(
        record.getRegistration(),
        record.getName(),
        location.getString("host", ""),
        location.getInteger("port", 0),
        location.getBoolean("ssl", false),
        location.getString("root", ""),
        InstanceStatus.of(record.getStatus()),
        metadata);
  }
}
