package dev.portico.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.ReplicaRole;
import dev.portico.fabric.ServiceKind;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.FabricRecords;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.OnContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WebSockets through the gateway against a real Vert.x WebSocket server on loopback: 10 MiB each
 * way, close codes both ways, subprotocol and permessage-deflate negotiated end to end, the usual
 * request path (credentials, forwarding headers, query), a dead backend, the idle timeout, metrics.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WebSocketTest {

  static final int FRAME = 64 * 1024;
  static final int TOTAL = 10 * 1024 * 1024;

  Vertx vertx;
  WebSocketClient ws;

  /** What the backend saw of the last handshake. */
  final AtomicReference<ServerWebSocket> lastSession = new AtomicReference<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    // frames of random data grow a little under permessage-deflate: limits above the 64 KiB frames
    this.ws =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setTryUsePerMessageCompression(true)
                .setMaxFrameSize(4 * FRAME)
                .setMaxMessageSize(TOTAL));
  }

  /** Echoes binary and text messages with back-pressure; "close:<code>" makes it close with that code. */
  HttpServer echoBackend() {
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setWebSocketSubProtocols(List.of("chat.v1"))
                .setMaxWebSocketFrameSize(4 * FRAME)
                .setMaxWebSocketMessageSize(TOTAL))
        .webSocketHandler(
            s -> {
              lastSession.set(s);
              s.binaryMessageHandler(
                  b -> {
                    s.writeBinaryMessage(b);
                    if (s.writeQueueFull()) {
                      s.pause();
                      s.drainHandler(v -> s.resume());
                    }
                  });
              s.textMessageHandler(
                  t -> {
                    if (t.startsWith("close:")) {
                      s.close(
                          (short) Integer.parseInt(t.substring(6)),
                          "backend says " + t.substring(6));
                    } else {
                      s.writeTextMessage(t);
                    }
                  });
            })
        .listen(0, "127.0.0.1")
        .await();
  }

  GatewayVerticle gateway(String extra, int backendPort) {
    return GatewayHarness.start(
        vertx,
        """
      namedValues:
        - { name: chat-key, value: s3cret }
      backends:
        - id: chat
          url: "http://127.0.0.1:%d/rooms"
          credentials: { header: { x-api-key: "{{chat-key}}" } }
          circuitBreaker:
            rules:
              - { failureCondition: { count: 1, interval: PT10S, errorReasons: [BackendConnectionFailure] }, tripDuration: PT30S }
      apis:
        - { id: ws, path: /chat, backend: chat, websocket: %s }
        - { id: plain, path: /plain, backend: chat }
      """
            .formatted(backendPort, extra));
  }

  Future<WebSocket> connect(int port, String uri, List<String> subprotocols) {
    return OnContext.run(
        vertx,
        () ->
            ws.connect(
                new WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(port)
                    .setURI(uri)
                    .setSubProtocols(subprotocols)));
  }

  @Test
  void tenMiBEachWayWithSubprotocolExtensionCredentialsAndForwardingHeaders() throws Exception {
    HttpServer backend = echoBackend();
    GatewayVerticle gw = gateway("true", backend.actualPort());
    WebSocket client =
        connect(gw.trafficPort(), "/chat/lobby?user=ann", List.of("chat.v2", "chat.v1")).await();

    // negotiated with the backend, end to end
    assertThat(client.subProtocol()).isEqualTo("chat.v1");
    assertThat(client.headers().get("sec-websocket-extensions")).contains("permessage-deflate");
    ServerWebSocket seen = lastSession.get();
    assertThat(seen.path()).isEqualTo("/rooms/lobby");
    assertThat(seen.query()).isEqualTo("user=ann");
    assertThat(seen.headers().get("x-api-key")).isEqualTo("s3cret");
    assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().get("via")).startsWith("1.1 ");
    assertThat(seen.headers().get("x-request-id")).hasSize(32);

    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    MessageDigest echoed = MessageDigest.getInstance("SHA-256");
    CompletableFuture<Long> allBack = new CompletableFuture<>();
    long[] received = {0};
    Random random = new Random(14);
    vertx.runOnContext(
        v -> {
          client.binaryMessageHandler(
              b -> {
                echoed.update(b.getBytes());
                received[0] += b.length();
                if (received[0] >= TOTAL) {
                  allBack.complete(received[0]);
                }
              });
          sendFrames(client, random, sent, 0);
        });
    assertThat(allBack.get(60, TimeUnit.SECONDS)).isEqualTo(TOTAL);
    assertThat(HexFormat.of().formatHex(echoed.digest()))
        .isEqualTo(HexFormat.of().formatHex(sent.digest()));

    client.close((short) 1000, "bye").await();
    await().atMost(10, TimeUnit.SECONDS).until(() -> seen.isClosed());
    assertThat(seen.closeStatusCode()).isEqualTo((short) 1000);

    // the session's metrics: frames and bytes each way, duration, none open any more
    await()
        .atMost(10, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              String m = metrics(gw);
              assertThat(
                      metric(m, "portico_websocket_bytes_total{api=\"ws\",direction=\"upstream\"}"))
                  .isGreaterThan(TOTAL);
              assertThat(
                      metric(
                          m, "portico_websocket_bytes_total{api=\"ws\",direction=\"downstream\"}"))
                  .isGreaterThan(TOTAL);
              assertThat(
                      metric(
                          m, "portico_websocket_frames_total{api=\"ws\",direction=\"upstream\"}"))
                  .isGreaterThanOrEqualTo(TOTAL / FRAME);
              assertThat(metric(m, "portico_websocket_sessions_active{api=\"ws\"}")).isEqualTo(0);
              assertThat(metric(m, "portico_websocket_session_duration_seconds_count{api=\"ws\"}"))
                  .isEqualTo(1);
              assertThat(metric(m, "portico_requests_in_flight{api=\"ws\"}")).isEqualTo(0);
            });
    assertThat(gw.inFlight()).isZero();
  }

  /**
   * Writes the frames one after another, pausing while the client's write queue is full
   * (back-pressure).
   */
  private void sendFrames(WebSocket client, Random random, MessageDigest sent, int done) {
    int i = done;
    while (i < TOTAL / FRAME) {
      byte[] bytes = new byte[FRAME];
      random.nextBytes(bytes);
      sent.update(bytes);
      client.writeBinaryMessage(Buffer.buffer(bytes));
      i++;
      if (client.writeQueueFull()) {
        int next = i;
        client.drainHandler(v -> sendFrames(client, random, sent, next));
        return;
      }
    }
  }

  @ParameterizedTest(name = "close code {0} passes both ways")
  @ValueSource(ints = {1000, 1001, 1003, 1007, 1008, 1011, 3000, 4999})
  void closeCodesAndReasonsPassBothWays(int code) {
    HttpServer backend = echoBackend();
    GatewayVerticle gw = gateway("true", backend.actualPort());

    // the client closes: the backend sees its code and reason
    WebSocket first = connect(gw.trafficPort(), "/chat/a", List.of()).await();
    ServerWebSocket firstSeen = lastSession.get();
    first.close((short) code, "client says " + code).await();
    await().atMost(10, TimeUnit.SECONDS).until(firstSeen::isClosed);
    assertThat(firstSeen.closeStatusCode()).isEqualTo((short) code);
    assertThat(firstSeen.closeReason()).isEqualTo("client says " + code);

    // the backend closes: the client sees its code and reason
    WebSocket second = connect(gw.trafficPort(), "/chat/b", List.of()).await();
    Promise<Void> closed = Promise.promise();
    vertx.runOnContext(
        v -> {
          second.closeHandler(x -> closed.tryComplete());
          second.writeTextMessage("close:" + code);
        });
    closed.future().await();
    assertThat(second.closeStatusCode()).isEqualTo((short) code);
    assertThat(second.closeReason()).isEqualTo("backend says " + code);
  }

  @Test
  void aHandshakeToADeadBackendIsABackendConnectionFailureForTheBreaker() {
    GatewayVerticle gw = gateway("true", Backends.closedPort());
    Throwable first = failure(gw, "/chat/x");
    assertThat(first).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) first).getStatus()).isEqualTo(502);
    assertThat(((UpgradeRejectedException) first).getBody().toJsonObject().getString("reason"))
        .isEqualTo("BackendConnectionFailure");
    // the rule counts one BackendConnectionFailure: the breaker is open now, the next handshake is
    // refused at once
    Throwable second = failure(gw, "/chat/x");
    assertThat(((UpgradeRejectedException) second).getStatus()).isEqualTo(503);
    assertThat(((UpgradeRejectedException) second).getBody().toJsonObject().getString("reason"))
        .isEqualTo("BackendUnavailable");
  }

  private Throwable failure(GatewayVerticle gw, String uri) {
    Promise<Throwable> p = Promise.promise();
    connect(gw.trafficPort(), uri, List.of())
        .onComplete(ar -> p.complete(ar.failed() ? ar.cause() : null));
    Throwable t = p.future().await();
    assertThat(t).as("the handshake must fail").isNotNull();
    return t;
  }

  @Test
  void anApiWithoutWebSocketForwardsTheHandshakeAsPlainHttp() {
    HttpServer backend = echoBackend();
    GatewayVerticle gw = gateway("true", backend.actualPort());
    Throwable t = failure(gw, "/plain/x");
    // the backend got a GET without Upgrade (hop-by-hop, dropped): no WebSocket, whatever it
    // answered
    assertThat(t).isInstanceOf(UpgradeRejectedException.class);
  }

  @Test
  void anIdleSessionIsClosedWith1001BothWays() {
    HttpServer backend = echoBackend();
    GatewayVerticle gw = gateway("{ idleTimeout: PT0.5S }", backend.actualPort());
    WebSocket client = connect(gw.trafficPort(), "/chat/quiet", List.of()).await();
    ServerWebSocket seen = lastSession.get();
    await().atMost(20, TimeUnit.SECONDS).until(() -> client.isClosed() && seen.isClosed());
    assertThat(client.closeStatusCode()).isEqualTo((short) 1001);
    assertThat(seen.closeStatusCode()).isEqualTo((short) 1001);
  }

  @Test
  void theDrainClosesOpenSessionsWith1001AtTheEndOfTheGracePeriod() {
    HttpServer backend = echoBackend();
    GatewayVerticle gw =
        GatewayHarness.start(
            vertx,
            """
      gateway: { shutdown: { delay: PT0S, gracePeriod: PT1S } }
      backends:
        - { id: chat, url: "http://127.0.0.1:%d" }
      apis:
        - { id: ws, path: /chat, backend: chat, websocket: true }
      """
                .formatted(backend.actualPort()));
    WebSocket client = connect(gw.trafficPort(), "/chat/long", List.of()).await();
    ServerWebSocket seen = lastSession.get();
    // the session is alive before the drain
    Promise<String> echo = Promise.promise();
    vertx.runOnContext(
        v -> {
          client.textMessageHandler(echo::tryComplete);
          client.writeTextMessage("ping");
        });
    assertThat(echo.future().await()).isEqualTo("ping");
    gw.drain("test").await();
    await().atMost(20, TimeUnit.SECONDS).until(() -> client.isClosed() && seen.isClosed());
    assertThat(client.closeStatusCode()).isEqualTo((short) 1001);
    assertThat(seen.closeStatusCode()).isEqualTo((short) 1001);
  }

  @Test
  void throughTheServiceFabricReverseProxyKeepingQueryAndAuthorization() {
    HttpServer backend = echoBackend();
    GatewayVerticle gw =
        new GatewayVerticle(
            GatewayHarness.config(
                """
      listeners:
        serviceFabricReverseProxy: { enabled: true, host: 127.0.0.1, port: 0 }
      """,
                java.util.Map.of()),
            2,
            dev.portico.gateway.pipeline.ExchangeObserver.NONE);
    vertx.deployVerticle(gw).await();
    FabricRecords.publish(
        gw,
        FabricRecords.record(
            "fabric:/Shop/Chat",
            ServiceKind.STATELESS,
            new PartitionInfo.Singleton(FabricRecords.guid(90)),
            ReplicaRole.STATELESS,
            "chat-1",
            FabricRecords.address("http://127.0.0.1:" + backend.actualPort() + "/ws"),
            1));
    FabricRecords.awaitIndexed(gw, "fabric:/Shop/Chat", 1);

    WebSocket client =
        OnContext.run(
                vertx,
                () ->
                    ws.connect(
                        new WebSocketConnectOptions()
                            .setHost("127.0.0.1")
                            .setPort(gw.reverseProxyPort())
                            .setURI("/Shop/Chat/room?user=ann&Timeout=30&token=a%20b")
                            .addHeader("Authorization", "Bearer abc.def")))
            .await();
    ServerWebSocket seen = lastSession.get();
    assertThat(seen.path()).isEqualTo("/ws/room");
    // the proxy's own parameters go, the rest of the query stays, and so does Authorization
    assertThat(seen.query()).isEqualTo("user=ann&token=a%20b");
    assertThat(seen.headers().get("authorization")).isEqualTo("Bearer abc.def");
    Promise<String> echo = Promise.promise();
    vertx.runOnContext(
        v -> {
          client.textMessageHandler(echo::tryComplete);
          client.writeTextMessage("over the reverse proxy");
        });
    assertThat(echo.future().await()).isEqualTo("over the reverse proxy");
    client.close((short) 4001, "done").await();
    await().atMost(10, TimeUnit.SECONDS).until(seen::isClosed);
    assertThat(seen.closeStatusCode()).isEqualTo((short) 4001);
  }

  String metrics(GatewayVerticle gw) {
    return WebClient.create(vertx)
        .get(gw.managementPort(), "127.0.0.1", "/metrics")
        .send()
        .await()
        .bodyAsString();
  }

  static double metric(String exposition, String series) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return -1;
  }

  static JsonObject json(Buffer b) {
    return b.toJsonObject();
  }
}
