package dev.portico.gateway.observability;

import dev.portico.metrics.PorticoMetrics;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scraper's {@code
 * Accept} asks for it (Prometheus does). Rendering walks every series, so it runs on a worker
 * thread: the management listener shares an event loop with traffic.
 *
 * <p>The text is rendered into 64 KiB buffers. One buffer's worth is sent whole, with its length;
 * more is sent chunked as it is rendered, the worker waiting while the scraper has not read what
 * was sent (at 10,000 APIs the text is about 45 MB: kept whole until sent, it was promoted by the
 * young collections that ran meanwhile, and filled the old generation).
 */
final class MetricsEndpoint implements Handler<RoutingContext> {

  /** How long the rendering waits for a scraper that reads nothing before giving up. */
  static final long STALL_SECONDS = 60;

  private final Vertx vertx;
  private final PorticoMetrics metrics;

  MetricsEndpoint(Vertx vertx, PorticoMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    Sender sender =
        new Sender(ctx.response(), vertx.getOrCreateContext(), PorticoMetrics.contentType(accept));
    vertx
        .executeBlocking(
            () -> {
              Chunks body = new Chunks(sender::chunk);
              metrics.scrape(accept, body);
              body.close();
              return body.last();
            },
            false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                sender.end(ar.result());
              } else if (!sender.started) {
                ctx.fail(ar.cause());
              } else {
                // part of the text has gone: a status can no longer say it failed, a reset does
                // (HTTP/1.1: the connection closes; HTTP/2: the stream), and the scraper counts
                // the scrape as failed
                ctx.response().reset();
              }
            });
  }

  /**
   * Sends the buffers on the response's event loop. Fields are read and written there only; the
   * worker waits on the future each buffer gives it.
   */
  private static final class Sender {
    private final HttpServerResponse response;
    private final Context loop;
    private final String contentType;
    private boolean started;
    private IOException closed;
    private CompletableFuture<Void> waiting;

    /** On the event loop: a scraper gone while its text renders stops the rendering. */
    Sender(HttpServerResponse response, Context loop, String contentType) {
      this.response = response;
      this.loop = loop;
      this.contentType = contentType;
      response.closeHandler(
          v -> {
            closed = new IOException("closed");
            if (waiting != null) {
              waiting.completeExceptionally(closed);
              waiting = null;
            }
          });
    }

    /** From the worker: sends {@code chunk}, then waits until the response can take more. */
    void chunk(Buffer chunk) throws IOException {
      CompletableFuture<Void> ready = new CompletableFuture<>();
      loop.runOnContext(
          v -> {
            try {
              write(chunk, ready);
            } catch (RuntimeException e) {
              // (a response Vert.x no longer takes): the rendering stops, nothing waits
              ready.completeExceptionally(e);
            }
          });
      try {
        ready.get(STALL_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new IOException("the scrape could not be sent on", e.getCause());
      } catch (TimeoutException e) {
        throw new IOException("the scraper read nothing for " + STALL_SECONDS + " s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    private void write(Buffer chunk, CompletableFuture<Void> ready) {
      if (closed != null) {
        ready.completeExceptionally(closed);
        return;
      }
      if (!started) {
        started = true;
        headers().setChunked(true);
      }
      response.write(chunk);
      if (response.writeQueueFull()) {
        waiting = ready;
        response.drainHandler(
            v -> {
              if (waiting == ready) {
                waiting = null;
                ready.complete(null);
              }
            });
      } else {
        ready.complete(null);
      }
    }

    /** On the event loop, once the text is rendered: its last buffer, or the whole of it. */
    void end(Buffer last) {
      if (closed != null) {
        return;
      }
      if (started) {
        response.end(last);
        return;
      }
      headers().putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(last.length())).end(last);
    }

    /** The headers every scrape is sent with, whole or chunked. */
    private HttpServerResponse headers() {
      return response
          .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }
  }

  /** Where full buffers go as they are filled; it may block (to wait for the scraper). */
  interface Sink {
    void chunk(Buffer chunk) throws IOException;
  }

  /**
   * The rendered text in 64 KiB buffers: each full one goes to the sink when more text follows, the
   * last (possibly the only one) is kept for {@link #last}. No array doubled as it grows and no
   * string of the whole.
   */
  static final class Chunks extends OutputStream {
    static final int SIZE = 64 * 1024;
    private final Sink sink;
    private byte[] current = new byte[SIZE];
    private int used;
    private Buffer last;

    Chunks(Sink sink) {
      this.sink = sink;
    }

    @Override
    public void write(int b) throws IOException {
      if (used == SIZE) {
        flushChunk();
      }
      current[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (used == SIZE) {
          flushChunk();
        }
        int n = Math.min(len, SIZE - used);
        System.arraycopy(b, off, current, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    private void flushChunk() throws IOException {
      Buffer full = Buffer.buffer(current);
      current = new byte[SIZE];
      used = 0;
      sink.chunk(full);
    }

    /** Keeps the last, partly filled (or full) buffer for {@link #last}. */
    @Override
    public void close() {
      if (last == null) {
        last = Buffer.buffer(used == SIZE ? current : Arrays.copyOf(current, used));
        current = null;
      }
    }

    /** The text's last buffer (empty for no text), once closed. */
    Buffer last() {
      return last;
    }
  }
}
