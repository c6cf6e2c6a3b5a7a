package dev.portico.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hop-by-hop removal on its own (HeaderHygieneTest checks it through the gateway): every name
 * of RFC 9110 7.6.1 and the usual others, in any case and on several lines, each name a {@code
 * Connection} line lists, and nothing else, including names of the same lengths.
 */
class ProxyHeadersTest {

  private static final List<String> HOP_BY_HOP =
      List.of(
          "Connection",
          "Keep-Alive",
          "Proxy-Authenticate",
          "Proxy-Authorization",
          "TE",
          "Trailer",
          "Transfer-Encoding",
          "Upgrade",
          "Proxy-Connection");

  /** End-to-end names, several as long as a hop-by-hop one (2, 7, 10, 16 to 19 characters). */
  private static final List<String> KEPT =
      List.of(
          "Host",
          "te2",
          "X-Ab",
          "Accept",
          "Referer",
          "Trailers",
          "User-Agent",
          "Keep-Alive2",
          "X-Request-Id",
          "Content-Location",
          "Transfer-Encodings",
          "Proxy-Authenticator",
          "Proxy-Authorization2",
          "Tt");

  @Test
  void everyHopByHopNameGoesInAnyCaseAndOnEveryLine() {
    for (String name : HOP_BY_HOP) {
      for (String spelled : List.of(name, name.toLowerCase(), name.toUpperCase())) {
        MultiMap h = withKept();
        h.add(spelled, "1");
        h.add(spelled, "2");
        ProxyHeaders.dropHopByHop(h);
        assertThat(h.contains(name)).as(spelled).isFalse();
        assertThat(h.names()).as(spelled).containsExactlyInAnyOrderElementsOf(KEPT);
      }
    }
  }

  @Test
  void theNamesConnectionListsGoToo() {
    MultiMap h = withKept();
    h.add("connection", "keep-alive, X-Hop-One");
    h.add("Connection", " x-hop-two ,,close");
    h.add("X-Hop-One", "a");
    h.add("x-hop-two", "b");
    h.add("keep-alive", "timeout=5");
    ProxyHeaders.dropHopByHop(h);
    assertThat(h.names()).containsExactlyInAnyOrderElementsOf(KEPT);
  }

  @Test
  void withoutHopByHopNamesNothingChanges() {
    MultiMap h = withKept();
    h.add("Accept", "text/html");
    ProxyHeaders.dropHopByHop(h);
    assertThat(h.names()).containsExactlyInAnyOrderElementsOf(KEPT);
    assertThat(h.getAll("accept")).containsExactly("*/*", "text/html");
    assertThat(h.entries()).hasSize(KEPT.size() + 1);
  }

  private static MultiMap withKept() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (String name : KEPT) {
      h.add(name, name.equals("Accept") ? "*/*" : "v");
    }
    return h;
  }
}
