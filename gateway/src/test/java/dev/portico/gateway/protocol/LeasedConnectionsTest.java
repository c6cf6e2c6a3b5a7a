package dev.portico.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leased upstream connections against a real backend on loopback: reuse, a backend closing a
 * kept-alive connection, the bound per endpoint and its waiters, keep-alive expiry, resets, close.
 * Nothing timed is asserted: each test waits for what the backend or the client observes.
 */
class LeasedConnectionsTest {

  private Vertx vertx;
  private Context loop;
  private HttpClientAgent client;
  private HttpServer backend;
  private String key;
  private int port;

  /** The backend's connections, in the order they were accepted. */
  private final List<HttpConnection> accepted = new CopyOnWriteArrayList<>();

  private final AtomicInteger closedAtBackend = new AtomicInteger();

  /** Responses the backend holds until the test completes them. */
  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
    backend =
        vertx
            .createHttpServer()
            .connectionHandler(
                c -> {
                  accepted.add(c);
                  c.closeHandler(v -> closedAtBackend.incrementAndGet());
                })
            .requestHandler(
                req -> {
                  switch (req.path()) {
                    case "/hold" -> held.add(req);
                    case "/short-keep-alive" ->
                        req.response().putHeader("keep-alive", "timeout=0").end("short");
                    case "/early" -> req.response().end("early"); // before the body has come
                    case "/close" -> req.response().putHeader("connection", "close").end("last");
                    default -> req.end().onSuccess(v -> req.response().end("ok " + req.path()));
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
    port = backend.actualPort();
    key = "127.0.0.1:" + port;
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private LeasedConnections leases(int max, int keepAliveSeconds) {
    return new LeasedConnections(vertx, client, max, keepAliveSeconds);
  }

  /** Runs {@code f} on the test's event loop (the leases' loop) and waits for its result. */
  private <T> T onLoop(Supplier<Future<T>> f) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.runOnContext(
        v ->
            f.get()
                .onComplete(
                    ar -> {
                      if (ar.succeeded()) {
                        result.complete(ar.result());
                      } else {
                        result.completeExceptionally(ar.cause());
                      }
                    }));
    try {
      return result.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private <T> T read(Supplier<T> f) {
    return onLoop(() -> Future.succeededFuture(f.get()));
  }

  private Future<HttpClientRequest> request(LeasedConnections leases, String path) {
    return leases.request(key, "127.0.0.1", port, 5_000, new RequestOptions().setURI(path));
  }

  /** A GET through {@code leases}: its body. */
  private String get(LeasedConnections leases, String path) {
    return onLoop(
        () ->
            request(leases, path)
                .compose(HttpClientRequest::send)
                .compose(HttpClientResponse::body)
                .map(Object::toString));
  }

  @Test
  void sequentialRequestsShareOneConnectionThatStaysIdleBetweenThem() {
    LeasedConnections leases = leases(4, 60);
    for (int i = 0; i < 5; i++) {
      assertThat(get(leases, "/r" + i)).isEqualTo("ok /r" + i);
    }
    assertThat(accepted).hasSize(1);
    assertThat(read(() -> leases.open(key))).isEqualTo(1);
    assertThat(read(() -> leases.idle(key))).isEqualTo(1);
  }

  @Test
  void aKeptAliveConnectionTheBackendClosesIsDroppedAndTheNextRequestGetsANewOne() {
    LeasedConnections leases = leases(4, 60);
    assertThat(get(leases, "/a")).isEqualTo("ok /a");
    accepted.get(0).close();
    await().atMost(10, TimeUnit.SECONDS).until(() -> read(() -> leases.open(key)) == 0);
    assertThat(read(() -> leases.idle(key))).isZero();
    // an endpoint left without connections is forgotten (registry endpoints come and go)
    assertThat(read(leases::endpoints)).isZero();
    assertThat(get(leases, "/b")).isEqualTo("ok /b");
    assertThat(accepted).hasSize(2);
    assertThat(read(() -> leases.open(key))).isEqualTo(1);
  }

  @Test
  void aResponseSayingConnectionCloseEndsItsConnectionsService() {
    LeasedConnections leases = leases(4, 60);
    assertThat(get(leases, "/close")).isEqualTo("last");
    // never handed out again, even before its close is seen
    assertThat(get(leases, "/next")).isEqualTo("ok /next");
    assertThat(accepted).hasSize(2);
    await().atMost(10, TimeUnit.SECONDS).until(() -> closedAtBackend.get() == 1);
  }

  @Test
  void atTheBoundARequestWaitsForAConnectionToComeBack() {
    LeasedConnections leases = leases(1, 60);
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          request(leases, "/hold")
              .compose(HttpClientRequest::send)
              .compose(HttpClientResponse::body)
              .onSuccess(b -> first.complete(b.toString()));
          request(leases, "/second")
              .compose(HttpClientRequest::send)
              .compose(HttpClientResponse::body)
              .onSuccess(b -> second.complete(b.toString()));
        });
    await().atMost(10, TimeUnit.SECONDS).until(() -> held.size() == 1);
    // the second request is still waiting: the only connection carries the held one
    assertThat(second).isNotDone();
    assertThat(read(() -> leases.open(key))).isEqualTo(1);
    held.get(0).response().end("released");
    assertThat(first.join()).isEqualTo("released");
    assertThat(second.join()).isEqualTo("ok /second");
    assertThat(accepted).hasSize(1);
  }

  @Test
  void waitersAreServedInTheirOrderOnTheOneConnectionAsItComesBack() {
    LeasedConnections leases = leases(1, 60);
    List<String> answered = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> all = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          request(leases, "/hold").compose(HttpClientRequest::send);
          for (int i = 0; i < 4; i++) {
            request(leases, "/w" + i)
                .compose(HttpClientRequest::send)
                .compose(HttpClientResponse::body)
                .onSuccess(
                    b -> {
                      answered.add(b.toString());
                      if (answered.size() == 4) {
                        all.complete(null);
                      }
                    });
          }
        });
    await().atMost(10, TimeUnit.SECONDS).until(() -> held.size() == 1);
    held.get(0).response().end("released");
    all.join();
    // each handed over when the previous request's stream had closed: one connection throughout
    assertThat(answered).containsExactly("ok /w0", "ok /w1", "ok /w2", "ok /w3");
    assertThat(accepted).hasSize(1);
    await().atMost(10, TimeUnit.SECONDS).until(() -> read(() -> leases.idle(key)) == 1);
    assertThat(read(() -> leases.open(key))).isEqualTo(1);
  }

  @Test
  void aWaiterGivesUpAfterItsConnectTimeoutAsThePoolsWaitersDo() {
    LeasedConnections leases = leases(1, 60);
    loop.runOnContext(v -> request(leases, "/hold").compose(HttpClientRequest::send));
    await().atMost(10, TimeUnit.SECONDS).until(() -> held.size() == 1);
    Throwable failure =
        onLoop(
            () ->
                leases
                    .request(key, "127.0.0.1", port, 50, new RequestOptions().setURI("/late"))
                    .transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(failure).isInstanceOf(TimeoutException.class).hasMessageContaining(key);
    held.get(0).response().end();
    await().atMost(10, TimeUnit.SECONDS).until(() -> read(() -> leases.idle(key)) == 1);
    assertThat(get(leases, "/after")).isEqualTo("ok /after");
    assertThat(accepted).hasSize(1);
  }

  @Test
  void aBackendsShorterKeepAliveTimeoutRetiresTheConnectionBeforeItsNextUse() {
    LeasedConnections leases = leases(4, 60);
    assertThat(get(leases, "/short-keep-alive")).isEqualTo("short");
    assertThat(get(leases, "/next")).isEqualTo("ok /next");
    assertThat(accepted).hasSize(2);
    await().atMost(10, TimeUnit.SECONDS).until(() -> closedAtBackend.get() == 1);
    assertThat(read(() -> leases.open(key))).isEqualTo(1);
  }

  @Test
  void anIdleConnectionIsClosedAfterTheKeepAliveTimeoutWithoutTraffic() {
    LeasedConnections leases = leases(4, 1);
    assertThat(get(leases, "/a")).isEqualTo("ok /a");
    await().atMost(20, TimeUnit.SECONDS).until(() -> closedAtBackend.get() == 1);
    await().atMost(10, TimeUnit.SECONDS).until(() -> read(() -> leases.open(key)) == 0);
  }

  @Test
  void aRequestResetBeforeItWasSentLeavesItsConnectionReusable() {
    LeasedConnections leases = leases(4, 60);
    onLoop(
        () -> request(leases, "/never").compose(r -> r.exceptionHandler(e -> {}).reset().map(r)));
    await().atMost(10, TimeUnit.SECONDS).until(() -> read(() -> leases.idle(key)) == 1);
    assertThat(get(leases, "/b")).isEqualTo("ok /b");
    assertThat(accepted).hasSize(1);
  }

  @Test
  void aRequestResetAfterItWasSentClosesItsConnection() {
    LeasedConnections leases = leases(4, 60);
    CompletableFuture<HttpClientRequest> sent = new CompletableFuture<>();
    loop.runOnContext(
        v ->
            request(leases, "/hold")
                .onSuccess(
                    r -> {
                      r.exceptionHandler(e -> {});
                      r.send().onFailure(e -> {});
                      sent.complete(r);
                    }));
    await().atMost(10, TimeUnit.SECONDS).until(() -> held.size() == 1);
    // the gateway gives up on it (a timeout, the client gone): the connection cannot carry another
    // request
    HttpClientRequest r = sent.join();
    onLoop(() -> r.reset());
    await().atMost(10, TimeUnit.SECONDS).until(() -> closedAtBackend.get() == 1);
    await().atMost(10, TimeUnit.SECONDS).until(() -> read(() -> leases.open(key)) == 0);
    assertThat(get(leases, "/next")).isEqualTo("ok /next");
    assertThat(accepted).hasSize(2);
  }

  @Test
  void aResponseEndingBeforeItsRequestClosesTheConnection() {
    LeasedConnections leases = leases(4, 60);
    CompletableFuture<String> body = new CompletableFuture<>();
    loop.runOnContext(
        v ->
            leases
                .request(
                    key,
                    "127.0.0.1",
                    port,
                    5_000,
                    new RequestOptions().setMethod(HttpMethod.POST).setURI("/early"))
                .onSuccess(
                    r -> {
                      r.exceptionHandler(e -> {});
                      r.setChunked(true).write("part of a body that never ends");
                      r.response()
                          .compose(HttpClientResponse::body)
                          .onSuccess(b -> body.complete(b.toString()));
                    }));
    assertThat(body.join()).isEqualTo("early");
    await().atMost(10, TimeUnit.SECONDS).until(() -> read(() -> leases.open(key)) == 0);
    assertThat(get(leases, "/next")).isEqualTo("ok /next");
    assertThat(accepted).hasSize(2);
  }

  @Test
  void aRefusedConnectionFailsTheRequestAndFreesItsSlot() {
    LeasedConnections leases = leases(1, 60);
    int closedPort = port;
    backend.close().await();
    Throwable failure =
        onLoop(
            () ->
                leases
                    .request(key, "127.0.0.1", closedPort, 5_000, new RequestOptions().setURI("/"))
                    .transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(failure).isNotNull();
    assertThat(read(() -> leases.open(key))).isZero();
    assertThat(read(leases::endpoints)).isZero();
  }

  @Test
  void closingClosesTheIdleConnectionsAndRefusesNewRequests() {
    LeasedConnections leases = leases(4, 60);
    assertThat(get(leases, "/a")).isEqualTo("ok /a");
    onLoop(leases::close);
    await().atMost(10, TimeUnit.SECONDS).until(() -> closedAtBackend.get() == 1);
    Throwable failure =
        onLoop(() -> request(leases, "/b").transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(failure).hasMessageContaining("closed");
  }

  @Test
  void keepAliveTimeoutParameterIsRead() {
    assertThat(LeasedConnections.keepAliveTimeout("timeout=5, max=100")).isEqualTo(5);
    assertThat(LeasedConnections.keepAliveTimeout("max=100")).isEqualTo(-1);
    assertThat(LeasedConnections.keepAliveTimeout("timeout=")).isEqualTo(-1);
    assertThat(LeasedConnections.keepAliveTimeout("timeout=0")).isZero();
  }
}
