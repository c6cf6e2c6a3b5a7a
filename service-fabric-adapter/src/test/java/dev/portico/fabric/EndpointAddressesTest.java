package dev.portico.fabric;

import static dev.portico.fabric.ListenerSelection.CLIENT;
import static dev.portico.fabric.ListenerSelection.REVERSE_PROXY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EndpointAddressesTest {

  private static final Optional<String> NO_NAME = Optional.empty();

  @Test
  void parsesEscapedSlashes() {
    EndpointAddresses a =
        EndpointAddresses.parse("{\"Endpoints\":{\"\":\"http:\\/\\/localhost:8081\"}}");
    assertThat(a.listeners()).containsExactly(new ListenerEndpoint("", "http://localhost:8081"));
    assertThat(a.isRaw()).isFalse();
    assertThat(a.published()).isEqualTo("{\"Endpoints\":{\"\":\"http:\\/\\/localhost:8081\"}}");
    assertThat(a.select(NO_NAME, CLIENT).orElseThrow().address())
        .isEqualTo("http://localhost:8081");
    assertThat(a.select(NO_NAME, REVERSE_PROXY).orElseThrow().address())
        .isEqualTo("http://localhost:8081");
  }

  @Test
  void keepsSeveralListenersInPublishedOrder() {
    EndpointAddresses a =
        EndpointAddresses.parse(
            "{\"Endpoints\":{\"web\":\"http://h:1/w\",\"Admin\":\"https://h:2/a\",\"\":\"http://h:3\",\"tcp\":\"net.tcp://h:4\"}}");
    assertThat(a.listeners())
        .extracting(ListenerEndpoint::name)
        .containsExactly("web", "Admin", "", "tcp");
  }

  @Test
  void emptyStringAndWhitespaceAreAnEmptyCollection() {
    for (String published : List.of("", "   ", "\n\t ")) {
      EndpointAddresses a = EndpointAddresses.parse(published);
      assertThat(a.isEmpty()).as("'%s'", published).isTrue();
      assertThat(a.isRaw()).isFalse();
      assertThat(a.listeners()).isEmpty();
      assertThat(a.published()).isEqualTo(published);
      ListenerChoice choice = a.select(NO_NAME, CLIENT);
      assertThat(choice).isInstanceOf(ListenerChoice.Unavailable.class);
      assertThat(((ListenerChoice.Unavailable) choice).message())
          .contains("published no listeners");
      assertThat(a.select(NO_NAME, REVERSE_PROXY).endpoint()).isEmpty();
    }
    assertThat(EndpointAddresses.parse("")).isSameAs(EndpointAddresses.EMPTY);
    assertThat(EndpointAddresses.parse("{\"Endpoints\":{}}").isEmpty()).isTrue();
  }

  @Test
  void jsonWithoutEndpointsIsAnEmptyCollection() {
    for (String published : List.of("{}", "{\"Other\":\"x\"}", "{\"Endpoints\":null}")) {
      EndpointAddresses a = EndpointAddresses.parse(published);
      assertThat(a.isRaw()).as(published).isFalse();
      assertThat(a.isEmpty()).as(published).isTrue();
    }
  }

  @Test
  void nonJsonIsARawAddressUsableOnlyWithoutAListenerName() {
    EndpointAddresses a = EndpointAddresses.parse("  http://10.0.0.4:8080/api/  ");
    assertThat(a.isRaw()).isTrue();
    assertThat(a.raw()).contains("http://10.0.0.4:8080/api/");
    assertThat(a.listeners()).isEmpty();
    assertThat(a.published()).isEqualTo("  http://10.0.0.4:8080/api/  ");
    ListenerEndpoint chosen = a.select(NO_NAME, CLIENT).orElseThrow();
    assertThat(chosen.address()).isEqualTo("http://10.0.0.4:8080/api/");
    assertThat(chosen.baseUrl()).isEqualTo("http://10.0.0.4:8080/api");
    assertThat(a.select(Optional.of(""), REVERSE_PROXY).orElseThrow()).isEqualTo(chosen);

    ListenerChoice named = a.select(Optional.of("web"), CLIENT);
    assertThat(named).isInstanceOf(ListenerChoice.Unavailable.class);
    ListenerChoice.Unavailable u = (ListenerChoice.Unavailable) named;
    assertThat(u.asked()).contains("web");
    assertThat(u.message()).contains("\"web\"").contains("plain address");
  }

  @Test
  void malformedCollectionsAreRaw() {
    for (String published :
        List.of(
            "{\"Endpoints\":\"http://x\"}", "{\"Endpoints\":{\"a\":5}}", "{not json", "[1,2]")) {
      EndpointAddresses a = EndpointAddresses.parse(published);
      assertThat(a.isRaw()).as(published).isTrue();
      // Only an http(s) address can be forwarded to by the reverse proxy rules.
      assertThat(a.select(NO_NAME, REVERSE_PROXY).endpoint()).as(published).isEmpty();
    }
    EndpointAddresses tcp = EndpointAddresses.parse("net.tcp://10.0.0.4:20001/svc");
    assertThat(tcp.select(NO_NAME, CLIENT).orElseThrow().address())
        .isEqualTo("net.tcp://10.0.0.4:20001/svc");
    assertThat(((ListenerChoice.Unavailable) tcp.select(NO_NAME, REVERSE_PROXY)).message())
        .contains("not an http/https URL");
  }

  @Test
  void addressesAreTrimmedNamesAreNot() {
    EndpointAddresses a =
        EndpointAddresses.parse("  {\"Endpoints\":{\" x \":\"  http://h:1  \"}}\n");
    assertThat(a.listeners()).containsExactly(new ListenerEndpoint(" x ", "http://h:1"));
  }

  @Test
  void clientModeTakesTheFirstEntryAndMatchesNamesExactly() {
    EndpointAddresses a =
        EndpointAddresses.parse(
            "{\"Endpoints\":{\"web\":\"http://h:1\",\"Admin\":\"https://h:2\",\"\":\"http://h:3\",\"tcp\":\"net.tcp://h:4\"}}");
    assertThat(a.select(NO_NAME, CLIENT).orElseThrow())
        .isEqualTo(new ListenerEndpoint("web", "http://h:1"));
    assertThat(a.select(Optional.of(""), CLIENT).orElseThrow().name())
        .isEqualTo("web"); // empty name = none
    assertThat(a.select(Optional.of("Admin"), CLIENT).orElseThrow().address())
        .isEqualTo("https://h:2");
    assertThat(a.select(Optional.of("tcp"), CLIENT).orElseThrow().address())
        .isEqualTo("net.tcp://h:4");

    ListenerChoice miss = a.select(Optional.of("admin"), CLIENT);
    assertThat(miss).isInstanceOf(ListenerChoice.Unavailable.class);
    ListenerChoice.Unavailable u = (ListenerChoice.Unavailable) miss;
    assertThat(u.asked()).contains("admin");
    assertThat(u.available()).containsExactly("web", "Admin", "", "tcp");
    assertThat(u.message()).contains("\"admin\"").contains("exact match").contains("\"Admin\"");
    assertThatThrownBy(miss::orElseThrow)
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("\"admin\"");
  }

  @Test
  void reverseProxyTakesTheSmallestHttpNameAndMatchesIgnoringCase() {
    EndpointAddresses a =
        EndpointAddresses.parse(
            "{\"Endpoints\":{\"web\":\"http://h:1\",\"Admin\":\"https://h:2\",\"alpha\":\"http://h:5\",\"Zeta\":\"HTTP://h:6\"}}");
    // Ordinal order, as the proxy's std::map<wstring, wstring>: uppercase sorts before lowercase.
    assertThat(a.select(NO_NAME, REVERSE_PROXY).orElseThrow().name()).isEqualTo("Admin");
    assertThat(a.select(Optional.of("ADMIN"), REVERSE_PROXY).orElseThrow().address())
        .isEqualTo("https://h:2");
    assertThat(a.select(Optional.of("zeta"), REVERSE_PROXY).orElseThrow().address())
        .isEqualTo("HTTP://h:6");
    ListenerChoice.Unavailable u =
        (ListenerChoice.Unavailable) a.select(Optional.of("nope"), REVERSE_PROXY);
    assertThat(u.available()).containsExactly("Admin", "Zeta", "alpha", "web");
    assertThat(u.message()).contains("\"nope\"").contains("case-insensitive");
  }

  @Test
  void reverseProxySkipsNonHttpAddresses() {
    EndpointAddresses a =
        EndpointAddresses.parse(
            "{\"Endpoints\":{\"\":\"net.tcp://h:4\",\"b\":\"http://h:2\",\"a\":\"ws://h:1\"}}");
    assertThat(a.select(NO_NAME, CLIENT).orElseThrow().address()).isEqualTo("net.tcp://h:4");
    assertThat(a.select(NO_NAME, REVERSE_PROXY).orElseThrow())
        .isEqualTo(new ListenerEndpoint("b", "http://h:2"));
    ListenerChoice.Unavailable u =
        (ListenerChoice.Unavailable) a.select(Optional.of("A"), REVERSE_PROXY);
    assertThat(u.message())
        .contains("\"a\"")
        .contains("ws://h:1")
        .contains("not an http/https URL");
    assertThat(u.available()).containsExactly("b");

    EndpointAddresses none = EndpointAddresses.parse("{\"Endpoints\":{\"x\":\"net.tcp://h:4\"}}");
    ListenerChoice.Unavailable n = (ListenerChoice.Unavailable) none.select(NO_NAME, REVERSE_PROXY);
    assertThat(n.asked()).isEmpty();
    assertThat(n.available()).isEmpty();
    assertThat(n.message()).contains("no http/https listener").contains("net.tcp://h:4");
  }

  @Test
  void theDefaultListenerWinsWhenPresent() {
    EndpointAddresses a =
        EndpointAddresses.parse("{\"Endpoints\":{\"api\":\"http://h:1\",\"\":\"http://h:2\"}}");
    assertThat(a.select(NO_NAME, REVERSE_PROXY).orElseThrow().name()).isEmpty(); // "" sorts first
    assertThat(a.select(NO_NAME, CLIENT).orElseThrow().name()).isEqualTo("api"); // first published
  }

  @Test
  void successfulSelectionsReuseOneResult() {
    EndpointAddresses a =
        EndpointAddresses.parse("{\"Endpoints\":{\"a\":\"http://h:1\",\"b\":\"http://h:2\"}}");
    assertThat(a.select(Optional.of("B"), REVERSE_PROXY))
        .isSameAs(a.select(Optional.of("b"), CLIENT));
    assertThat(a.select(NO_NAME, CLIENT)).isSameAs(a.select(NO_NAME, REVERSE_PROXY));
  }

  @Test
  void baseUrlDropsOneTrailingSlash() {
    assertThat(new ListenerEndpoint("", "http://h:1/p/r1/").baseUrl()).isEqualTo("http://h:1/p/r1");
    assertThat(new ListenerEndpoint("", "http://h:1/p/r1").baseUrl()).isEqualTo("http://h:1/p/r1");
    assertThat(new ListenerEndpoint("", "http://h:1/").baseUrl()).isEqualTo("http://h:1");
    assertThat(new ListenerEndpoint("", "https://h").isHttp()).isTrue();
    assertThat(new ListenerEndpoint("", "HTTPS://h").isHttp()).isTrue();
    assertThat(new ListenerEndpoint("", "httpx://h").isHttp()).isFalse();
    assertThat(new ListenerEndpoint("", "http:/h").isHttp()).isFalse();
  }

  @Test
  void equalityFollowsThePublishedString() {
    String s = "{\"Endpoints\":{\"\":\"http://h:1\"}}";
    assertThat(EndpointAddresses.parse(s))
        .isEqualTo(EndpointAddresses.parse(s))
        .hasSameHashCodeAs(EndpointAddresses.parse(s));
    assertThat(EndpointAddresses.parse(s)).isNotEqualTo(EndpointAddresses.parse(" " + s));
  }
}
