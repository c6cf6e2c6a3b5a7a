package dev.portico.gateway.observability;

import dev.portico.metrics.PorticoMetrics;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scraper's {@code
 * Accept} asks for it (Prometheus does). Rendering walks every series, so it runs on a worker
 * thread: the management listener shares an event loop with traffic. The text is rendered into 64
 * KiB buffers and sent as they are, with its length.
 */
final class MetricsEndpoint implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final PorticoMetrics metrics;

  MetricsEndpoint(Vertx vertx, PorticoMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    vertx
        .executeBlocking(
            () -> {
              Chunks body = new Chunks();
              String type = metrics.scrape(accept, body);
              body.close();
              return new Rendered(type, body);
            },
            false)
        .onSuccess(
            r -> {
              HttpServerResponse response =
                  ctx.response()
                      .putHeader(HttpHeaders.CONTENT_TYPE, r.contentType())
                      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                      .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(r.body().size));
              for (Buffer chunk : r.body().chunks) {
                response.write(chunk);
              }
              response.end();
            })
        .onFailure(ctx::fail);
  }

  private record Rendered(String contentType, Chunks body) {}

  /**
   * The rendered text in 64 KiB buffers: no array doubled as it grows and no string of the whole
   * (at 10,000 APIs the text is tens of MB).
   */
  static final class Chunks extends OutputStream {
    static final int SIZE = 64 * 1024;
    final List<Buffer> chunks = new ArrayList<>();
    long size;
    private byte[] current = new byte[SIZE];
    private int used;

    @Override
    public void write(int b) {
      if (used == SIZE) {
        flushChunk();
      }
      current[used++] = (byte) b;
      size++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        if (used == SIZE) {
          flushChunk();
        }
        int n = Math.min(len, SIZE - used);
        System.arraycopy(b, off, current, used, n);
        used += n;
        off += n;
        len -= n;
        size += n;
      }
    }

    private void flushChunk() {
      chunks.add(Buffer.buffer(current));
      current = new byte[SIZE];
      used = 0;
    }

    /** Keeps the last, partly filled chunk. */
    @Override
    public void close() {
      if (used > 0) {
        chunks.add(Buffer.buffer(Arrays.copyOf(current, used)));
        used = 0;
      }
    }
  }
}
