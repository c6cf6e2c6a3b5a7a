import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/grpc-unary.sh's two halves, run as a single-file program on the gateway's test classpath:
 * {@code server PORT} is a Vert.x gRPC echo server (h2c), {@code load PORT WARMUP SECONDS CALLS_IN_FLIGHT}
 * makes unary calls for WARMUP seconds (not counted: the client's JIT warms up too), then for
 * SECONDS with that many in flight, and prints calls per second and errors.
 * Messages are 64 raw bytes (the gateway never looks inside them).
 */
public class GrpcBench {

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    if (args[0].equals("server")) {
      GrpcServer grpc = GrpcServer.server(vertx);
      grpc.callHandler(call -> call.last().onSuccess(m -> call.response().end(m)));
      vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true)).requestHandler(grpc)
        .listen(Integer.parseInt(args[1]), "127.0.0.1").await();
      System.out.println("grpc echo ready");
      return;
    }
    int port = Integer.parseInt(args[1]);
    long warmup = Long.parseLong(args[2]);
    long seconds = Long.parseLong(args[3]);
    int inFlight = Integer.parseInt(args[4]);
    GrpcClient client = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
      .setHttp2ClearTextUpgrade(false).setHttp2MultiplexingLimit(1000));
    SocketAddress server = SocketAddress.inetSocketAddress(port, "127.0.0.1");
    Buffer payload = Buffer.buffer(new byte[64]);
    run(vertx, client, server, payload, warmup, inFlight, new AtomicLong(), new AtomicLong());
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    run(vertx, client, server, payload, seconds, inFlight, ok, failed);
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("calls/s %.0f  ok %d  failed %d  (%d in flight, %.1f s)%n", ok.get() / secs, ok.get(),
      failed.get(), inFlight, secs);
    vertx.close().await();
  }

  private static void run(Vertx vertx, GrpcClient client, SocketAddress server, Buffer payload, long seconds,
                          int inFlight, AtomicLong ok, AtomicLong failed) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Promise<Void> done = Promise.promise();
    AtomicLong running = new AtomicLong(inFlight);
    vertx.runOnContext(v -> {
      for (int i = 0; i < inFlight; i++) {
        loop(client, server, payload, end, ok, failed, running, done);
      }
    });
    done.future().await();
  }

  private static void loop(GrpcClient client, SocketAddress server, Buffer payload, long end, AtomicLong ok,
                           AtomicLong failed, AtomicLong running, Promise<Void> done) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        done.complete();
      }
      return;
    }
    Future<GrpcStatus> call = client.request(server).compose(req -> {
      req.fullMethodName("bench.Echo/Unary");
      return req.send(payload).compose(res -> res.last().map(m -> res.status()));
    });
    call.onComplete(ar -> {
      if (ar.succeeded() && ar.result() == GrpcStatus.OK) {
        ok.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
      loop(client, server, payload, end, ok, failed, running, done);
    });
  }
}
