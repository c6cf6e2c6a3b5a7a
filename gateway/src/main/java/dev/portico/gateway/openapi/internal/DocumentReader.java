package dev.portico.gateway.openapi.internal;

import dev.portico.gateway.document.RootCause;
import dev.portico.gateway.document.YamlDocuments;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Reads an OpenAPI document (or a file one refers to) from a file or an http(s) URL, as YAML or
 * JSON. A URL is fetched with Vert.x's HTTP client, within {@link #FETCH_TIMEOUT} and {@link
 * #MAX_BYTES}; the calling thread waits for it, so it must be one that may block.
 */
public final class DocumentReader {

  /** The whole fetch (connect, headers, body) of one document. */
  public static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The largest document read: a large real-world API (GitHub's REST description) is about 10 MiB
   * of YAML.
   */
  public static final int MAX_BYTES = 32 * 1024 * 1024;

  private final Vertx vertx;

  public DocumentReader(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * A document as read.
   *
   * @param name how messages name it (as configured, or relative to the main document)
   * @param uri where it was read from ({@code file:} or {@code http(s):}), the base of its relative
   *     references
   */
  public record Document(String name, URI uri, JsonObject json, byte[] bytes) {}

  /** A document, or why it could not be read. */
  public record Read(Document document, String reason) {
    public boolean failed() {
      return document == null;
    }

    public <E extends Exception> Document orElseThrow(Function<String, E> error) throws E {
      if (document == null) {
        throw error.apply(reason);
      }
      return document;
    }
  }

  public Read read(URI uri, String name) {
    byte[] bytes;
    String scheme =
        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    try {
      bytes =
          switch (scheme) {
            case "file" -> readFile(Path.of(uri));
            case "http", "https" -> fetch(uri);
            default ->
                throw new IOException(
                    "unsupported scheme '" + scheme + "' (a file, or an http(s) URL)");
          };
    } catch (IOException | RuntimeException e) {
      return new Read(
          null,
          e instanceof NoSuchFileException
              ? "file not found (" + Path.of(uri) + ")"
              : RootCause.message(e));
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    JsonObject json;
    try {
      // JSON is YAML too, but a JSON parser gives JSON's error messages for a broken JSON document
      json =
          text.stripLeading().startsWith("{")
              ? new JsonObject(text)
              : YamlDocuments.parse(text, MAX_BYTES);
    } catch (DecodeException e) {
      return new Read(null, "not valid JSON: " + RootCause.message(e));
    } catch (RuntimeException e) {
      return new Read(null, "not valid YAML or JSON: " + RootCause.message(e));
    }
    return new Read(new Document(name, uri, json, bytes), null);
  }

  private static byte[] readFile(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new IOException("larger than " + MAX_BYTES + " bytes (" + size + ")");
    }
    return Files.readAllBytes(file);
  }

  private byte[] fetch(URI uri) throws IOException {
    int ms = (int) FETCH_TIMEOUT.toMillis();
    HttpClient client =
        vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(ms).setMaxRedirects(5));
    try {
      // the whole exchange runs on a Vert.x context: composed from this (blocking) thread, a
      // callback
      // on an already-complete future would run here while the event loop delivers the response,
      // and
      // the body handler could come too late (IllegalStateException, or a lost end)
      Promise<Buffer> fetched = Promise.promise();
      vertx
          .getOrCreateContext()
          .runOnContext(
              v ->
                  client
                      .request(
                          new RequestOptions()
                              .setMethod(HttpMethod.GET)
                              .setAbsoluteURI(uri.toString())
                              .setIdleTimeout(ms)
                              .setFollowRedirects(true)
                              .putHeader(
                                  HttpHeaders.ACCEPT,
                                  "application/yaml, application/json;q=0.9, */*;q=0.5"))
                      .compose(req -> req.send())
                      .compose(
                          res -> {
                            if (res.statusCode() != 200) {
                              res.request().reset();
                              return Future.failedFuture(
                                  "HTTP "
                                      + res.statusCode()
                                      + " "
                                      + res.statusMessage()
                                      + " from "
                                      + uri);
                            }
                            String length = res.getHeader(HttpHeaders.CONTENT_LENGTH);
                            if (length != null
                                && length.length() < 19
                                && Long.parseLong(length) > MAX_BYTES) {
                              res.request().reset();
                              return Future.failedFuture(
                                  "larger than "
                                      + MAX_BYTES
                                      + " bytes (Content-Length "
                                      + length
                                      + ")");
                            }
                            Promise<Buffer> whole = Promise.promise();
                            Buffer buf = Buffer.buffer();
                            res.handler(
                                chunk -> {
                                  if (buf.length() + chunk.length() > MAX_BYTES) {
                                    res.request().reset();
                                    whole.tryFail("larger than " + MAX_BYTES + " bytes");
                                  } else {
                                    buf.appendBuffer(chunk);
                                  }
                                });
                            res.exceptionHandler(whole::tryFail);
                            res.endHandler(end -> whole.tryComplete(buf));
                            return whole.future();
                          })
                      .onComplete(fetched));
      return fetched
          .future()
          .toCompletionStage()
          .toCompletableFuture()
          .get(ms, TimeUnit.MILLISECONDS)
          .getBytes();
    } catch (ExecutionException e) {
      throw new IOException(
          "cannot fetch " + uri + ": " + RootCause.message(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException(
          "cannot fetch "
              + uri
              + ": no complete answer within "
              + FETCH_TIMEOUT.toSeconds()
              + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } finally {
      client.close();
    }
  }
}
