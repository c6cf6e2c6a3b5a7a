package dev.portico.gateway.pipeline;

import dev.portico.gateway.config.ClientTimeouts;
import dev.portico.gateway.config.EscapedSlashes;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.config.ListenerHttps;
import dev.portico.gateway.edge.EdgeGuard;
import dev.portico.gateway.lifecycle.DrainState;
import dev.portico.gateway.lifecycle.DrainableListener;
import dev.portico.gateway.protocol.LeasedConnections;
import dev.portico.gateway.protocol.Protocols;
import dev.portico.gateway.protocol.UpstreamClients;
import dev.portico.gateway.protocol.websocket.WebSocketSessions;
import dev.portico.gateway.state.RoutingStateHolder;
import dev.portico.gateway.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A routing verticle: one instance per event loop, all sharing one port (Vert.x balances accepted
 * connections across them): the traffic listener's, or the Service-Fabric-reverse-proxy listener's.
 * Each has its own pooled {@link HttpClient}, so a request is served start to end on one event
 * loop.
 */
public final class ProxyVerticle extends VerticleBase implements DrainableListener {

  private static final Logger log = LoggerFactory.getLogger(ProxyVerticle.class);

  private final GatewayConfig config;
  private final String host;
  private final int port;
  private final ListenerHttps https;
  private final ClientTimeouts timeouts;
  private final EscapedSlashes escapedSlashes;
  private final String apiLabel;
  private final RoutingStateHolder states;
  private final ExchangeObserver observer;
  private final Function<ProxyContext, Handler<HttpServerRequest>> handlers;
  private HttpServer server;
  private HttpClient client;
  private DrainState drain = new DrainState();
  private Tracing tracing;

  /**
   * Requests whose response has not ended: written on this verticle's event loop, read by the
   * drain.
   */
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * Issue 14: the listener accepts cleartext HTTP/2 with prior knowledge ({@code
   * listeners.traffic.h2c}).
   */
  private boolean h2c;

  /** Issue 14: HTTP/2 clients and WebSocket sessions of this verticle. */
  private Protocols protocols;

  /**
   * A traffic-listener verticle. @param port the port to bind; negative for a random port shared by
   * all instances
   */
  public ProxyVerticle(
      GatewayConfig config, RoutingStateHolder states, ExchangeObserver observer, int port) {
    this(
        config,
        config.listeners().traffic().host(),
        port,
        config.listeners().traffic().https(),
        config.listeners().traffic().timeouts(),
        config.listeners().traffic().escapedSlashes(),
        states,
        observer,
        null,
        Pipeline::traffic);
    this.h2c = config.listeners().traffic().h2c();
  }

  /**
   * @param https the listener's TLS, or {@code null} for plain HTTP
   * @param timeouts how long the listener waits for slow or idle clients
   * @param escapedSlashes the listener's rule for encoded slashes in request paths
   * @param apiLabel the API (and backend) id that requests the edge refuses are reported under;
   *     {@code null}: no API
   * @param handlers makes the request handler of this instance from its context (its Vert.x, its
   *     client, ...)
   */
  public ProxyVerticle(
      GatewayConfig config,
      String host,
      int port,
      ListenerHttps https,
      ClientTimeouts timeouts,
      EscapedSlashes escapedSlashes,
      RoutingStateHolder states,
      ExchangeObserver observer,
      String apiLabel,
      Function<ProxyContext, Handler<HttpServerRequest>> handlers) {
    this.config = config;
    this.host = host;
    this.port = port;
    this.https = https;
    this.timeouts = timeouts;
    this.escapedSlashes = escapedSlashes;
    this.apiLabel = apiLabel;
    this.states = states;
    this.observer = observer;
    this.handlers = handlers;
  }

  /** Traces requests with the gateway's {@code tracing} ({@code null}: off, the default). */
  public ProxyVerticle tracedWith(Tracing tracing) {
    this.tracing = tracing;
    return this;
  }

  /**
   * Shares the gateway's drain: while it runs, every response closes its connection (HTTP/2:
   * GOAWAY).
   */
  public ProxyVerticle drainingWith(DrainState drain) {
    this.drain = drain;
    return this;
  }

  @Override
  public Future<?> start() {
    HttpClientOptions clientOptions =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(
                (int) Math.max(1, config.upstream().keepAliveTimeout().toSeconds()))
            .setTcpNoDelay(true)
            .setForceSni(true)
            .setDecompressionSupported(false);
    PoolOptions pool =
        new PoolOptions()
            .setHttp1MaxSize(config.upstream().maxConnectionsPerEndpoint())
            .setMaxWaitQueueSize(-1);
    HttpClientAgent agent = vertx.createHttpClient(clientOptions, pool);
    client = agent;
    // issue 13: cleartext HTTP/1.1 requests lease their connections (no per-request context nor
    // pool acquire); with Vert.x's own HTTP meters on, they keep to its pool, whose meters those
    // are
    LeasedConnections leases =
        config.metrics().vertxHttp()
            ? null
            : new LeasedConnections(
                vertx, agent, pool.getHttp1MaxSize(), clientOptions.getKeepAliveTimeout());
    // issue 14 hook: HTTP/2 backends' clients; a WebSocket session counts as in flight until it
    // closes
    protocols =
        new Protocols(
            new UpstreamClients(vertx, client, clientOptions, pool, leases),
            new WebSocketSessions(vertx, inFlight::decrementAndGet).on(context));
    HttpServerOptions serverOptions =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setTcpNoDelay(true)
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            .setHandle100ContinueAutomatically(true)
            // h2c upgrade off: Vert.x answers a stray "Upgrade: h2c" with a 400 and leaves the
            // connection
            // hanging; as a proxy we must instead ignore it (Upgrade is hop-by-hop and dropped)
            .setHttp2ClearTextEnabled(false);
    if (https != null) {
      https.applyTo(serverOptions);
    }
    if (h2c && https == null) {
      // issue 14: cleartext HTTP/2 with prior knowledge (opt-in). Vert.x then decodes HTTP/1.x
      // heads before a
      // connection handler could install the edge's strict decoder: such a listener has Vert.x's
      // decoder,
      // and its keep-alive timeout as the idle bound (docs/protocols.md)
      serverOptions
          .setHttp2ClearTextEnabled(true)
          .setIdleTimeout((int) Math.max(1, timeouts.keepAlive().toSeconds()));
    }
    Handler<HttpServerRequest> handler =
        handlers.apply(
            ProxyContext.of(vertx, client, states, config.gatewayId(), observer, escapedSlashes)
                .withTracing(tracing)
                .withProtocols(protocols));
    server =
        vertx
            .createHttpServer(serverOptions)
            // RFC 9112 as strict as an edge must be, and slow or idle clients cut off
            // (dev.portico.gateway.edge)
            .connectionHandler(
                serverOptions.isHttp2ClearTextEnabled()
                    ? null
                    : EdgeGuard.installer(serverOptions, timeouts))
            .invalidRequestHandler(Rejections.invalidRequests(observer, apiLabel))
            .requestHandler(
                req -> {
                  watch(req);
                  handler.handle(req);
                })
            // connection-level failures (a client's failed TLS handshake, a reset) are the client's
            // business; unhandled, Vert.x would log each one as an error without context
            .exceptionHandler(
                e -> log.debug("client connection failed on {}:{}: {}", host, port, e.toString()));
    return server.listen();
  }

  /** The port actually bound. */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<Void> stopAccepting(long timeoutMillis) {
    // issue 14 hook: WebSocket sessions still open when the grace period ends get a close frame
    // 1001
    protocols.sessions().goAwayAfter(drain.remainingMillis());
    return server.shutdown(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Counts the request until its response ends (or its connection closes first), and makes the
   * response that starts once the drain has begun the last of its connection: HTTP/1.x responses
   * say {@code Connection: close} and the connection closes after them, HTTP/2 connections get a
   * GOAWAY (their open streams finish). Both within what is left of the grace period (Vert.x
   * force-closes one second after it).
   */
  private void watch(HttpServerRequest req) {
    inFlight.incrementAndGet();
    HttpServerResponse res = req.response();
    // nothing else in the proxy sets these two handlers on the response
    res.endHandler(v -> inFlight.decrementAndGet());
    res.headersEndHandler(
        v -> {
          // a WebSocket handshake's 101 keeps its Connection: Upgrade; the drain ends the session
          // with 1001 instead
          if (drain.draining() && res.getStatusCode() != 101) {
            if (req.version() != HttpVersion.HTTP_2) {
              res.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            }
            // force-closed a little after the grace period, as the listeners are, so that the drain
            // counts and logs what the grace period cut off before the connection goes
            req.connection().shutdown(drain.remainingMillis() + 1_000, TimeUnit.MILLISECONDS);
          }
        });
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(() -> protocols.clients().close());
  }
}
