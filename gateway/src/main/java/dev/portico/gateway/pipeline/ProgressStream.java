package dev.portico.gateway.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * The client response as a pipe's destination, noting when data last went through, so the exchange
 * can tell a stalled backend body from a slow one with one timer of its own. (Vert.x's request idle
 * timeout is not cancelled when the response ends: set after the response head, its timer would
 * hold every finished exchange until the timeout passed.)
 */
final class ProgressStream implements WriteStream<Buffer> {

  private final WriteStream<Buffer> out;
  private long lastWriteNanos;
  private Runnable beforeEnd;

  ProgressStream(WriteStream<Buffer> out, long startNanos) {
    this.out = out;
    this.lastWriteNanos = startNanos;
  }

  long lastWriteNanos() {
    return lastWriteNanos;
  }

  @Override
  public Future<Void> write(Buffer data) {
    lastWriteNanos = System.nanoTime();
    return out.write(data);
  }

  /** Issue 14: runs {@code action} just before the response ends (trailers: gRPC's status). */
  void beforeEnd(Runnable action) {
    this.beforeEnd = action;
  }

  @Override
  public Future<Void> end() {
    if (beforeEnd != null) {
      beforeEnd.run();
    }
    return out.end();
  }

  @Override
  public Future<Void> end(Buffer data) {
    lastWriteNanos = System.nanoTime();
    return out.end(data);
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    out.exceptionHandler(handler);
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    out.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return out.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    out.drainHandler(handler);
    return this;
  }
}
