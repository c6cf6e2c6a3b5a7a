package dev.portico.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FabricNameTest {

  @Test
  void parsesApplicationAndServiceNames() {
    FabricName name = FabricName.parse("fabric:/MyApp/MyService");
    assertThat(name.segments()).containsExactly("MyApp", "MyService");
    assertThat(name.toString()).isEqualTo("fabric:/MyApp/MyService");
    assertThat(name.toRestId()).isEqualTo("MyApp~MyService");
    assertThat(name.application()).isEqualTo(FabricName.parse("fabric:/MyApp"));
    assertThat(name.application().toString()).isEqualTo("fabric:/MyApp");
    assertThat(name.isApplication()).isFalse();
    assertThat(name.lastSegment()).isEqualTo("MyService");
  }

  @Test
  void parsesDeeperNames() {
    FabricName name = FabricName.parseService("fabric:/myapp/app1/svc1");
    assertThat(name.segments()).containsExactly("myapp", "app1", "svc1");
    assertThat(name.toRestId()).isEqualTo("myapp~app1~svc1");
    assertThat(name.application().toString()).isEqualTo("fabric:/myapp");
    assertThat(name.parent()).contains(FabricName.of("myapp", "app1"));
    assertThat(FabricName.of("myapp").parent()).isEmpty();
  }

  @Test
  void restIdsAcceptTildeAndSlash() {
    FabricName expected = FabricName.parse("fabric:/myapp/app1/svc1");
    assertThat(FabricName.fromRestId("myapp~app1~svc1")).isEqualTo(expected);
    assertThat(FabricName.fromRestId("myapp/app1/svc1")).isEqualTo(expected);
    assertThat(FabricName.fromRestId("myapp~app1/svc1")).isEqualTo(expected);
    assertThat(FabricName.fromRestId("MyApp")).isEqualTo(FabricName.parse("fabric:/MyApp"));
  }

  @Test
  void roundTripsBothWays() {
    for (String text :
        List.of("fabric:/A", "fabric:/A/B", "fabric:/a.b/c-d/e_f/G%20H", "fabric:/x/y/z/w")) {
      FabricName name = FabricName.parse(text);
      assertThat(name.toString()).isEqualTo(text);
      assertThat(FabricName.fromRestId(name.toRestId())).isEqualTo(name);
      assertThat(FabricName.parse(name.toString())).isEqualTo(name);
    }
  }

  @Test
  void equalityIsCaseSensitive() {
    assertThat(FabricName.parse("fabric:/App/Service"))
        .isNotEqualTo(FabricName.parse("fabric:/app/service"));
    assertThat(FabricName.parse("fabric:/App/Service"))
        .isEqualTo(FabricName.parse("fabric:/App/Service"));
    assertThat(FabricName.parse("fabric:/App/Service").hashCode())
        .isEqualTo(FabricName.parse("fabric:/App/Service").hashCode());
  }

  @Test
  void schemeIsMatchedIgnoringCaseAndWrittenInLowerCase() {
    assertThat(FabricName.parse("Fabric:/App/Svc").toString()).isEqualTo("fabric:/App/Svc");
    assertThat(FabricName.isFabricUrl("FABRIC:/x")).isTrue();
    assertThat(FabricName.isFabricUrl("fabric:/App/Svc")).isTrue();
    assertThat(FabricName.isFabricUrl("http://host:8080/base")).isFalse();
    assertThat(FabricName.isFabricUrl("fab")).isFalse();
    assertThat(FabricName.isFabricUrl(null)).isFalse();
  }

  @Test
  void tryParseDoesNotThrow() {
    assertThat(FabricName.tryParse("fabric:/A/B")).contains(FabricName.of("A", "B"));
    assertThat(FabricName.tryParse("http://x")).isEqualTo(Optional.empty());
    assertThat(FabricName.tryParse(null)).isEmpty();
  }

  @Test
  void ancestry() {
    FabricName app = FabricName.parse("fabric:/myapp");
    FabricName mid = FabricName.parse("fabric:/myapp/app1");
    FabricName svc = FabricName.parse("fabric:/myapp/app1/svc1");
    assertThat(app.isAncestorOf(svc)).isTrue();
    assertThat(mid.isAncestorOf(svc)).isTrue();
    assertThat(svc.isAncestorOf(svc)).isFalse();
    assertThat(svc.isAncestorOf(mid)).isFalse();
    assertThat(FabricName.parse("fabric:/MyApp").isAncestorOf(svc)).isFalse();
    assertThat(FabricName.parse("fabric:/my").isAncestorOf(svc)).isFalse();
  }

  static Stream<Arguments> malformedNames() {
    return Stream.of(
        arguments("MyApp/MyService", "does not start with the 'fabric:/' scheme"),
        arguments("http://x/y", "does not start with the 'fabric:/' scheme"),
        arguments(" fabric:/A/B", "starts with whitespace"),
        arguments("fabric:", "names no application"),
        arguments("fabric:/", "fabric:/ alone is the cluster root"),
        arguments("fabric:App/Svc", "expected '/' after 'fabric:'"),
        arguments("fabric:/App/Svc/", "trailing '/'"),
        arguments("fabric:/App//Svc", "segment 2 \"\" is empty (a '//' in the name)"),
        arguments("fabric://App/Svc", "segment 1 \"\" is empty"),
        arguments("fabric:/App/My Svc", "segment 2 \"My Svc\" contains whitespace"),
        arguments("fabric:/App/Svc ", "segment 2 \"Svc \" contains whitespace"),
        arguments("fabric:/App/S~vc", "segment 2 \"S~vc\" contains '~'"),
        arguments("fabric:/App/Svc?x=1", "contains '?'"),
        arguments("fabric:/App/Svc#f", "contains '#'"),
        arguments("fabric:/App/..", "relative path step"),
        arguments("fabric:/App\\Svc", "contains '\\'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedNames")
  void rejectsMalformedNamesWithClearMessages(String input, String messagePart) {
    assertThatThrownBy(() -> FabricName.parse(input))
        .isInstanceOf(InvalidFabricNameException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(messagePart)
        .hasMessageContaining("\"" + input + "\"");
  }

  @Test
  void rejectsNullEmptyAndTabs() {
    assertThatThrownBy(() -> FabricName.parse(null))
        .isInstanceOf(InvalidFabricNameException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> FabricName.parse(""))
        .isInstanceOf(InvalidFabricNameException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> FabricName.parse("fabric:/App/S\tvc"))
        .hasMessageContaining("whitespace");
    assertThatThrownBy(() -> FabricName.parse("fabric:/App/S\u0001vc"))
        .hasMessageContaining("control character");
  }

  @Test
  void serviceNameRequiresMoreThanAnApplication() {
    assertThat(FabricName.parse("fabric:/App").isApplication()).isTrue();
    assertThatThrownBy(() -> FabricName.parseService("fabric:/App"))
        .isInstanceOf(InvalidFabricNameException.class)
        .hasMessageContaining("names only the application fabric:/App")
        .hasMessageContaining("a service name (fabric:/App/Service) is required");
  }

  @Test
  void rejectsMalformedRestIds() {
    assertThatThrownBy(() -> FabricName.fromRestId("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> FabricName.fromRestId(null)).hasMessageContaining("null");
    assertThatThrownBy(() -> FabricName.fromRestId("fabric:/App/Svc"))
        .isInstanceOf(InvalidFabricNameException.class)
        .hasMessageContaining("drops 'fabric:/'");
    assertThatThrownBy(() -> FabricName.fromRestId("App~~Svc"))
        .hasMessageContaining("segment 2 \"\" is empty")
        .hasMessageContaining("doubled separator");
    assertThatThrownBy(() -> FabricName.fromRestId("~App")).hasMessageContaining("segment 1");
    assertThatThrownBy(() -> FabricName.fromRestId("App~")).hasMessageContaining("segment 2");
    assertThatThrownBy(() -> FabricName.fromRestId("App~My Svc"))
        .hasMessageContaining("whitespace");
  }

  @Test
  void constructorValidatesSegmentsToo() {
    assertThatThrownBy(() -> FabricName.of()).isInstanceOf(InvalidFabricNameException.class);
    assertThatThrownBy(() -> FabricName.of("App", "a/b")).hasMessageContaining("contains '/'");
    assertThatThrownBy(() -> FabricName.of("App", "a~b")).hasMessageContaining("'~'");
    assertThatThrownBy(() -> new FabricName(null)).isInstanceOf(InvalidFabricNameException.class);
  }

  @Test
  void segmentsAreImmutable() {
    List<String> source = new java.util.ArrayList<>(List.of("A", "B"));
    FabricName name = new FabricName(source);
    source.set(1, "C");
    assertThat(name.toString()).isEqualTo("fabric:/A/B");
    assertThatThrownBy(() -> name.segments().add("X"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
