package dev.portico.gateway.edge.internal;

import dev.portico.gateway.config.ClientTimeouts;
import dev.portico.gateway.edge.HostHeader;
import dev.portico.gateway.edge.RequestRefused;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's HTTP/1.x request decoder made as strict as an edge must be, plus the client timeouts of
 * a connection. Netty is lenient where a proxy must not be, and loses what it forgave before Vert.x
 * sees the request: it joins folded header lines, drops a {@code Content-Length} that comes with
 * {@code Transfer-Encoding}, treats a body with {@code Transfer-Encoding: gzip} as absent (its
 * bytes then parse as the next request), and passes control characters in the request target. So
 * the raw bytes of each request head are scanned as they arrive, and the parsed head is checked
 * before its framing is decided (RFC 9112 2.2, 3, 5.2, 6.1, 6.3):
 *
 * <ul>
 *   <li>control characters (other than HT) anywhere in the head, bytes above 0x7E and tabs in the
 *       request line, a CR not followed by LF, obsolete line folding: 400;
 *   <li>{@code Transfer-Encoding} with {@code Content-Length}, or whose final coding is not {@code
 *       chunked} (or that applies it twice), or in HTTP/1.0: 400; codings other than {@code
 *       chunked}: 501;
 *   <li>no {@code Host} in HTTP/1.1, several, or one that is no {@code host[:port]}: 400.
 * </ul>
 *
 * A refused head becomes an invalid request (its decoder result carries a {@link RequestRefused}),
 * which Vert.x hands to the server's invalid-request handler; the decoder then discards the rest of
 * the connection's input. A malformed chunked body (bad size line, missing CRLF, size overflow, bad
 * trailer) fails the request with a {@link RequestRefused} 400.
 *
 * <p>{@code Connection} is normalized to one option per field line, so that {@code close} listed
 * with others ({@code close, X-Foo}) is honoured by Vert.x like a lone {@code close}.
 *
 * <p>Timeouts ({@link ClientTimeouts}), counted only while the gateway is reading (a connection
 * paused for back-pressure is not the client's fault): the request head must complete within {@code
 * requestHeaders} (408, or a silent close when nothing at all arrived); a request body may pause at
 * most {@code requestBodyIdle} (408 through the request); a keep-alive connection may idle at most
 * {@code keepAlive} between a response and the next request (silent close).
 *
 * <p>Confined to the connection's event loop, like every Netty handler.
 */
public final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  private static final byte SP = ' ';
  private static final byte HT = '\t';
  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private final long headNanos;
  private final long bodyIdleNanos;
  private final long keepAliveNanos;
  private final String headTimeoutText;
  private final String bodyTimeoutText;

  private ChannelHandlerContext ctx;

  // --- where the connection's input is ---------------------------------------------------------
  /** Reading (or waiting for) a request head; otherwise a body. */
  private boolean inHead = true;

  /** Some byte of the current head has arrived. */
  private boolean headStarted;

  /** After a refused request: everything else the client sends is dropped. */
  private boolean discarding;

  /** Requests handed to Vert.x whose response has not been completely written. */
  private int unanswered;

  // --- the raw scan of the current head -------------------------------------------------------
  /** Bytes already scanned but not yet consumed by the parser (they are presented again). */
  private int scannedAhead;

  private int lineNo;
  private int lineLength;
  private boolean atLineStart = true;
  private boolean afterCr;
  private String violation;

  // --- timers -----------------------------------------------------------------------------------
  /**
   * The connection's one Netty timer, or {@code null}; it fires at {@code armedAt} ({@link
   * System#nanoTime()}), which may be before the running clock is due (it is then armed again).
   */
  private ScheduledFuture<?> timer;

  private long armedAt;
  private final Runnable fire = this::fire;
  private Clock clock = Clock.NONE;

  /** When the running clock is due. */
  private long due;

  private long bodyLastRead;

  public StrictRequestDecoder(HttpServerOptions options, ClientTimeouts timeouts) {
    super(options);
    this.headNanos = timeouts.requestHeaders().toNanos();
    this.bodyIdleNanos = timeouts.requestBodyIdle().toNanos();
    this.keepAliveNanos = timeouts.keepAlive().toNanos();
    this.headTimeoutText = "the request head did not arrive within " + timeouts.requestHeaders();
    this.bodyTimeoutText = "the request body paused for longer than " + timeouts.requestBodyIdle();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    this.ctx = ctx;
    // a new connection has its first request head to send within the head timeout
    schedule(Clock.HEAD, headNanos);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    stopTimer();
    super.handlerRemoved0(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stopTimer();
    super.channelInactive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
      throws Exception {
    if (discarding) {
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    int scanEnd = -1;
    boolean headBegins = false;
    if (inHead) {
      if (!headStarted && buffer.isReadable()) {
        headStarted = true;
        // idle between requests until now (or busy with the previous response): this head has its
        // own time, from now; its clock starts below unless the whole head is already here
        headBegins = clock != Clock.HEAD;
      }
      scanEnd = scan(buffer);
    } else if (buffer.isReadable()) {
      bodyLastRead = System.nanoTime();
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    if (scanEnd >= 0) {
      scannedAhead = Math.max(0, scanEnd - buffer.readerIndex());
    }
    for (int i = before; i < out.size(); i++) {
      Object o = out.get(i);
      if (o instanceof HttpRequest request) {
        // a refused head is a full request: its content part is not looked at again
        headDecoded(request);
      } else if (o instanceof HttpContent content) {
        if (!content.decoderResult().isSuccess()) {
          Throwable cause = content.decoderResult().cause();
          content.setDecoderResult(
              DecoderResult.failure(
                  cause instanceof RequestRefused
                      ? cause
                      : new RequestRefused(
                          400, "malformed chunked request body: " + describe(cause), cause)));
          refused();
        } else if (o instanceof LastHttpContent) {
          bodyDone();
        }
      }
    }
    // the clocks start once this read is decoded: a head or a body that it completed needs none
    if (discarding) {
      return;
    }
    if (inHead) {
      if (headBegins && headStarted && clock != Clock.HEAD) {
        schedule(Clock.HEAD, headNanos);
      }
    } else if (clock != Clock.BODY) {
      schedule(Clock.BODY, bodyIdleNanos);
    }
  }

  /**
   * A head was parsed (or refused): the head timer stops, a body follows or the next head may
   * start.
   */
  private void headDecoded(HttpRequest request) {
    cancelTimer();
    if (!request.decoderResult().isSuccess()) {
      Throwable cause = request.decoderResult().cause();
      if (!(cause instanceof RequestRefused)) {
        // what the raw scan found says more than how the parser choked on it
        request.setDecoderResult(
            DecoderResult.failure(
                violation != null
                        && !(cause instanceof TooLongHttpLineException)
                        && !(cause instanceof TooLongHttpHeaderException)
                    ? new RequestRefused(400, violation, cause)
                    : refusal(cause)));
      }
      refused();
      return;
    }
    unanswered++;
    inHead = false;
    headStarted = false;
    resetScan();
    // the body's idle clock starts after this read, if the body did not end in it (decode)
    bodyLastRead = System.nanoTime();
  }

  private void bodyDone() {
    cancelTimer();
    inHead = true;
    headStarted = false;
    // the next head's clock starts with its first byte; while a response is being written the
    // connection is not idle
    idleIfAnswered();
  }

  /** Called by {@link ResponseWatch} when a final response has been written completely. */
  void responseCompleted() {
    if (unanswered > 0) {
      unanswered--;
    }
    idleIfAnswered();
  }

  private void idleIfAnswered() {
    if (unanswered == 0 && inHead && !headStarted && !discarding) {
      schedule(Clock.IDLE, keepAliveNanos);
    }
  }

  // --- the checks on the parsed head ------------------------------------------------------------

  /** Called once per head, after its fields are parsed and before its framing is decided. */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage msg) {
    if (violation != null) {
      throw new RequestRefused(400, violation);
    }
    HttpHeaders h = msg.headers();
    HttpVersion version = msg.protocolVersion();
    List<String> codings = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.isEmpty()) {
      checkTransferEncoding(codings, h.contains(HttpHeaderNames.CONTENT_LENGTH), version);
    }
    List<String> hosts = h.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      throw new RequestRefused(
          400, "the request has " + hosts.size() + " Host header fields; exactly one is allowed");
    }
    if (hosts.isEmpty() && version.minorVersion() >= 1) {
      throw new RequestRefused(400, "an HTTP/1.1 request needs a Host header field");
    }
    if (!hosts.isEmpty() && !HostHeader.valid(hosts.get(0))) {
      throw new RequestRefused(400, "the Host header field is not a valid host[:port]");
    }
    splitConnectionOptions(h);
    return super.isContentAlwaysEmpty(msg);
  }

  private static void checkTransferEncoding(
      List<String> fields, boolean hasContentLength, HttpVersion version) {
    if (hasContentLength) {
      throw new RequestRefused(
          400, "the request has both Transfer-Encoding and Content-Length (RFC 9112 6.3)");
    }
    if (version.minorVersion() == 0) {
      throw new RequestRefused(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
    }
    List<String> codings = new ArrayList<>(2);
    for (String field : fields) {
      for (String element : field.split(",", -1)) {
        int semi = element.indexOf(';');
        String coding =
            (semi < 0 ? element : element.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        if (!coding.isEmpty()) {
          codings.add(coding);
        }
      }
    }
    if (codings.isEmpty() || !codings.get(codings.size() - 1).equals("chunked")) {
      throw new RequestRefused(
          400,
          "the final transfer coding is not chunked: the body length cannot be determined"
              + " (RFC 9112 6.3)");
    }
    if (codings.indexOf("chunked") != codings.size() - 1) {
      throw new RequestRefused(400, "the chunked transfer coding is applied more than once");
    }
    if (codings.size() > 1) {
      throw new RequestRefused(
          501,
          "transfer codings other than chunked are not implemented: "
              + String.join(", ", codings.subList(0, codings.size() - 1)));
    }
  }

  /**
   * {@code Connection: close, X-Foo} becomes two field lines, so a listed {@code close} is seen.
   */
  private static void splitConnectionOptions(HttpHeaders h) {
    List<String> lines = h.getAll(HttpHeaderNames.CONNECTION);
    boolean listed = false;
    for (String line : lines) {
      listed |= line.indexOf(',') >= 0;
    }
    if (!listed) {
      return;
    }
    List<String> options = new ArrayList<>();
    for (String line : lines) {
      for (String option : line.split(",", -1)) {
        String o = option.trim();
        if (!o.isEmpty()) {
          options.add(o);
        }
      }
    }
    h.remove(HttpHeaderNames.CONNECTION);
    for (String o : options) {
      h.add(HttpHeaderNames.CONNECTION, o);
    }
  }

  // --- the raw scan -----------------------------------------------------------------------------

  /**
   * Scans the head bytes not scanned yet, up to the empty line that ends the head. The parser
   * consumes whole lines only, so the buffer's reader index is always at the start of a line the
   * parser has not taken yet; bytes scanned before are skipped.
   *
   * @return the index after the last byte scanned
   */
  private int scan(ByteBuf buffer) {
    int from = buffer.readerIndex() + scannedAhead;
    int to = buffer.writerIndex();
    int i = from;
    while (i < to) {
      byte b = buffer.getByte(i++);
      if (b == LF) {
        if (!afterCr) {
          violate("a header line ends with a bare LF (CRLF is required)");
        }
        afterCr = false;
        atLineStart = true;
        if (lineLength == 0) {
          if (lineNo > 0) {
            // the empty line: the head ends here, what follows is the body or the next request
            return i;
          }
          // empty lines before the request line are ignored (RFC 9112 2.2)
          continue;
        }
        lineNo++;
        lineLength = 0;
        continue;
      }
      if (afterCr) {
        violate("a CR is not followed by LF");
      }
      if (b == CR) {
        afterCr = true;
        continue;
      }
      if (atLineStart) {
        atLineStart = false;
        if ((b == SP || b == HT) && lineNo > 0) {
          violate("obsolete line folding (a header line starts with whitespace)");
        }
      }
      if (lineNo == 0) {
        if (b < SP || b == 0x7f || b < 0) {
          violate(
              b < 0
                  ? "a byte above 0x7E in the request line"
                  : "control character 0x"
                      + Integer.toHexString(b & 0xff)
                      + " in the request line");
        }
      } else if ((b < SP && b != HT) || b == 0x7f) {
        violate("control character 0x" + Integer.toHexString(b & 0xff) + " in a header field");
      }
      lineLength++;
    }
    return i;
  }

  private void violate(String what) {
    if (violation == null) {
      violation = what;
    }
  }

  private void resetScan() {
    scannedAhead = 0;
    lineNo = 0;
    lineLength = 0;
    atLineStart = true;
    afterCr = false;
    violation = null;
  }

  private void refused() {
    discarding = true;
    cancelTimer();
  }

  private static RequestRefused refusal(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new RequestRefused(414, "the request line is longer than the listener accepts", cause);
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new RequestRefused(
          431, "the request header fields are larger than the listener accepts", cause);
    }
    return new RequestRefused(400, "malformed request head: " + describe(cause), cause);
  }

  private static String describe(Throwable cause) {
    return cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
  }

  // --- timers -----------------------------------------------------------------------------------

  /** Which of the connection's clocks runs (one at a time). */
  private enum Clock {
    NONE,
    HEAD,
    BODY,
    IDLE
  }

  /**
   * Runs clock {@code which}, due in {@code nanos}. The connection's timer is only re-armed when it
   * would fire too late: a keep-alive connection's requests thus cost no timer of their own (the
   * idle clock of one request after another finds the timer armed earlier, and {@link #fire} arms
   * it again for the rest).
   */
  private void schedule(Clock which, long nanos) {
    long now = System.nanoTime();
    clock = which;
    due = now + nanos;
    if (timer != null) {
      if (armedAt - due <= 0) {
        return;
      }
      timer.cancel(false);
    }
    arm(now, nanos);
  }

  private void arm(long now, long nanos) {
    armedAt = now + nanos;
    timer = ctx.executor().schedule(fire, nanos, TimeUnit.NANOSECONDS);
  }

  /** The timer fired: the running clock's time is up, or it is armed again for the rest. */
  private void fire() {
    timer = null;
    Clock which = clock;
    if (which == Clock.NONE) {
      return;
    }
    long now = System.nanoTime();
    if (due - now > 0) {
      arm(now, due - now);
      return;
    }
    switch (which) {
      case HEAD -> headTimedOut();
      case BODY -> bodyTimedOut();
      case IDLE -> idleTimedOut();
      default -> {}
    }
  }

  /** No clock runs; an armed timer finds nothing to do when it fires. */
  private void cancelTimer() {
    clock = Clock.NONE;
  }

  /** The connection is gone: its timer too. */
  private void stopTimer() {
    clock = Clock.NONE;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private boolean reading() {
    return ctx.channel().config().isAutoRead();
  }

  private void headTimedOut() {
    clock = Clock.NONE;
    if (discarding || !inHead) {
      return;
    }
    if (!reading()) {
      // the gateway paused the connection (a response in progress): not the client's delay
      schedule(Clock.HEAD, headNanos);
      return;
    }
    if (!headStarted) {
      // nothing at all arrived: nobody to answer
      ctx.close();
      return;
    }
    discarding = true;
    HttpMessage request = createMessage(new String[] {"GET", "/", "HTTP/1.1"});
    request.setDecoderResult(DecoderResult.failure(new RequestRefused(408, headTimeoutText)));
    // as if it had been read: Vert.x flushes what it writes at the end of a read
    ctx.fireChannelRead(request);
    ctx.fireChannelReadComplete();
  }

  private void bodyTimedOut() {
    clock = Clock.NONE;
    if (discarding || inHead) {
      return;
    }
    long idle = System.nanoTime() - bodyLastRead;
    if (idle < bodyIdleNanos) {
      schedule(Clock.BODY, bodyIdleNanos - idle);
      return;
    }
    if (!reading()) {
      bodyLastRead = System.nanoTime();
      schedule(Clock.BODY, bodyIdleNanos);
      return;
    }
    discarding = true;
    LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
    failed.setDecoderResult(DecoderResult.failure(new RequestRefused(408, bodyTimeoutText)));
    ctx.fireChannelRead(failed);
    ctx.fireChannelReadComplete();
  }

  private void idleTimedOut() {
    clock = Clock.NONE;
    if (!discarding && inHead && !headStarted && unanswered == 0) {
      ctx.close();
    }
  }
}
