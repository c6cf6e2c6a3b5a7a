package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.config.EscapedSlashes;
import dev.portico.gateway.routing.RequestPaths;
import dev.portico.gateway.support.GatewayHarness;
import dev.portico.gateway.support.RawHttp;
import dev.portico.gateway.support.RecordingBackend;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Request paths are normalized (RFC 3986 6.2.2) before the API is matched and before the rest is
 * joined to the backend's base path, with raw bytes over sockets: what each backend saw is
 * recorded, and no request reaches a path outside its API's base path, whatever the listener's rule
 * for encoded slashes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PathNormalizationTest {

  static Vertx vertx;

  /** One Vert.x per gateway: gateways in one Vert.x would share their random traffic port. */
  static final List<Vertx> gateways = new java.util.ArrayList<>();

  static RecordingBackend publicBackend;
  static RecordingBackend adminBackend;
  static GatewayVerticle reject;
  static GatewayVerticle decode;
  static GatewayVerticle keep;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    publicBackend = RecordingBackend.start(vertx);
    adminBackend = RecordingBackend.start(vertx);
    reject = gateway(null);
    decode = gateway("decode");
    keep = gateway("keep");
  }

  static GatewayVerticle gateway(String escapedSlashes) {
    Vertx own = Vertx.vertx();
    gateways.add(own);
    return GatewayHarness.start(
        own,
        """
      listeners: { traffic: { %s } }
      backends:
        - { id: pub, url: "http://127.0.0.1:%d/base/public" }
        - { id: adm, url: "http://127.0.0.1:%d/base/admin" }
      apis:
        - { id: public, path: /public, backend: pub }
        - { id: admin, path: /admin, backend: adm }
      """
            .formatted(
                escapedSlashes == null ? "" : "escapedSlashes: " + escapedSlashes,
                publicBackend.port(),
                adminBackend.port()));
  }

  @AfterAll
  static void stop() {
    gateways.forEach(v -> v.close().await());
    vertx.close().await();
  }

  /** What a backend saw for {@code target}, or the gateway's status when no backend saw it. */
  static String forwarded(GatewayVerticle gw, String target) throws Exception {
    int pub = publicBackend.seen().size();
    int adm = adminBackend.seen().size();
    RawHttp.Response r =
        RawHttp.exchange(gw.trafficPort(), "GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
    List<String> seen =
        new java.util.ArrayList<>(publicBackend.uris().subList(pub, publicBackend.seen().size()));
    seen.addAll(adminBackend.uris().subList(adm, adminBackend.seen().size()));
    if (r.status() != 200) {
      assertThat(seen).as("a refused request reaches no backend").isEmpty();
      assertThat(r.isProblem()).isTrue();
      return r.status() + " " + r.reason();
    }
    assertThat(seen).hasSize(1);
    return seen.get(0);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/public/a/b                 | /base/public/a/b",
        "/public/a/./b               | /base/public/a/b",
        "/public/a/../b              | /base/public/b",
        "/public/a/%2e%2e/b          | /base/public/b",
        "/public/a/%2E%2E/b          | /base/public/b",
        "/public/a/.%2e/b            | /base/public/b",
        "/public/a/%2e./b            | /base/public/b",
        "/public/a/%2e/b             | /base/public/a/b",
        "/%70ublic/x                 | /base/public/x",
        "/public/%7euser/%41         | /base/public/~user/A",
        "/public/a%20b/%c3%a9        | /base/public/a%20b/%C3%A9",
        // a dot-dot that leaves the public API lands in the admin API, as the path says: never
        // under /base/public
        "/public/%2e%2e/admin/users  | /base/admin/users",
        "/public/..                  | 404 OperationNotFound",
        "/public/%2e%2e/%2e%2e/etc   | 400 BadRequest",
        "/public/../../etc           | 400 BadRequest",
        "/%2e%2e/public              | 400 BadRequest",
        "/public/a%zz                | 400 BadRequest",
        "/public/a%2                 | 400 BadRequest",
        // encoded slashes and backslashes: refused by default
        "/public/a%2Fb               | 400 BadRequest",
        "/public/a%2fb               | 400 BadRequest",
        "/public/..%2F..%2Fadmin     | 400 BadRequest",
        "/public/a%5cb               | 400 BadRequest",
        "/public/a\\b                | 400 BadRequest",
      })
  void byDefaultEncodedSlashesAreRefused(String target, String expected) throws Exception {
    assertThat(forwarded(reject, target)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/public/a%2Fb               | /base/public/a/b",
        "/public/a%5Cb               | /base/public/a/b",
        "/public/a\\b                | /base/public/a/b",
        "/public/x%2F..%2Fy          | /base/public/y",
        "/public/x%2F..%2F..%2Fadmin | /base/admin",
        "/public/..%2F..%2Fetc       | 400 BadRequest",
        "/public%2F..%2F..%2Fetc     | 400 BadRequest",
      })
  void decodedEncodedSlashesAreSeparatorsBeforeMatching(String target, String expected)
      throws Exception {
    assertThat(forwarded(decode, target)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/public/a%2Fb               | /base/public/a%2Fb",
        "/public/a%2fb               | /base/public/a%2Fb",
        "/public/a%5cb               | /base/public/a%5Cb",
        "/public/..%2Fadmin          | 400 BadRequest",
        "/public/x%2F..%2F..%2Fadmin | 400 BadRequest",
        "/public/x%5C.%5Cy           | 400 BadRequest",
        "/public/a\\..\\b            | 400 BadRequest",
        "/public/a%2F.hidden         | /base/public/a%2F.hidden",
      })
  void keptEncodedSlashesStayDataButNeverHideADotSegment(String target, String expected)
      throws Exception {
    assertThat(forwarded(keep, target)).isEqualTo(expected);
  }

  @Test
  void theProblemSaysWhy() throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(reject.trafficPort(), "GET /public/a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(r.member("detail")).contains("encoded slash (%2F)").contains("escapedSlashes");
    r = RawHttp.exchange(reject.trafficPort(), "GET /public/../../x HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(r.member("detail")).contains("climbs above the root");
  }

  @Test
  void normalizationKeepsTheCommonPathAsItIs() {
    String plain = "/orders/42/items";
    assertThat(RequestPaths.normalize(plain, EscapedSlashes.REJECT)).isSameAs(plain);
    assertThat(RequestPaths.normalize("/a/.hidden/b", EscapedSlashes.REJECT))
        .isEqualTo("/a/.hidden/b");
    assertThat(RequestPaths.normalize("/a/b/%2e", EscapedSlashes.REJECT)).isEqualTo("/a/b/");
    assertThatThrownBy(() -> RequestPaths.normalize("*", EscapedSlashes.REJECT))
        .isInstanceOf(RequestPaths.InvalidPath.class);
  }
}
