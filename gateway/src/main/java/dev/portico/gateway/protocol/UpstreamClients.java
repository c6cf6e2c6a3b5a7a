package dev.portico.gateway.protocol;

import dev.portico.gateway.config.BackendProtocol;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A routing verticle's pooled clients towards backends: the HTTP/1.1 one it always had, and one
 * HTTP/2 client per multiplexing limit in use ({@code backends[].maxConcurrentStreams}), made on
 * first use. Vert.x fixes the protocol and the multiplexing limit per client, not per request.
 * HTTP/2 means h2 by ALPN over TLS and h2c with prior knowledge over cleartext: gRPC servers expect
 * the preface at once, not an {@code Upgrade: h2c} round trip.
 *
 * <p>Used on the verticle's event loop only: the map needs no lock.
 */
public final class UpstreamClients {

  private final Vertx vertx;
  private final HttpClientOptions options;
  private final PoolOptions pool;
  private final HttpClient http1;
  private final Map<Integer, HttpClient> http2 = new HashMap<>(4);
  private final LeasedConnections leases;

  /**
   * @param http1 the HTTP/1.1 client (made by the verticle from {@code options} and {@code pool})
   * @param options the HTTP/1.1 client's options: the HTTP/2 ones share keep-alive, TCP and TLS
   *     settings
   * @param leases cleartext HTTP/1.1 requests' connections, {@code null}: the pooled client's
   */
  public UpstreamClients(
      Vertx vertx,
      HttpClient http1,
      HttpClientOptions options,
      PoolOptions pool,
      LeasedConnections leases) {
    this.vertx = vertx;
    this.http1 = http1;
    this.options = new HttpClientOptions(options);
    this.pool = new PoolOptions(pool);
    this.leases = leases;
  }

  /**
   * The verticle's leased HTTP/1.1 connections ({@code null}: requests go through the pooled
   * client, as they do while Vert.x's own HTTP meters are on, so that its pool meters stay true).
   */
  public LeasedConnections leases() {
    return leases;
  }

  /**
   * The client for a request to a backend of {@code protocol}; an upgrade (WebSocket) always goes
   * over HTTP/1.1.
   */
  public HttpClient of(BackendProtocol protocol, boolean upgrade) {
    if (upgrade || !protocol.http2()) {
      return http1;
    }
    int limit = protocol.maxConcurrentStreams();
    HttpClient c = http2.get(limit);
    if (c == null) {
      HttpClientOptions h2 =
          new HttpClientOptions(options)
              .setProtocolVersion(HttpVersion.HTTP_2)
              .setUseAlpn(true)
              .setHttp2ClearTextUpgrade(false)
              .setHttp2MultiplexingLimit(limit)
              .setHttp2KeepAliveTimeout(options.getKeepAliveTimeout());
      // one connection per endpoint carries `limit` streams; more connections only past that
      PoolOptions p = new PoolOptions(pool).setHttp2MaxSize(Math.max(1, pool.getHttp1MaxSize()));
      c = vertx.createHttpClient(h2, p);
      http2.put(limit, c);
    }
    return c;
  }

  public HttpClient http1() {
    return http1;
  }

  /** Closes every client (the HTTP/1.1 one too). */
  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>(http2.size() + 2);
    if (leases != null) {
      all.add(leases.close());
    }
    all.add(http1.close());
    http2.values().forEach(c -> all.add(c.close()));
    return Future.join(all).mapEmpty();
  }
}
