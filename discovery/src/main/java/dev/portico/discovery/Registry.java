package dev.portico.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.types.HttpEndpoint;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;

/**
 * The discovery registry: a thin, typed face over Vert.x Service Discovery holding
 * {@code http-endpoint} records. Every write is announced on the event bus, which is what
 * {@link RegistryWatcher} listens to.
 */
public final class Registry {

  private final ServiceDiscovery discovery;
  private final RegistryOptions options;
  /** Cross-process announcements of a Redis registry; {@code null} for the local one. */
  private final RedisAnnouncements announcements;

  private Registry(ServiceDiscovery discovery, RegistryOptions options, RedisAnnouncements announcements) {
    this.discovery = discovery;
    this.options = options;
    this.announcements = announcements;
  }

  public static Registry create(Vertx vertx, RegistryOptions options) {
    return new Registry(ServiceDiscovery.create(vertx, options.toDiscoveryOptions()), options,
      options.redis() ? new RedisAnnouncements(vertx, options.backendConfig()) : null);
  }

  /**
   * Calls {@code onChange} when another process changed the registry (a shared registry only: this
   * process's own writes are announced on its event bus, see {@link RegistryOptions#announceAddress()}).
   */
  public void onRemoteChange(Runnable onChange) {
    if (announcements != null) {
      announcements.subscribe(onChange);
    }
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
    return announced(bounded(discovery.publish(toRecord(spec))).map(Registry::toInstance));
  }

  /** Replaces the endpoint, status and metadata of the record {@code id}; the id is kept. */
  public Future<ServiceInstance> update(String id, InstanceSpec spec) {
    Record record = toRecord(spec).setRegistration(id);
    return announced(find(id).compose(existing -> bounded(discovery.update(record))).map(Registry::toInstance));
  }

  /** Sets the status of the record {@code id} (UP, DOWN, OUT_OF_SERVICE). */
  public Future<ServiceInstance> setStatus(String id, InstanceStatus status) {
    return announced(find(id).compose(r -> bounded(discovery.update(r.setStatus(status.toVertx()))))
      .map(Registry::toInstance));
  }

  public Future<Void> unpublish(String id) {
    return bounded(discovery.unpublish(id)).onSuccess(v -> {
      if (announcements != null) {
        announcements.announce(id);
      }
    });
  }

  /** Every HTTP endpoint record, whatever its status. Not for the hot path: use {@link RegistryWatcher}. */
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

  private Future<ServiceInstance> announced(Future<ServiceInstance> write) {
    return announcements == null ? write : write.onSuccess(i -> announcements.announce(i.id()));
  }

  private Future<Record> find(String id) {
    return bounded(discovery.getRecord(id)).compose(r -> r == null
      ? Future.failedFuture(new NoSuchElementException("no registry record with id " + id))
      : Future.succeededFuture(r));
  }

  /** A registry that stops answering (a Redis behind a dead route) fails calls instead of stalling callers. */
  private <T> Future<T> bounded(Future<T> call) {
    long millis = options.callTimeout().toMillis();
    return call.timeout(millis, TimeUnit.MILLISECONDS)
      .recover(e -> Future.failedFuture(e instanceof java.util.concurrent.TimeoutException
        ? new RegistryUnavailableException("the registry did not answer within " + options.callTimeout(), e)
        : e));
  }

  static Record toRecord(InstanceSpec spec) {
    JsonObject metadata = new JsonObject();
    spec.metadata().forEach(metadata::put);
    Record record = HttpEndpoint.createRecord(spec.service(), spec.ssl(), spec.host(), spec.port(),
      spec.root().isEmpty() ? "/" : spec.root(), metadata);
    return record.setStatus(spec.status().toVertx());
  }

  static ServiceInstance toInstance(Record record) {
    JsonObject location = record.getLocation() == null ? new JsonObject() : record.getLocation();
    Map<String, String> metadata = new HashMap<>();
    if (record.getMetadata() != null) {
      record.getMetadata().forEach(e -> {
        if (e.getValue() != null) {
          metadata.put(e.getKey(), String.valueOf(e.getValue()));
        }
      });
    }
    return new ServiceInstance(record.getRegistration(), record.getName(),
      location.getString("host", ""), location.getInteger("port", 0),
      location.getBoolean("ssl", false), location.getString("root", ""),
      InstanceStatus.of(record.getStatus()), metadata);
  }
}
