package dev.portico.gateway.edge;

/**
 * Why the edge refused a client's request before (or while) it could be forwarded: a framing or
 * syntax violation (400), a transfer coding it does not implement (501), a head too large (414,
 * 431) or a client too slow (408). It travels as the decoder result of the request (or of its body)
 * into the listener, which answers with a problem document and closes the connection.
 */
public final class RequestRefused extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  public RequestRefused(int status, String detail) {
    this(status, detail, null);
  }

  public RequestRefused(int status, String detail, Throwable cause) {
    // no stack trace: this is the client's error, reported in a response, never logged with a trace
    super(detail, cause, false, false);
    this.status = status;
  }

  /** The HTTP status of the answer: 400, 408, 414, 431 or 501. */
  public int status() {
    return status;
  }
}
