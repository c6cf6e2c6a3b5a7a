package dev.portico.gateway.edge.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The outbound half of {@link StrictRequestDecoder}: tells it when a final response has been
 * written (the keep-alive idle clock starts only then), and flushes before the connection closes,
 * so that an answer written just before Vert.x closes a broken connection (a malformed or stalled
 * request body) still reaches the client.
 */
public final class ResponseWatch extends ChannelOutboundHandlerAdapter {

  private final StrictRequestDecoder decoder;

  public ResponseWatch(StrictRequestDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    boolean completes =
        msg instanceof LastHttpContent
            && !(msg instanceof HttpResponse r
                && r.status().codeClass() == HttpStatusClass.INFORMATIONAL);
    ctx.write(msg, promise);
    if (completes) {
      decoder.responseCompleted();
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    ctx.flush();
    ctx.close(promise);
  }
}
