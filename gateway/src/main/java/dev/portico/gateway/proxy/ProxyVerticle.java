package dev.portico.gateway.proxy;

import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.state.RoutingStateHolder;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;

/**
 * A routing verticle: one instance per event loop, all sharing the traffic port (Vert.x balances
 * accepted connections across them). Each has its own pooled {@link HttpClient}, so a request is
 * served start to end on one event loop.
 */
public final class ProxyVerticle extends VerticleBase {

  private final GatewayConfig config;
  private final RoutingStateHolder states;
  private final ExchangeObserver observer;
  private final int port;
  private HttpServer server;
  private HttpClient client;

  /** @param port the traffic port to bind; negative for a random port shared by all instances */
  public ProxyVerticle(GatewayConfig config, RoutingStateHolder states, ExchangeObserver observer, int port) {
    this.config = config;
    this.states = states;
    this.observer = observer;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    HttpClientOptions clientOptions = new HttpClientOptions()
      .setKeepAlive(true)
      .setKeepAliveTimeout((int) Math.max(1, config.upstream().keepAliveTimeout().toSeconds()))
      .setTcpNoDelay(true)
      .setForceSni(true)
      .setDecompressionSupported(false);
    PoolOptions pool = new PoolOptions()
      .setHttp1MaxSize(config.upstream().maxConnectionsPerEndpoint())
      .setMaxWaitQueueSize(-1);
    client = vertx.createHttpClient(clientOptions, pool);
    HttpServerOptions serverOptions = new HttpServerOptions()
      .setHost(config.listeners().traffic().host())
      .setPort(port)
      .setTcpNoDelay(true)
      .setCompressionSupported(false)
      .setDecompressionSupported(false)
      .setHandle100ContinueAutomatically(true)
      // h2c upgrade off: Vert.x answers a stray "Upgrade: h2c" with a 400 and leaves the connection
      // hanging; as a proxy we must instead ignore it (Upgrade is hop-by-hop and dropped)
      .setHttp2ClearTextEnabled(false);
    server = vertx.createHttpServer(serverOptions)
      .requestHandler(new ProxyHandler(vertx, client, states, config.gatewayId(), observer));
    return server.listen();
  }

  /** The port actually bound. */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(() -> client.close());
  }
}
