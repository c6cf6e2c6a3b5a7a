package dev.portico.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.OnContext;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gRPC through the gateway, with a real Vert.x gRPC server behind it (h2c, {@code protocol: http2})
 * and a real Vert.x gRPC client in front (h2c with prior knowledge on a plain listener, {@code h2c:
 * true}): unary, server streaming, bidirectional streaming, the call's deadline, the gateway's own
 * failures as gRPC statuses, breakers and retries that read {@code grpc-status}. Messages are raw
 * bytes (no protobuf needed: the gateway never looks inside them).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcTest {

  record Result(GrpcStatus status, String message, List<String> replies) {}

  Vertx vertx;
  GrpcClient client;
  final AtomicInteger flaky = new AtomicInteger();
  final AtomicInteger calls = new AtomicInteger();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.client =
        GrpcClient.client(
            vertx,
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  /**
   * The service test.Echo: Unary, Stream (5 replies), Bidi (a reply per message), Slow (never
   * answers), Fail*, Flaky.
   */
  HttpServer grpcBackend() {
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(
        call -> {
          calls.incrementAndGet();
          switch (call.methodName()) {
            case "Unary" ->
                call.last()
                    .onSuccess(m -> call.response().end(Buffer.buffer("echo:").appendBuffer(m)));
            case "Stream" ->
                call.last()
                    .onSuccess(
                        m -> {
                          for (int i = 0; i < 5; i++) {
                            call.response().write(Buffer.buffer(m.toString() + "-" + i));
                          }
                          call.response().end();
                        });
            case "Bidi" -> {
              call.handler(m -> call.response().write(Buffer.buffer("re:").appendBuffer(m)));
              call.endHandler(v -> call.response().end());
            }
            case "Collect" -> {
              List<String> got = new ArrayList<>();
              call.handler(m -> got.add(m.toString()));
              call.endHandler(v -> call.response().end(Buffer.buffer(String.join("+", got))));
            }
            case "Slow" -> call.handler(m -> {});
            case "Drip" ->
                call.last().onSuccess(m -> call.response().write(Buffer.buffer("drip-0")));
            case "Fail" ->
                call.response().status(GrpcStatus.UNAVAILABLE).statusMessage("backend down").end();
            case "FailLate" ->
                call.last()
                    .onSuccess(
                        m -> {
                          call.response().write(Buffer.buffer("partial"));
                          call.response().status(GrpcStatus.UNAVAILABLE).end();
                        });
            case "Flaky" ->
                call.last()
                    .onSuccess(
                        m -> {
                          if (flaky.getAndIncrement() == 0) {
                            call.response()
                                .status(GrpcStatus.UNAVAILABLE)
                                .statusMessage("warming up")
                                .end();
                          } else {
                            call.response().end(Buffer.buffer("ok:").appendBuffer(m));
                          }
                        });
            default -> call.response().status(GrpcStatus.UNIMPLEMENTED).end();
          }
        });
    return vertx
        .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(grpc)
        .listen(0, "127.0.0.1")
        .await();
  }

  GatewayVerticle gateway(int backendPort, String extra) {
    return GatewayHarness.start(
        vertx,
        """
      listeners:
        traffic: { h2c: true }
      backends:
        - id: echo
          url: "http://127.0.0.1:%d"
          protocol: http2
          maxConcurrentStreams: 50
          timeouts: { response: PT10S }
          circuitBreaker:
            rules:
              - { failureCondition: { count: 2, interval: PT10S, grpcStatuses: [UNAVAILABLE] }, tripDuration: PT30S }
      apis:
        - id: grpc
          path: /test.Echo
          backend: echo
      %s
      """
            .formatted(backendPort, extra));
  }

  /** One call: {@code messages} sent, then the end; every reply and the final status collected. */
  Result call(int port, String method, long timeoutMs, String... messages) {
    Promise<Result> done = Promise.promise();
    OnContext.run(vertx, () -> client.request(SocketAddress.inetSocketAddress(port, "127.0.0.1")))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                done.fail(ar.cause());
                return;
              }
              GrpcClientRequest<Buffer, Buffer> req = ar.result();
              req.fullMethodName("test.Echo/" + method);
              if (timeoutMs > 0) {
                req.timeout(timeoutMs, TimeUnit.MILLISECONDS);
              }
              List<String> replies = new ArrayList<>();
              req.response()
                  .onComplete(
                      r -> {
                        if (r.failed()) {
                          done.tryFail(r.cause());
                          return;
                        }
                        r.result().handler(b -> replies.add(b.toString()));
                        r.result().exceptionHandler(done::tryFail);
                        r.result()
                            .endHandler(
                                v ->
                                    done.tryComplete(
                                        new Result(
                                            r.result().status(), message(r.result()), replies)));
                      });
              for (int i = 0; i < messages.length - 1; i++) {
                req.write(Buffer.buffer(messages[i]));
              }
              req.end(Buffer.buffer(messages[messages.length - 1]));
            });
    return done.future().await();
  }

  /**
   * The status message, from the headers of a trailers-only response or from the trailers (Vert.x's
   * client reads only the former).
   */
  static String message(GrpcClientResponse<Buffer, Buffer> res) {
    String m = res.statusMessage();
    String raw = res.trailers().get("grpc-message");
    return m != null || raw == null
        ? m
        : QueryStringDecoder.decodeComponent(raw, StandardCharsets.UTF_8);
  }

  @Test
  void unaryClientAndServerStreamingCallsPassWithTheirTrailers() {
    GatewayVerticle gw = gateway(grpcBackend().actualPort(), "");
    Result unary = call(gw.trafficPort(), "Unary", 0, "hello");
    assertThat(unary.status()).isEqualTo(GrpcStatus.OK);
    assertThat(unary.replies()).containsExactly("echo:hello");

    Result stream = call(gw.trafficPort(), "Stream", 0, "s");
    assertThat(stream.status()).isEqualTo(GrpcStatus.OK);
    assertThat(stream.replies()).containsExactly("s-0", "s-1", "s-2", "s-3", "s-4");

    // client streaming: every message of the call reaches the backend, its one answer comes back
    Result collected = call(gw.trafficPort(), "Collect", 0, "a", "b", "c", "d");
    assertThat(collected.status()).isEqualTo(GrpcStatus.OK);
    assertThat(collected.replies()).containsExactly("a+b+c+d");

    // a status in the trailers after a message reaches the client as the backend sent it
    Result late = call(gw.trafficPort(), "FailLate", 0, "x");
    assertThat(late.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(late.replies()).containsExactly("partial");
  }

  @Test
  void bidirectionalStreamingInterleavesMessagesBothWays() {
    GatewayVerticle gw = gateway(grpcBackend().actualPort(), "");
    Promise<List<String>> done = Promise.promise();
    int rounds = 20;
    OnContext.run(
            vertx,
            () -> client.request(SocketAddress.inetSocketAddress(gw.trafficPort(), "127.0.0.1")))
        .onSuccess(
            req -> {
              req.fullMethodName("test.Echo/Bidi");
              List<String> replies = new ArrayList<>();
              req.response()
                  .onSuccess(
                      res -> {
                        // each next message goes only after the reply to the last one came back
                        // through the gateway
                        res.handler(
                            b -> {
                              replies.add(b.toString());
                              if (replies.size() < rounds) {
                                req.write(Buffer.buffer("m" + replies.size()));
                              } else {
                                req.end();
                              }
                            });
                        res.endHandler(
                            v ->
                                done.complete(
                                    res.status() == GrpcStatus.OK
                                        ? replies
                                        : List.of("status " + res.status())));
                      })
                  .onFailure(done::tryFail);
              req.write(Buffer.buffer("m0"));
            })
        .onFailure(done::tryFail);
    List<String> replies = done.future().await();
    assertThat(replies).hasSize(rounds);
    assertThat(replies.get(0)).isEqualTo("re:m0");
    assertThat(replies.get(rounds - 1)).isEqualTo("re:m" + (rounds - 1));
  }

  @Test
  void anExpiringDeadlineIsDeadlineExceededFromTheGateway() {
    GatewayVerticle gw = gateway(grpcBackend().actualPort(), "");
    Result r = call(gw.trafficPort(), "Slow", 300, "wait");
    assertThat(r.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(r.message()).startsWith("Timeout: ");

    // the deadline bounds a response that has started streaming, too
    Result drip = call(gw.trafficPort(), "Drip", 500, "wait");
    assertThat(drip.replies()).containsExactly("drip-0");
    assertThat(drip.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(drip.message()).startsWith("Timeout: ");
  }

  @Test
  void aDeadBackendIsUnavailableAndAnUnknownServiceUnimplemented() {
    GatewayVerticle gw = gateway(Backends.closedPort(), "");
    Result r = call(gw.trafficPort(), "Unary", 0, "x");
    assertThat(r.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(r.message()).startsWith("BackendConnectionFailure: ");

    // the response's handlers are set on the event loop that delivers it (inside the chain run on
    // the context): set from the test thread, a trailers-only response could end before them
    Result unknown =
        OnContext.run(
                vertx,
                () ->
                    client
                        .request(SocketAddress.inetSocketAddress(gw.trafficPort(), "127.0.0.1"))
                        .compose(
                            req -> {
                              req.fullMethodName("other.Service/Method");
                              return req.send(Buffer.buffer("x"));
                            })
                        .compose(
                            res -> {
                              Promise<Result> ended = Promise.promise();
                              res.exceptionHandler(ended::tryFail);
                              res.endHandler(
                                  v ->
                                      ended.tryComplete(
                                          new Result(
                                              res.status(), res.statusMessage(), List.of())));
                              return ended.future();
                            }))
            .await();
    assertThat(unknown.status()).isEqualTo(GrpcStatus.UNIMPLEMENTED);
    assertThat(unknown.message()).startsWith("OperationNotFound: ");
  }

  @Test
  void breakersCountTheGrpcStatusesTheirRulesName() {
    GatewayVerticle gw = gateway(grpcBackend().actualPort(), "");
    // one trailers-only UNAVAILABLE, one in the trailers after a message: the rule's count of 2
    // trips it
    assertThat(call(gw.trafficPort(), "Fail", 0, "x").status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(call(gw.trafficPort(), "FailLate", 0, "x").status())
        .isEqualTo(GrpcStatus.UNAVAILABLE);
    int before = calls.get();
    Result refused = call(gw.trafficPort(), "Unary", 0, "x");
    assertThat(refused.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(refused.message()).startsWith("BackendUnavailable: ");
    assertThat(calls.get()).isEqualTo(before);
  }

  @Test
  void retriesOnlyForTheGrpcStatusesTheApiNames() {
    GatewayVerticle gw =
        gateway(
            grpcBackend().actualPort(),
            """
          retry: { count: 2, grpcStatuses: [UNAVAILABLE], methods: [POST], bufferBodyLimit: 65536 }
      """);
    Result r = call(gw.trafficPort(), "Flaky", 0, "again");
    assertThat(r.status()).isEqualTo(GrpcStatus.OK);
    assertThat(r.replies()).containsExactly("ok:again");
    assertThat(flaky.get()).isEqualTo(2);
  }

  @Test
  void statusesTheApiDoesNotNameAreNotRetried() {
    GatewayVerticle gw =
        gateway(
            grpcBackend().actualPort(),
            """
          retry: { count: 2, grpcStatuses: [RESOURCE_EXHAUSTED], methods: [POST], bufferBodyLimit: 65536 }
      """);
    Result r = call(gw.trafficPort(), "Flaky", 0, "once");
    assertThat(r.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(r.message()).isEqualTo("warming up");
    assertThat(flaky.get()).isEqualTo(1);
  }

  @Test
  void anH2cListenerTakesPriorKnowledgeHttp2AndStillHttp11() {
    HttpServer echo = Backends.echo(vertx, "plain");
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      listeners:
        traffic: { h2c: true }
      backends:
        - { id: plain, url: "http://127.0.0.1:%d" }
      apis:
        - { id: plain, path: /p, backend: plain }
      """
                .formatted(echo.actualPort()));
    HttpClient h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    HttpClient h1 = vertx.createHttpClient();
    for (HttpClient c : List.of(h2, h1)) {
      HttpClientResponse res =
          OnContext.run(
                  vertx,
                  () ->
                      c.request(
                              new RequestOptions()
                                  .setMethod(HttpMethod.GET)
                                  .setHost("127.0.0.1")
                                  .setPort(gw.trafficPort())
                                  .setURI("/p/x"))
                          .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp))))
              .await();
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.version()).isEqualTo(c == h2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
    }
  }
}
