package dev.portico.gateway.protocol;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A routing verticle's cleartext HTTP/1.1 connections to backends, leased one request at a time
 * (issue 13): per endpoint, a stack of idle connections (the most recently used first), at most
 * {@code upstream.maxConnectionsPerEndpoint} open, requests beyond that waiting for one to come
 * back. What Vert.x's pooled {@code HttpClient.request} does, without what it spends on each
 * request (a new context, an endpoint key and its look-up, the pool's acquire through futures).
 *
 * <ul>
 *   <li>A connection goes back to its stack when its response has ended and nothing else is on it;
 *       a request reset before it was sent leaves the connection reusable, one reset after (a
 *       timeout, a client gone) makes Vert.x close it, as a backend's {@code Connection: close}
 *       does: a closed connection leaves the stack and its slot opens for a new one.
 *   <li>Idle connections are closed after {@code upstream.keepAliveTimeout} (or the backend's
 *       shorter {@code Keep-Alive: timeout}): checked when one is taken, and once a second.
 *   <li>A request waiting for a connection fails after its connect timeout, as Vert.x's pool
 *       waiters do ({@code TimeoutException}: "could not connect within").
 *   <li>Closed with the verticle's clients: the idle connections close, the waiters fail; the
 *       connections still in use belong to the HTTP client, which closes them with itself.
 * </ul>
 *
 * <p>TLS endpoints, HTTP/2 and WebSocket handshakes stay on the pooled clients ({@link
 * UpstreamClients}). Used on the verticle's event loop only: nothing here needs a lock.
 */
public final class LeasedConnections {

  private static final Logger log = LoggerFactory.getLogger(LeasedConnections.class);
  private static final long SWEEP_MS = 1_000;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final int maxPerEndpoint;
  private final long keepAliveNanos;
  private final Map<String, Slot> slots = new HashMap<>();
  private long sweeper = -1;
  private boolean closed;

  /**
   * @param client the verticle's HTTP/1.1 client: it makes the connections (its TCP options, its
   *     event loop) and closes whatever is still open when it closes
   * @param maxPerEndpoint connections open at most per endpoint
   * @param keepAliveSeconds how long a connection may stay idle
   */
  public LeasedConnections(
      Vertx vertx, HttpClientAgent client, int maxPerEndpoint, int keepAliveSeconds) {
    this.vertx = vertx;
    this.client = client;
    this.maxPerEndpoint = maxPerEndpoint;
    this.keepAliveNanos = TimeUnit.SECONDS.toNanos(keepAliveSeconds);
  }

  /**
   * A request to {@code host:port} (cleartext HTTP/1.1) on a leased connection: an idle one, a new
   * one, or the first one to come back when {@code maxPerEndpoint} are in use.
   *
   * @param key the endpoint's key ({@code host:port})
   * @param options the request (its host and port are the connection's)
   */
  public Future<HttpClientRequest> request(
      String key, String host, int port, long connectTimeoutMs, RequestOptions options) {
    if (closed) {
      return Future.failedFuture("the gateway's upstream connections are closed");
    }
    Slot slot = slots.get(key);
    if (slot == null) {
      slot = new Slot(key, host, port);
      slots.put(key, slot);
    }
    Lease lease = slot.takeIdle(System.nanoTime());
    if (lease != null) {
      return lease.send(options);
    }
    if (slot.open < maxPerEndpoint) {
      return slot.connect(connectTimeoutMs).compose(l -> l.send(options));
    }
    Waiter w = new Waiter(options, connectTimeoutMs, System.nanoTime());
    slot.waiters.addLast(w);
    slot.expireWaitersBy(w.due);
    return w.promise.future();
  }

  /** Connections open to {@code key} (idle and in use), for tests. */
  int open(String key) {
    Slot slot = slots.get(key);
    return slot == null ? 0 : slot.open;
  }

  /** Endpoints with connections (or requests waiting for one), for tests. */
  int endpoints() {
    return slots.size();
  }

  /** Idle connections to {@code key}, for tests. */
  int idle(String key) {
    Slot slot = slots.get(key);
    return slot == null ? 0 : slot.idle.size();
  }

  /** Closes the idle connections and fails the waiting requests; nothing is leased after. */
  public Future<Void> close() {
    closed = true;
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
    List<Future<Void>> all = new ArrayList<>();
    for (Slot slot : slots.values()) {
      if (slot.timer >= 0) {
        vertx.cancelTimer(slot.timer);
      }
      Waiter w;
      while ((w = slot.waiters.pollFirst()) != null) {
        w.fail(new IllegalStateException("the gateway's upstream connections are closed"));
      }
      Lease l;
      while ((l = slot.idle.pollLast()) != null) {
        all.add(l.conn.close());
      }
    }
    return Future.join(all).mapEmpty();
  }

  private void sweep(long id) {
    long now = System.nanoTime();
    boolean any = false;
    for (Slot slot : slots.values()) {
      slot.closeExpired(now);
      any |= !slot.idle.isEmpty();
    }
    if (!any) {
      vertx.cancelTimer(id);
      sweeper = -1;
    }
  }

  private void sweepLater() {
    if (sweeper < 0 && !closed) {
      sweeper = vertx.setPeriodic(SWEEP_MS, this::sweep);
    }
  }

  /** One endpoint's connections. */
  private final class Slot {
    final String key;
    final String host;
    final int port;
    final ArrayDeque<Lease> idle = new ArrayDeque<>(4);
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>(2);
    int open;

    /**
     * One timer per endpoint for its waiters' connect timeouts (not one per waiting request): due
     * at {@link #timerDue}, it fails the waiters whose time is up and re-arms for the next one.
     */
    long timer = -1;

    long timerDue;

    Slot(String key, String host, int port) {
      this.key = key;
      this.host = host;
      this.port = port;
    }

    /** The most recently used idle connection, closing the expired ones on the way. */
    Lease takeIdle(long now) {
      Lease l;
      while ((l = idle.pollLast()) != null) {
        if (now - l.idleSince < l.keepAliveNanos) {
          return l;
        }
        // the rest of the stack has been idle longer still
        l.expire();
        closeExpired(now);
      }
      return null;
    }

    void closeExpired(long now) {
      Lease l;
      while ((l = idle.peekFirst()) != null && now - l.idleSince >= l.keepAliveNanos) {
        idle.pollFirst();
        l.expire();
      }
    }

    Future<Lease> connect(long connectTimeoutMs) {
      open++;
      return client
          .connect(
              new HttpConnectOptions()
                  .setHost(host)
                  .setPort(port)
                  .setSsl(false)
                  .setConnectTimeout(connectTimeoutMs))
          .transform(
              ar -> {
                if (ar.failed()) {
                  open--;
                  // the next waiter tries a connection of its own (it may fail the same way)
                  serveWaiter();
                  forgetIfUnused();
                  return Future.failedFuture(ar.cause());
                }
                return Future.succeededFuture(new Lease(this, ar.result()));
              });
    }

    void expireWaitersBy(long due) {
      if (due == Long.MAX_VALUE || (timer >= 0 && timerDue - due <= 0)) {
        return;
      }
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      timerDue = due;
      long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime()) + 1);
      timer = vertx.setTimer(ms, id -> expireWaiters());
    }

    private void expireWaiters() {
      timer = -1;
      long now = System.nanoTime();
      long next = Long.MAX_VALUE;
      List<Waiter> expired = new ArrayList<>();
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.due != Long.MAX_VALUE && w.due - now <= 0) {
          it.remove();
          expired.add(w);
        } else if (w.due != Long.MAX_VALUE && (next == Long.MAX_VALUE || w.due - next < 0)) {
          next = w.due;
        }
      }
      expireWaitersBy(next);
      // failed after the walk: a failed request may be retried at once, here
      for (Waiter w : expired) {
        w.fail(
            new TimeoutException(
                "The timeout of "
                    + w.connectTimeoutMs
                    + " ms has been exceeded when getting a connection to "
                    + host
                    + ":"
                    + port));
      }
      forgetIfUnused();
    }

    /** A connection came back (or a slot opened): the first waiter gets it. */
    void serveWaiter() {
      Waiter w = waiters.pollFirst();
      if (w == null) {
        return;
      }
      Lease l = takeIdle(System.nanoTime());
      if (l != null) {
        w.serve(l.send(w.options));
      } else if (open < maxPerEndpoint) {
        w.serve(connect(w.connectTimeoutMs).compose(c -> c.send(w.options)));
      } else {
        waiters.addFirst(w);
      }
    }

    /** The lease's connection may serve another request. */
    void release(Lease l) {
      if (closed) {
        l.conn.close();
        return;
      }
      l.idleSince = System.nanoTime();
      if (waiters.isEmpty()) {
        idle.addLast(l);
        sweepLater();
      } else {
        // handed to the first waiter once Vert.x has closed the stream that just ended (its close
        // follows the response's end): a request made on the connection before that would be
        // queued by Vert.x until then
        vertx.runOnContext(l.handOver);
      }
    }

    /** The released connection to the first waiter (or to the idle stack if none is left). */
    void handOver(Lease l) {
      if (l.gone) {
        return;
      }
      if (closed) {
        l.conn.close();
        return;
      }
      Waiter w = waiters.pollFirst();
      if (w == null) {
        idle.addLast(l);
        sweepLater();
      } else {
        w.serve(l.send(w.options));
      }
    }

    void closed(Lease l) {
      open--;
      idle.remove(l);
      if (!closed) {
        serveWaiter();
      }
      forgetIfUnused();
    }

    /**
     * An endpoint without connections nor waiters is forgotten: with registry services, endpoints
     * come and go (tens of thousands of instances), and each slot would otherwise stay.
     */
    void forgetIfUnused() {
      if (open == 0 && waiters.isEmpty() && slots.get(key) == this) {
        slots.remove(key);
      }
    }
  }

  /**
   * One connection and its current request. A connection carries one request at a time, so the
   * handlers below are made once per connection, not per request.
   */
  private final class Lease {
    final Slot slot;
    final HttpClientConnection conn;
    final Handler<AsyncResult<HttpClientRequest>> sent = this::sent;
    final Handler<AsyncResult<HttpClientResponse>> answered = this::answered;
    final Handler<AsyncResult<Void>> ended = this::ended;
    final Handler<Void> handOver = this::handOver;
    long idleSince;
    long keepAliveNanos = LeasedConnections.this.keepAliveNanos;
    boolean gone;

    /** Its response said {@code Connection: close} (or was HTTP/1.0 without keep-alive). */
    boolean last;

    Lease(Slot slot, HttpClientConnection conn) {
      this.slot = slot;
      this.conn = conn;
      conn.closeHandler(
          v -> {
            gone = true;
            slot.closed(this);
          });
      // a connection's failure reaches the request on it (its response future); without a
      // handler Vert.x would log each (a backend closing a kept-alive connection) as an error
      conn.exceptionHandler(e -> log.debug("upstream connection failed: {}", e.toString()));
    }

    Future<HttpClientRequest> send(RequestOptions options) {
      return conn.request(options).andThen(sent);
    }

    private void sent(AsyncResult<HttpClientRequest> ar) {
      if (ar.succeeded()) {
        ar.result().response().onComplete(answered);
      } else {
        settle();
      }
    }

    private void answered(AsyncResult<HttpClientResponse> ar) {
      if (ar.failed()) {
        // reset before the response: unsent, the connection is whole; sent, Vert.x closes it
        settle();
        return;
      }
      HttpClientResponse res = ar.result();
      String connection = res.getHeader(HttpHeaders.CONNECTION);
      if ("close".equalsIgnoreCase(connection)
          || (res.version() == HttpVersion.HTTP_1_0
              && !"keep-alive".equalsIgnoreCase(connection))) {
        // the backend closes it after this response (Vert.x does, too): it serves no other
        last = true;
      }
      String keepAlive = res.getHeader(HttpHeaders.KEEP_ALIVE);
      if (keepAlive != null) {
        long seconds = keepAliveTimeout(keepAlive);
        if (seconds >= 0) {
          keepAliveNanos =
              Math.min(LeasedConnections.this.keepAliveNanos, seconds * 1_000_000_000L);
        }
      }
      try {
        res.end().onComplete(ended);
      } catch (IllegalStateException alreadyEnded) {
        settle();
      }
    }

    private void handOver(Void v) {
      slot.handOver(this);
    }

    private void ended(AsyncResult<Void> ar) {
      settle();
    }

    /** The request is over: the connection serves the next one, unless it is closing. */
    private void settle() {
      if (gone) {
        return;
      }
      if (last) {
        conn.close();
      } else if (conn.activeStreams() == 0) {
        slot.release(this);
      } else {
        // the response ended before the request did (the backend answered before reading the
        // whole body): the connection cannot be trusted with another request
        conn.close();
      }
    }

    void expire() {
      // (the close handler then counts it out)
      conn.close();
    }
  }

  /** A request waiting for one of its endpoint's connections. */
  private final class Waiter {
    final RequestOptions options;
    final long connectTimeoutMs;

    /** When it gives up ({@link System#nanoTime}); {@code Long.MAX_VALUE}: never. */
    final long due;

    final Promise<HttpClientRequest> promise = Promise.promise();

    Waiter(RequestOptions options, long connectTimeoutMs, long now) {
      this.options = options;
      this.connectTimeoutMs = connectTimeoutMs;
      this.due =
          connectTimeoutMs > 0
              ? now + TimeUnit.MILLISECONDS.toNanos(connectTimeoutMs)
              : Long.MAX_VALUE;
    }

    void serve(Future<HttpClientRequest> request) {
      request.onComplete(promise);
    }

    void fail(Throwable t) {
      promise.tryFail(t);
    }
  }

  /** The {@code timeout} parameter of a {@code Keep-Alive} header, in seconds; -1 if none. */
  static long keepAliveTimeout(String header) {
    int i = header.indexOf("timeout=");
    if (i < 0) {
      return -1;
    }
    long v = -1;
    for (int k = i + 8; k < header.length(); k++) {
      char c = header.charAt(k);
      if (c < '0' || c > '9') {
        break;
      }
      v = (v < 0 ? 0 : v * 10) + (c - '0');
      if (v > 1_000_000) {
        return v;
      }
    }
    return v;
  }
}
