package dev.portico.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announcements of a Redis registry across processes. Vert.x Service Discovery announces a write on
 * the writer's own event bus only; other gateways would see it at their next poll. Every write
 * through {@link Registry} is therefore also {@code PUBLISH}ed on {@code <key>:announce}, and each
 * gateway keeps one connection {@code SUBSCRIBE}d to it (re-established with back-off when it
 * drops, followed by a refresh for what was missed meanwhile). The periodic refresh stays as the
 * safety net and for writers that bypass {@link Registry}.
 */
final class RedisAnnouncements {

  private static final Logger log = LoggerFactory.getLogger(RedisAnnouncements.class);

  /**
   * Announces a change of any number of records (a bulk write): receivers read the whole registry.
   */
  static final String ANYTHING = "*";

  private static final long FIRST_RETRY_MS = 250;
  private static final long MAX_RETRY_MS = 5_000;

  private final Vertx vertx;
  private final Redis client;
  private final String channel;
  private Consumer<String> listener;
  private final List<Runnable> lostListeners = new CopyOnWriteArrayList<>();
  private RedisConnection subscriber;
  private long retryTimer = -1;
  private volatile boolean closed;

  RedisAnnouncements(Vertx vertx, JsonObject backendConfig) {
    this.vertx = vertx;
    this.client = Redis.createClient(vertx, new RedisOptions(backendConfig));
    this.channel = backendConfig.getString("key", "records") + ":announce";
  }

  /**
   * Tells every gateway (this one too) that record {@code registration} changed, or with {@link
   * #ANYTHING} that any record may have; best effort (their polling catches a lost one).
   */
  void announce(String registration) {
    client
        .send(Request.cmd(Command.PUBLISH).arg(channel).arg(registration))
        .onFailure(
            e -> log.debug("registry announcement on {} not sent: {}", channel, e.toString()));
  }

  /** The client, shared with the reads of the registry's records. */
  Redis client() {
    return client;
  }

  /**
   * Calls {@code onAnnouncement} for every announcement from any process, with the registration id
   * announced, and with {@code null} after each (re)subscription (anything may have changed). Once.
   */
  void subscribe(Consumer<String> onAnnouncement) {
    if (listener != null) {
      throw new IllegalStateException("the registry's announcements have a subscriber already");
    }
    this.listener = onAnnouncement;
    connect(FIRST_RETRY_MS);
  }

  /**
   * Calls {@code onLost} when the subscription's connection drops (Redis went down, or is being
   * replaced).
   */
  void onConnectionLost(Runnable onLost) {
    lostListeners.add(onLost);
  }

  Future<Void> close() {
    closed = true;
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
    Future<Void> unsubscribed = subscriber == null ? Future.succeededFuture() : subscriber.close();
    return unsubscribed.eventually(client::close);
  }

  private void connect(long nextDelay) {
    if (closed) {
      return;
    }
    client
        .connect()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                log.debug(
                    "registry announcements: cannot subscribe to {} ({}); retrying",
                    channel,
                    ar.cause().toString());
                retry(nextDelay);
                return;
              }
              RedisConnection conn = ar.result();
              if (closed) {
                conn.close();
                return;
              }
              subscriber = conn;
              conn.handler(this::received);
              conn.exceptionHandler(
                  e -> log.debug("registry announcements on {}: {}", channel, e.toString()));
              conn.endHandler(
                  v -> {
                    subscriber = null;
                    if (!closed) {
                      lostListeners.forEach(Runnable::run);
                      retry(FIRST_RETRY_MS);
                    }
                  });
              conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel))
                  .onComplete(
                      sub -> {
                        if (sub.succeeded()) {
                          // whatever was written while this process was not subscribed
                          listener.accept(null);
                        } else {
                          conn.endHandler(null);
                          subscriber = null;
                          conn.close();
                          retry(nextDelay);
                        }
                      });
            });
  }

  private void retry(long delay) {
    if (closed) {
      return;
    }
    retryTimer =
        vertx.setTimer(
            delay,
            t -> {
              retryTimer = -1;
              connect(Math.min(MAX_RETRY_MS, delay * 2));
            });
  }

  private void received(Response message) {
    // a pub/sub message is ["message", channel, payload]; subscription confirmations are ignored
    ResponseType type = message == null ? null : message.type();
    if ((type == ResponseType.PUSH || type == ResponseType.MULTI)
        && message.size() == 3
        && "message".equals(message.get(0).toString())) {
      Response payload = message.get(2);
      String id = payload == null ? null : payload.toString();
      listener.accept(id == null || id.isEmpty() || id.equals(ANYTHING) ? null : id);
    }
  }
}
