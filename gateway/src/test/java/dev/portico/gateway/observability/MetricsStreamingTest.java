package dev.portico.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.fabric.testing.TestPki;
import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.support.Backends;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.Http2Tls;
import dev.portico.gateway.support.RawHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} over a raw socket: a scrape larger than one 64 KiB buffer is sent chunked as
 * it is rendered (not kept whole in the heap first) and is still a complete, valid exposition; a
 * small one goes whole with its length; scrapers that stop reading and go away free the worker
 * rendering for them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsStreamingTest {

  /** Enough APIs with traffic for a scrape of several MB (two histograms of 17 lines each). */
  static final int APIS = 1_500;

  private static GatewayVerticle gatewayWithTraffic(Vertx vertx, int apis) {
    return gatewayWithTraffic(vertx, apis, "management: { host: 127.0.0.1, port: 0 }", "");
  }

  private static GatewayVerticle gatewayWithTraffic(
      Vertx vertx, int apis, String management, String extra) {
    int echo = Backends.echo(vertx, "e").actualPort();
    StringBuilder yaml =
        new StringBuilder(
            """
            %s
            listeners:
              traffic: { host: 127.0.0.1, port: 0 }
              %s
            backends: [ { id: echo, url: "http://127.0.0.1:%d" } ]
            apis:
            """
                .formatted(extra, management, echo));
    for (int i = 0; i < apis; i++) {
      yaml.append("  - { id: a").append(i).append(", path: /a").append(i);
      yaml.append(", backend: echo }\n");
    }
    GatewayVerticle gw = GatewayHarness.start(vertx, yaml.toString());
    WebClient web = WebClient.create(vertx);
    // a request per API, a few at a time: each API then has its series
    List<Future<?>> batch = new ArrayList<>();
    for (int i = 0; i < apis; i++) {
      batch.add(web.get(gw.trafficPort(), "127.0.0.1", "/a" + i + "/x").send());
      if (batch.size() == 32 || i == apis - 1) {
        Future.all(batch).await();
        batch.clear();
      }
    }
    return gw;
  }

  private static String get(String accept) {
    return "GET /metrics HTTP/1.1\r\nhost: x\r\naccept: "
        + accept
        + "\r\nconnection: close\r\n\r\n";
  }

  @Test
  void aLargeScrapeIsSentChunkedAndIsWholeAndValid(Vertx vertx, @TempDir Path dir)
      throws Exception {
    PrometheusTools.require("promtool");
    GatewayVerticle gw = gatewayWithTraffic(vertx, APIS);
    RawHttp.Response text = RawHttp.exchange(gw.managementPort(), get("text/plain"));
    assertThat(text.status()).isEqualTo(200);
    assertThat(text.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
    assertThat(text.header("content-length")).isNull();
    assertThat(text.header("content-type")).startsWith("text/plain; version=0.0.4");
    assertThat(text.body().length()).isGreaterThan(4 * 64 * 1024);
    Scrape scrape = Scrape.of(text.body());
    for (int i = 0; i < APIS; i++) {
      assertThat(
              scrape.value(
                  "portico_request_duration_seconds_count",
                  Map.of("api", "a" + i, "status_class", "2xx")))
          .as("api a%d", i)
          .isEqualTo(1.0);
    }
    // one HELP and TYPE per family, however many parts the text was rendered in
    List<String> types = text.body().lines().filter(l -> l.startsWith("# TYPE ")).toList();
    assertThat(types).doesNotHaveDuplicates();
    PrometheusTools.checkMetrics(text.body(), dir);

    RawHttp.Response open =
        RawHttp.exchange(gw.managementPort(), get("application/openmetrics-text; version=1.0.0"));
    assertThat(open.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
    assertThat(open.header("content-type")).startsWith("application/openmetrics-text");
    // the end marker once, at the end
    assertThat(open.body()).endsWith("# EOF\n");
    assertThat(open.body().split("# EOF", -1)).hasSize(2);
    assertThat(open.body()).contains("portico_request_duration_seconds_count{api=\"a1499\"");
  }

  @Test
  void aSmallScrapeIsSentWholeWithItsLength(Vertx vertx) throws Exception {
    GatewayVerticle gw = gatewayWithTraffic(vertx, 1);
    RawHttp.Response res = RawHttp.exchange(gw.managementPort(), get("text/plain"));
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.header("transfer-encoding")).isNull();
    assertThat(Integer.parseInt(res.header("content-length")))
        .isEqualTo(res.body().getBytes(StandardCharsets.ISO_8859_1).length)
        .isLessThanOrEqualTo(64 * 1024);
    assertThat(res.body()).contains("portico_request_duration_seconds_count{api=\"a0\"");
  }

  @Test
  void scrapersThatStopReadingAndGoAwayFreeTheirWorkers(Vertx vertx) throws Exception {
    // about 8 MB of text: more than a loopback socket's send buffer takes (4 MB at most)
    GatewayVerticle gw = gatewayWithTraffic(vertx, 2 * APIS);
    // more stalled scrapes at once than Vert.x has worker threads (20), each text far larger than
    // what the sockets buffer: their renderings wait for scrapers that read nothing, then go away.
    // Were a rendering left waiting for its gone scraper, the last scrape would find no worker
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 24; i++) {
        Socket s = new Socket();
        stalled.add(s);
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", gw.managementPort()), 5_000);
        s.getOutputStream().write(get("text/plain").getBytes(StandardCharsets.ISO_8859_1));
      }
      for (Socket s : stalled.subList(0, 20)) {
        // the head and the first part have come: that rendering is under way, and nothing more is
        // read
        InputStream in = s.getInputStream();
        byte[] first = in.readNBytes(1024);
        assertThat(new String(first, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
      }
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
    RawHttp.Response after = RawHttp.exchange(gw.managementPort(), get("text/plain"));
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.body()).contains("portico_request_duration_seconds_count{api=\"a2999\"");
  }

  @Test
  void overHttp2TheLargeScrapeArrivesWhole(Vertx vertx, @TempDir Path dir) throws Exception {
    TestPki.ClientFiles files = TestPki.ClientFiles.write(dir, "Portico Metrics CA", "c", "u");
    Path[] pem = files.pki().server("localhost").writePem(dir, "server");
    GatewayVerticle gw =
        gatewayWithTraffic(
            vertx,
            APIS,
            "management: { host: 127.0.0.1, port: 0, https: { certificateId: mgmt } }",
            "certificates: [ { id: mgmt, certPath: \"%s\", keyPath: \"%s\" } ]"
                .formatted(pem[0], pem[1]));
    WebClient h2 =
        WebClient.create(
            vertx, new WebClientOptions(Http2Tls.clientOptions(files.pki().trustOptions())));
    HttpResponse<Buffer> res =
        h2.get(gw.managementPort(), "localhost", "/metrics")
            .putHeader("accept", "application/openmetrics-text; version=1.0.0")
            .send()
            .await();
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.version()).isEqualTo(HttpVersion.HTTP_2);
    String body = res.bodyAsString();
    assertThat(body.length()).isGreaterThan(4 * 64 * 1024);
    assertThat(body)
        .endsWith("# EOF\n")
        .contains("portico_request_duration_seconds_count{api=\"a1499\"");
    assertThat(body.split("# EOF", -1)).hasSize(2);
  }
}
