package dev.portico.gateway.protocol.websocket;

import io.vertx.core.buffer.Buffer;

/**
 * Follows the frame boundaries of one direction of a WebSocket connection (RFC 6455 5.2) without
 * touching the bytes: it reads each frame's header and skips its payload. It counts frames for the
 * metrics, and tells when the stream is between frames, the only place where the gateway may insert
 * a close frame of its own (drain, idle timeout).
 */
final class FrameScanner {

  private final byte[] head = new byte[14];
  private int headLength;
  private long payloadLeft;

  /** Reads {@code data}; returns how many frames it completed the header of. */
  int feed(Buffer data) {
    int n = data.length();
    int i = 0;
    int frames = 0;
    while (i < n) {
      if (payloadLeft > 0) {
        long take = Math.min(payloadLeft, n - i);
        payloadLeft -= take;
        i += (int) take;
        continue;
      }
      head[headLength++] = data.getByte(i++);
      if (headLength >= 2 && headLength == headerSize()) {
        payloadLeft = payloadLength();
        headLength = 0;
        frames++;
      }
    }
    return frames;
  }

  /** Whether the bytes so far end exactly at a frame boundary. */
  boolean betweenFrames() {
    return headLength == 0 && payloadLeft == 0;
  }

  private int headerSize() {
    int len7 = head[1] & 0x7f;
    int size = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
    return (head[1] & 0x80) != 0 ? size + 4 : size;
  }

  private long payloadLength() {
    int len7 = head[1] & 0x7f;
    if (len7 < 126) {
      return len7;
    }
    if (len7 == 126) {
      return ((head[2] & 0xffL) << 8) | (head[3] & 0xffL);
    }
    long len = 0;
    for (int k = 2; k < 10; k++) {
      len = (len << 8) | (head[k] & 0xffL);
    }
    // the most significant bit must be 0 (RFC 6455 5.2); a peer that breaks this breaks its own
    // stream
    return len & Long.MAX_VALUE;
  }

  /**
   * A close frame with {@code code} and {@code reason} (at most 123 bytes of UTF-8), masked when it
   * goes to the server (a client's frames must be, RFC 6455 5.3), unmasked to the client.
   */
  static Buffer closeFrame(int code, String reason, boolean masked) {
    byte[] text = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int len = Math.min(text.length, 123);
    byte[] payload = new byte[2 + len];
    payload[0] = (byte) (code >> 8);
    payload[1] = (byte) code;
    System.arraycopy(text, 0, payload, 2, len);
    Buffer frame = Buffer.buffer(payload.length + 6);
    frame.appendByte((byte) 0x88);
    if (!masked) {
      return frame.appendByte((byte) payload.length).appendBytes(payload);
    }
    byte[] mask = new byte[4];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(mask);
    frame.appendByte((byte) (0x80 | payload.length)).appendBytes(mask);
    for (int k = 0; k < payload.length; k++) {
      payload[k] ^= mask[k & 3];
    }
    return frame.appendBytes(payload);
  }
}
