package dev.portico.gateway.problem;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;

/**
 * The one writer of RFC 9457 {@code application/problem+json} answers, whoever produced the
 * document: the traffic listeners' failures ({@code pipeline.Problems}) and the admin API's
 * refusals. A leaf: it knows HTTP and JSON, nothing of the gateway.
 */
public final class ProblemWriter {

  public static final String CONTENT_TYPE = "application/problem+json";
  public static final String TYPE_BASE = "https://portico.dev/problems/";

  private ProblemWriter() {}

  /**
   * Writes {@code problem}: its {@code status} member is the response status. Headers already set
   * on the response are kept.
   */
  public static Future<Void> write(HttpServerResponse response, JsonObject problem) {
    Buffer payload = problem.toBuffer();
    return response
        .setStatusCode(problem.getInteger("status"))
        .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
        .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(payload.length()))
        .setChunked(false)
        .end(payload);
  }

  /**
   * Whether answering {@code req} with {@code close} asked closes its connection: only HTTP/1.x
   * connections are (an HTTP/2 stream ends on its own, and a Connection header is illegal there).
   */
  public static boolean closes(HttpServerRequest req, boolean close) {
    return close && req.version() != HttpVersion.HTTP_2;
  }

  /**
   * Writes {@code problem} as the answer to {@code req}; when {@code closing} (see {@link
   * #closes}), says {@code Connection: close} first and closes the connection once it is written,
   * so that an unread body cannot be taken for the next request.
   */
  public static Future<Void> answer(HttpServerRequest req, JsonObject problem, boolean closing) {
    HttpServerResponse response = req.response();
    if (closing && !response.headWritten()) {
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    Future<Void> sent = write(response, problem);
    return closing ? sent.andThen(ar -> req.connection().close()) : sent;
  }
}
