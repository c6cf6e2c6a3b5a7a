package dev.portico.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain loopback socket, byte for byte: what a test sends is exactly what the
 * gateway reads (no client library normalising it), and what it reads back is parsed just enough to
 * assert on (status, header fields, body by Content-Length or chunked), then whether the gateway
 * closed the connection.
 */
public final class RawHttp implements AutoCloseable {

  /** How long one read may wait: generous, a bound against hanging, never a measurement. */
  private static final int READ_TIMEOUT_MS = 20_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  public RawHttp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(READ_TIMEOUT_MS);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /**
   * A parsed response. @param headers field names in lower case; repeated fields joined with ", "
   */
  public record Response(int status, String statusLine, Map<String, String> headers, String body) {

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public boolean isProblem() {
      return "application/problem+json".equals(header("content-type"));
    }

    /** The {@code reason} member of a problem body (crudely: enough for assertions). */
    public String reason() {
      return member("reason");
    }

    public String member(String name) {
      String key = "\"" + name + "\"";
      int at = body.indexOf(key);
      if (at < 0) {
        return null;
      }
      int colon = body.indexOf(':', at + key.length());
      int start = body.indexOf('"', colon + 1);
      int end = body.indexOf('"', start + 1);
      while (end > 0 && body.charAt(end - 1) == '\\') {
        end = body.indexOf('"', end + 1);
      }
      return body.substring(start + 1, end);
    }
  }

  /**
   * Opens a connection, sends {@code request} (ISO-8859-1: one char, one byte) and reads one
   * response.
   */
  public static Response exchange(int port, String request) throws IOException {
    try (RawHttp http = new RawHttp(port)) {
      http.send(request);
      return http.read();
    }
  }

  public RawHttp send(String bytes) throws IOException {
    out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  public RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one response; fails if the connection closes before a whole one arrived. */
  public Response read() throws IOException {
    String head = readHead();
    String[] lines = head.split("\r\n");
    String statusLine = lines[0];
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      headers.merge(name, value, (a, b) -> a + ", " + b);
    }
    String body;
    if (headers.containsKey("content-length")) {
      body =
          new String(
              readExactly(Integer.parseInt(headers.get("content-length"))),
              StandardCharsets.ISO_8859_1);
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = readChunked();
    } else if (status == 204 || status == 304 || status < 200) {
      body = "";
    } else {
      body = new String(readToEnd(), StandardCharsets.ISO_8859_1);
    }
    return new Response(status, statusLine, headers, body);
  }

  /**
   * Whether the peer closed the connection (EOF or reset) with nothing more to read, waiting at
   * most the read timeout; {@code false} if more bytes arrived or it stayed open that long.
   */
  public boolean closedByPeer() throws IOException {
    if (pending.size() > 0) {
      return false;
    }
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  /** Whether the connection is still open after {@code millis} without anything arriving. */
  public boolean openAfter(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      int b = in.read();
      if (b >= 0) {
        pending.write(b);
      }
      return b >= 0;
    } catch (SocketTimeoutException stillOpen) {
      return true;
    } catch (SocketException reset) {
      return false;
    } finally {
      socket.setSoTimeout(READ_TIMEOUT_MS);
    }
  }

  private int next() throws IOException {
    if (pending.size() > 0) {
      byte[] p = pending.toByteArray();
      pending.reset();
      pending.write(p, 1, p.length - 1);
      return p[0] & 0xff;
    }
    int b = in.read();
    if (b < 0) {
      throw new IOException("connection closed before a whole response arrived");
    }
    return b;
  }

  private String readHead() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      sb.append((char) next());
    }
    return sb.substring(0, sb.length() - 4);
  }

  private byte[] readExactly(int n) throws IOException {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) next();
    }
    return b;
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n")) {
      sb.append((char) next());
    }
    return sb.substring(0, sb.length() - 2);
  }

  private String readChunked() throws IOException {
    StringBuilder body = new StringBuilder();
    while (true) {
      int size = Integer.parseInt(readLine().split(";")[0].trim(), 16);
      if (size == 0) {
        while (!readLine().isEmpty()) {
          // trailers
        }
        return body.toString();
      }
      body.append(new String(readExactly(size), StandardCharsets.ISO_8859_1));
      readLine();
    }
  }

  private byte[] readToEnd() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = next()) >= 0) {
        all.write(b);
      }
    } catch (IOException closed) {
      // the end of a body delimited by the connection's close
    }
    return all.toByteArray();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
