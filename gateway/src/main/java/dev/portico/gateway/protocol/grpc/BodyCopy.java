package dev.portico.gateway.protocol.grpc;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * The backend request of a gRPC call as a pipe's destination, keeping a copy of what went through
 * while it stays within {@code limit} bytes (the API's {@code retry.bufferBodyLimit}). A gRPC body
 * has no length to decide on up front, and a streaming call may never end before its answer; so it
 * streams at once, and a retry ({@code retry.grpcStatuses}) is possible only when the client's body
 * had ended, whole within the limit, by the time the answer came.
 */
public final class BodyCopy implements WriteStream<Buffer> {

  private final WriteStream<Buffer> out;
  private final long limit;
  private Buffer copy = Buffer.buffer();
  private boolean ended;

  public BodyCopy(WriteStream<Buffer> out, long limit) {
    this.out = out;
    this.limit = limit;
  }

  /** Whether the copy holds the whole body (it ended within the limit). */
  public boolean whole() {
    return ended && copy != null;
  }

  public Buffer copy() {
    return copy;
  }

  private void keep(Buffer data) {
    if (copy != null) {
      if (copy.length() + (long) data.length() > limit) {
        copy = null;
      } else {
        copy.appendBuffer(data);
      }
    }
  }

  @Override
  public Future<Void> write(Buffer data) {
    keep(data);
    return out.write(data);
  }

  @Override
  public Future<Void> end() {
    ended = true;
    return out.end();
  }

  @Override
  public Future<Void> end(Buffer data) {
    keep(data);
    ended = true;
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
