package dev.portico.gateway.edge;

import dev.portico.gateway.config.ClientTimeouts;
import dev.portico.gateway.edge.internal.ResponseWatch;
import dev.portico.gateway.edge.internal.StrictRequestDecoder;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Makes a listener's HTTP/1.x connections as strict as an edge must be, and bounds how long they
 * wait for slow or idle clients ({@link StrictRequestDecoder}). Installed by the server's
 * connection handler, before the connection reads anything: Vert.x's request decoder is replaced by
 * the strict one (same name, same options). HTTP/2 connections (https with ALPN) keep their own
 * codec, which already refuses what HTTP/2 forbids.
 */
public final class EdgeGuard {

  private static final String DECODER = "httpDecoder";
  private static final String VERTX_HANDLER = "handler";

  private EdgeGuard() {}

  /**
   * The connection handler a server of these options installs the guard with. The server must not
   * offer h2c upgrades: with them Vert.x configures the HTTP/1.x pipeline only after it has decoded
   * the first request, too late to replace its decoder.
   */
  public static Handler<HttpConnection> installer(
      HttpServerOptions options, ClientTimeouts timeouts) {
    if (options.isHttp2ClearTextEnabled()) {
      throw new IllegalArgumentException(
          "the edge guard needs h2c upgrades off (HttpServerOptions.http2ClearTextEnabled)");
    }
    // the decoder reads its limits from the options: a copy, so later changes to them cannot leak
    // in
    HttpServerOptions copy = new HttpServerOptions(options);
    return conn -> install(conn, copy, timeouts);
  }

  static void install(HttpConnection conn, HttpServerOptions options, ClientTimeouts timeouts) {
    if (!(conn instanceof ConnectionBase c)) {
      return;
    }
    ChannelPipeline pipeline = c.channelHandlerContext().pipeline();
    if (pipeline.get(DECODER) == null || pipeline.get(VERTX_HANDLER) == null) {
      return;
    }
    StrictRequestDecoder decoder = new StrictRequestDecoder(options, timeouts);
    pipeline.replace(DECODER, DECODER, decoder);
    pipeline.addBefore(VERTX_HANDLER, "portico-response-watch", new ResponseWatch(decoder));
  }
}
