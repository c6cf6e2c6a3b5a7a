package dev.portico.gateway.observability;

import dev.portico.gateway.pipeline.ExchangeObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The structured access log: one JSON line per completed exchange. The event loop only appends the
 * (already built, immutable) completion to a lock-free bounded queue; a dedicated daemon thread
 * formats and writes the lines in batches. When the writer falls behind and the queue is full,
 * lines are dropped and counted, never waited for: a slow disk must not slow traffic.
 *
 * <p>Nothing secret is in a line: the path carries no query string, and no header value is ever
 * read (credentials are added to the upstream request only, never to the completion).
 */
public final class AccessLog implements ExchangeObserver {

  /** Lines held while the writer catches up: at ~300 bytes a line, about 2.5 MB at most. */
  static final int CAPACITY = 8192;

  /**
   * The writer drains at least this often, so a line reaches the output within about this delay.
   */
  private static final long DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private static final int MAX_PATH = 2048;
  private static final Logger log = LoggerFactory.getLogger(AccessLog.class);

  private final String output;
  private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private final Thread writer;
  private volatile boolean closing;

  /** Written by the writer thread only: the output failed, and that has been logged. */
  private boolean failed;

  private final int capacity;

  /**
   * @param output {@code stdout}, or the path of a file to append to (created if missing)
   */
  public AccessLog(String output) {
    this(output, CAPACITY);
  }

  AccessLog(String output, int capacity) {
    this.output = output;
    this.capacity = capacity;
    this.writer = new Thread(this::run, "portico-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void completed(Completion c) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      dropped.increment();
      return;
    }
    queue.offer(new Entry(System.currentTimeMillis(), c));
  }

  /** Lines dropped so far because the queue was full or the output failed. */
  public long dropped() {
    return dropped.sum();
  }

  /**
   * Writes what is queued, closes the output and ends the writer thread. Blocks up to {@code
   * timeoutMs}: not on an event loop.
   */
  public void close(long timeoutMs) throws InterruptedException {
    closing = true;
    LockSupport.unpark(writer);
    writer.join(timeoutMs);
  }

  private void run() {
    OutputStream out;
    try {
      // System.out, not the raw descriptor: its lock keeps our lines and the console logger's whole
      out =
          output.equals("stdout")
              ? System.out
              : Files.newOutputStream(
                  Path.of(output),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND,
                  StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      log.error("access log: cannot open '{}' ({}); lines are dropped", output, e.toString());
      out = new Unopened();
      failed = true;
    }
    StringBuilder batch = new StringBuilder(64 * 1024);
    try {
      while (true) {
        boolean last = closing;
        Entry e;
        int n = 0;
        while ((e = queue.poll()) != null) {
          size.decrementAndGet();
          format(e, batch);
          n++;
          if (batch.length() >= 60 * 1024) {
            n = write(out, batch, n);
          }
        }
        if (n > 0) {
          write(out, batch, n);
        }
        if (last) {
          break;
        }
        // polling instead of waking the writer per line keeps the request path free of system calls
        LockSupport.parkNanos(this, DRAIN_NANOS);
      }
    } finally {
      try {
        out.flush();
        if (out != System.out) {
          out.close();
        }
      } catch (IOException ignored) {
        // closing at shutdown: nothing left to tell
      }
    }
  }

  /** Writes and empties {@code batch}; returns 0 (lines pending). */
  private int write(OutputStream out, StringBuilder batch, int lines) {
    try {
      out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      failed = false;
    } catch (IOException e) {
      dropped.add(lines);
      if (!failed) {
        failed = true;
        log.error(
            "access log: writing to '{}' failed ({}); lines are dropped until it works again",
            output,
            e.toString());
      }
    }
    batch.setLength(0);
    return 0;
  }

  /** One JSON object on one line; fields in a fixed order so lines diff and grep well. */
  static void format(Entry e, StringBuilder b) {
    Completion c = e.completion();
    b.append("{\"time\":\"").append(Instant.ofEpochMilli(e.epochMillis())).append('"');
    str(b, "requestId", c.requestId());
    str(b, "api", c.apiId());
    str(b, "operation", c.operationId());
    str(b, "backend", c.backendId());
    str(b, "endpoint", c.endpoint());
    str(b, "instance", c.instanceId());
    str(b, "method", c.method() == null ? null : c.method().name());
    String path = c.path();
    str(
        b,
        "path",
        path != null && path.length() > MAX_PATH ? path.substring(0, MAX_PATH) + "..." : path);
    b.append(",\"status\":").append(c.status());
    long micros = c.nanos() / 1_000;
    b.append(",\"durationMs\":").append(micros / 1_000).append('.');
    long frac = micros % 1_000;
    if (frac < 100) {
      b.append('0');
    }
    if (frac < 10) {
      b.append('0');
    }
    b.append(frac);
    b.append(",\"bytesIn\":").append(c.bytesIn());
    b.append(",\"bytesOut\":").append(c.bytesOut());
    b.append(",\"attempts\":").append(c.attempts());
    str(b, "reason", c.reason());
    if (c.traceId() != null) {
      // only with tracing on: lines of a gateway without it keep their shape
      str(b, "traceId", c.traceId());
    }
    b.append("}\n");
  }

  private static void str(StringBuilder b, String name, String value) {
    b.append(",\"").append(name).append("\":");
    if (value == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
            b.append(String.format("\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    b.append('"');
  }

  record Entry(long epochMillis, Completion completion) {}

  /**
   * Stands for an output that could not be opened: every write fails, so every line counts as
   * dropped.
   */
  private static final class Unopened extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      throw new IOException("access log output is not open");
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      throw new IOException("access log output is not open");
    }
  }
}
