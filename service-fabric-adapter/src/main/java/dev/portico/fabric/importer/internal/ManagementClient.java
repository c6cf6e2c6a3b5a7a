package dev.portico.fabric.importer.internal;

import dev.portico.fabric.importer.ImporterConfig;
import dev.portico.fabric.importer.ManagementApiException;
import dev.portico.fabric.rest.FabricError;
import dev.portico.fabric.rest.PagedList;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * GET calls to a cluster's management endpoints: at most {@code parallelism} at once, each bounded
 * by the request timeout (connection included), failing over to the next endpoint when one is
 * unreachable, slow or answers 5xx without a FabricError, and following continuation tokens.
 */
public final class ManagementClient {

  /** Pages of a list beyond this mean a server handing out tokens in a loop. */
  static final int MAX_PAGES = 10_000;

  /** No management answer Portico asks for comes near this. */
  static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

  private final Vertx vertx;
  private final HttpClient client;
  private final List<String> endpoints;
  private final long timeoutMillis;
  private final int limit;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inFlight;
  private volatile int preferred;

  public ManagementClient(Vertx vertx, ImporterConfig config) {
    this.vertx = vertx;
    this.timeoutMillis = config.requestTimeout().toMillis();
    List<String> eps = new ArrayList<>();
    for (URI uri : config.managementEndpoints()) {
      eps.add(uri.toString());
    }
    this.endpoints = List.copyOf(eps);
    this.limit = config.parallelism();
    HttpClientOptions options =
        new HttpClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .setKeepAlive(true);
    ImporterConfig.Tls tls = config.tls();
    if (tls != null) {
      if (tls.clientCertificate() != null) {
        options.setKeyCertOptions(tls.clientCertificate());
      }
      if (tls.pinsServer()) {
        // the pin is the server's identity: a cluster reached by IP or by a name its
        // self-signed certificate does not carry is still recognised
        options.setTrustOptions(new PinnedTrustOptions(tls)).setVerifyHost(false);
      } else {
        if (tls.caPath() != null) {
          options.setTrustOptions(new PemTrustOptions().addCertPath(tls.caPath()));
        }
        options.setTrustAll(tls.trustAll()).setVerifyHost(tls.verifyHost());
      }
    }
    this.client =
        vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(config.parallelism()));
  }

  /** The endpoint that answered last (the one tried first next time). */
  public String activeEndpoint() {
    return endpoints.get(preferred);
  }

  public Future<Void> close() {
    return client.close();
  }

  /**
   * The body of a 2xx answer to {@code GET pathAndQuery}, trying each endpoint in turn as needed.
   */
  public Future<String> get(String pathAndQuery) {
    return attempt(pathAndQuery, preferred, 0);
  }

  /**
   * Every item of a paged list: {@code path?api-version=..[&extra]}, then again with each {@code
   * ContinuationToken} until it comes back empty.
   */
  public <T> Future<List<T>> getAll(
      String path, String query, Function<String, PagedList<T>> parser) {
    Promise<List<T>> done = Promise.promise();
    page(path, query, parser, "", new ArrayList<>(), 0, done);
    return done.future();
  }

  /**
   * Asks for one page and, from its callback, for the next: each page is a new request, so the
   * pages never nest futures (a chain of composed futures as long as the list would complete
   * through one stack frame per page).
   */
  private <T> void page(
      String path,
      String query,
      Function<String, PagedList<T>> parser,
      String token,
      List<T> items,
      int pages,
      Promise<List<T>> done) {
    String pq =
        path + "?" + query + (token.isEmpty() ? "" : "&ContinuationToken=" + Uris.query(token));
    get(pq)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                done.fail(ar.cause());
                return;
              }
              PagedList<T> page;
              try {
                page = parser.apply(ar.result());
              } catch (IllegalArgumentException e) {
                done.fail(
                    new ManagementApiException.MalformedResponse(
                        activeEndpoint(), pq, e.getMessage(), e));
                return;
              }
              items.addAll(page.items());
              String next = page.continuationToken();
              if (next.isEmpty()) {
                done.complete(List.copyOf(items));
              } else if (next.equals(token) || pages + 1 >= MAX_PAGES) {
                done.fail(
                    new ManagementApiException.MalformedResponse(
                        activeEndpoint(),
                        pq,
                        "the continuation token \"" + next + "\" does not advance the list",
                        null));
              } else {
                page(path, query, parser, next, items, pages + 1, done);
              }
            });
  }

  private Future<String> attempt(String pq, int start, int tried) {
    int index = (start + tried) % endpoints.size();
    return limited(() -> call(endpoints.get(index), pq))
        .transform(
            ar -> {
              if (ar.succeeded()) {
                preferred = index;
                return Future.succeededFuture(ar.result());
              }
              if (tried + 1 < endpoints.size() && triesNext(ar.cause())) {
                return attempt(pq, start, tried + 1);
              }
              return Future.failedFuture(ar.cause());
            });
  }

  /** Another endpoint may do better when this one is down, slow, or broken without saying why. */
  private static boolean triesNext(Throwable e) {
    if (e instanceof ManagementApiException.ErrorResponse) {
      ManagementApiException.ErrorResponse r = (ManagementApiException.ErrorResponse) e;
      return r.status() >= 500 && !r.isFabricError();
    }
    return e instanceof ManagementApiException.Unreachable
        || e instanceof ManagementApiException.TimedOut;
  }

  /**
   * Runs {@code task} once fewer than {@code parallelism} calls are in flight, so however the walk
   * fans out, the cluster never sees more than that many requests from this importer at once. The
   * request timeout starts when the call does, not while it waits.
   */
  private <T> Future<T> limited(Supplier<Future<T>> task) {
    Promise<T> promise = Promise.promise();
    Runnable run =
        () -> {
          Future<T> f;
          try {
            f = task.get();
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          f.onComplete(
              ar -> {
                release();
                promise.handle(ar);
              });
        };
    synchronized (waiting) {
      if (inFlight >= limit) {
        waiting.add(run);
        return promise.future();
      }
      inFlight++;
    }
    run.run();
    return promise.future();
  }

  private void release() {
    Runnable next;
    synchronized (waiting) {
      next = waiting.poll();
      if (next == null) {
        inFlight--;
      }
    }
    if (next != null) {
      next.run();
    }
  }

  private Future<String> call(String endpoint, String pq) {
    Promise<String> result = Promise.promise();
    HttpClientRequest[] request = new HttpClientRequest[1];
    long timer =
        vertx.setTimer(
            timeoutMillis,
            id -> {
              if (result.tryFail(
                  new ManagementApiException.TimedOut(endpoint, pq, timeoutMillis))) {
                HttpClientRequest r = request[0];
                if (r != null) {
                  r.reset(); // frees the connection rather than letting a late answer hold it
                }
              }
            });
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(endpoint + pq)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis)
            .putHeader(HttpHeaders.ACCEPT, "application/json");
    client
        .request(options)
        .compose(
            req -> {
              request[0] = req;
              return req.send();
            })
        .compose(
            response ->
                body(response).compose(body -> answer(endpoint, pq, response.statusCode(), body)))
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (ar.succeeded()) {
                result.tryComplete(ar.result());
              } else {
                result.tryFail(translate(endpoint, pq, ar.cause()));
              }
            });
    return result.future();
  }

  private Future<String> answer(String endpoint, String pq, int status, Buffer body) {
    String text = body.toString(StandardCharsets.UTF_8);
    if (status >= 200 && status < 300) {
      return Future.succeededFuture(text);
    }
    return Future.failedFuture(
        new ManagementApiException.ErrorResponse(endpoint, pq, status, FabricError.parse(text)));
  }

  private static Future<Buffer> body(HttpClientResponse response) {
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    response.exceptionHandler(promise::tryFail);
    response.handler(
        chunk -> {
          if (body.length() + chunk.length() > MAX_BODY_BYTES) {
            if (promise.tryFail(
                new IllegalStateException("answer larger than " + MAX_BODY_BYTES + " bytes"))) {
              response.request().reset();
            }
          } else {
            body.appendBuffer(chunk);
          }
        });
    response.endHandler(v -> promise.tryComplete(body));
    return promise.future();
  }

  private ManagementApiException translate(String endpoint, String pq, Throwable e) {
    if (e instanceof ManagementApiException) {
      return (ManagementApiException) e;
    }
    if (e instanceof TimeoutException) {
      return new ManagementApiException.TimedOut(endpoint, pq, timeoutMillis);
    }
    if (e instanceof IllegalStateException
        && String.valueOf(e.getMessage()).startsWith("answer larger")) {
      return new ManagementApiException.MalformedResponse(endpoint, pq, e.getMessage(), e);
    }
    return new ManagementApiException.Unreachable(endpoint, pq, e);
  }
}
