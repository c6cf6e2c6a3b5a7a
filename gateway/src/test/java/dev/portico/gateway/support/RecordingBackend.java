package dev.portico.gateway.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback backend that records every request it sees, as it saw it: the head on arrival, then
 * how its body ended (complete, or aborted by the gateway). It answers 200 with "ok" once the body
 * is complete.
 */
public final class RecordingBackend {

  /**
   * One request as the backend saw it. {@code body} completes with the body, or fails when the
   * request was aborted.
   */
  public record Seen(String method, String uri, MultiMap headers, Promise<String> body) {

    public boolean aborted() {
      return body.future().failed();
    }

    public boolean complete() {
      return body.future().succeeded();
    }
  }

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  private RecordingBackend(Vertx vertx) {
    server =
        Backends.http(
            vertx,
            req -> {
              Seen s =
                  new Seen(
                      req.method().name(),
                      req.uri(),
                      MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                      Promise.promise());
              seen.add(s);
              req.exceptionHandler(e -> s.body().tryFail(e));
              req.connection()
                  .closeHandler(v -> s.body().tryFail("connection closed before the body ended"));
              req.body()
                  .onComplete(
                      ar -> {
                        if (ar.failed()) {
                          s.body().tryFail(ar.cause());
                          return;
                        }
                        s.body().tryComplete(ar.result().toString());
                        req.response().putHeader("content-type", "text/plain").end("ok");
                      });
            });
  }

  public static RecordingBackend start(Vertx vertx) {
    return new RecordingBackend(vertx);
  }

  public int port() {
    return server.actualPort();
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  public Seen last() {
    return seen.get(seen.size() - 1);
  }

  /** The URIs seen so far, in order. */
  public List<String> uris() {
    return seen.stream().map(Seen::uri).toList();
  }
}
