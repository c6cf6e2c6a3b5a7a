package dev.portico.fabric.testing;

import io.vertx.core.Vertx;
import java.util.Locale;

/**
 * A simulated Service Fabric management endpoint as a process of its own, for benchmarks ({@code
 * bench/fabric-import.sh}): one application {@code fabric:/Bench} with one stateful
 * UniformInt64Range service {@code fabric:/Bench/Orders} of {@code --partitions} partitions over
 * keys {@code [0, partitions * 1000 - 1]}, each with a primary and {@code --replicas - 1}
 * secondaries, served with the real REST shapes (paged lists with continuation tokens,
 * ResolvePartition) on loopback.
 *
 * <pre>
 * java -cp portico-gateway.jar:portico-service-fabric-adapter-*-tests.jar dev.portico.fabric.testing.FakeClusterServer \
 *   --port 38090 --partitions 10000 --replicas 3 --page-size 500
 * </pre>
 *
 * Replica addresses are {@code http://10.<a>.<b>.<c>:20001/<partition id>/<replica>}: unroutable,
 * which is all an import needs. Prints {@code listening on <port>} once it serves.
 */
public final class FakeClusterServer {

  private FakeClusterServer() {}

  public static void main(String[] args) {
    int port = 0;
    int partitions = 1000;
    int replicas = 3;
    int pageSize = 500;
    for (int i = 0; i + 1 < args.length; i += 2) {
      int value = Integer.parseInt(args[i + 1]);
      switch (args[i]) {
        case "--port" -> port = value;
        case "--partitions" -> partitions = value;
        case "--replicas" -> replicas = value;
        case "--page-size" -> pageSize = value;
        default ->
            throw new IllegalArgumentException(
                "unknown option " + args[i] + " (--port, --partitions, --replicas, --page-size)");
      }
    }
    FakeCluster cluster = new FakeCluster();
    cluster.recordRequests = false;
    cluster.pageSize = pageSize;
    cluster.apps.add(
        FakeCluster.uniform(
            "fabric:/Bench",
            "fabric:/Bench/Orders",
            partitions,
            replicas,
            FakeClusterServer::guid,
            (p, r) -> FakeCluster.reliableServicesAddress(url(p, r))));
    Vertx vertx = Vertx.vertx();
    int actual = cluster.listen(vertx, port).await();
    System.out.println(
        "listening on "
            + actual
            + ": fabric:/Bench/Orders, "
            + partitions
            + " partitions x "
            + replicas
            + " replicas, "
            + pageSize
            + " items per page");
  }

  static String guid(int n) {
    return String.format(Locale.ROOT, "%08x-5eed-4000-8000-%012x", n, (long) n * 7919);
  }

  static String url(int partition, int replica) {
    int host = partition * 8 + replica;
    return "http://10."
        + ((host >> 16) & 255)
        + "."
        + ((host >> 8) & 255)
        + "."
        + (host & 255)
        + ":20001/"
        + guid(partition)
        + "/"
        + (132_000_000_000_000_000L + replica);
  }
}
