package dev.portico.fabric.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.fabric.FabricName;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImporterConfigTest {

  @Test
  void defaultsAndNormalisedEndpoints() {
    ImporterConfig c = ImporterConfig.of("http://cluster:19080/", "https://backup:19080/sf//");
    assertThat(c.name()).isEqualTo("sf-importer");
    assertThat(c.managementEndpoints())
        .containsExactly(URI.create("http://cluster:19080"), URI.create("https://backup:19080/sf"));
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.staleAfter()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.staleAfterFailures()).isEqualTo(3);
    assertThat(c.applications()).isEmpty();
    assertThat(c.tls()).isNull();

    ImporterConfig slow =
        ImporterConfig.builder("http://c:19080").interval(Duration.ofMinutes(5)).build();
    assertThat(slow.staleAfter())
        .as("defaults follow the final interval")
        .isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void reportsEveryProblemAtOnce() {
    InvalidImporterConfigException e =
        catchThrowableOfType(
            InvalidImporterConfigException.class,
            () ->
                ImporterConfig.builder(
                        "ftp://cluster:19080",
                        "http://c:19080?x=1",
                        "http://c:19080/",
                        "http://c:19080")
                    .name("my importer")
                    .interval(Duration.ZERO)
                    .requestTimeout(Duration.ofMillis(-5))
                    .staleAfter(Duration.ofMillis(1), 0)
                    .parallelism(0)
                    .applications(
                        List.of(FabricName.parse("fabric:/A"), FabricName.parse("fabric:/A")))
                    .tls(ImporterConfig.Tls.pem("cert.pem", null, null, false, true))
                    .build());
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("name \"my importer\""));
    assertThat(e.problems())
        .anySatisfy(
            p -> assertThat(p).contains("managementEndpoints[0]").contains("http or https"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("managementEndpoints[1]").contains("query"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("managementEndpoints[3]").contains("listed twice"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("interval must be at least 10ms"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("requestTimeout"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("staleAfterFailures must be at least 1"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("parallelism"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("lists fabric:/A twice"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("certPath and tls.keyPath go together"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("no management endpoint uses https"));
    assertThat(e.getMessage()).startsWith("Invalid Service Fabric importer configuration: ");

    assertThatThrownBy(() -> ImporterConfig.of())
        .hasMessageContaining("at least one http(s)://host:port URL");
    assertThatThrownBy(
            () ->
                ImporterConfig.builder("http://c:19080")
                    .interval(Duration.ofMinutes(1))
                    .staleAfter(Duration.ofSeconds(30), 3)
                    .build())
        .hasMessageContaining(
            "staleAfter (PT30S) must be positive and at least the interval (PT1M)");
  }

  @Test
  void readsJsonWithIsoDurationsAsTheGatewayConfigurationDoes() {
    ImporterConfig c =
        ImporterConfig.fromJson(
            new JsonObject(
                """
                {"name": "sf-east",
                 "managementEndpoints": ["https://east-1:19080", "https://east-2:19080"],
                 "interval": "PT15S", "requestTimeout": "PT2.5S", "staleAfter": "PT2M", "staleAfterFailures": 4,
                 "applications": ["fabric:/Shop", "fabric:/myapp/app1"], "parallelism": 4,
                 "tls": {"certPath": "/certs/client.pem", "keyPath": "/certs/client.key", "caPath": "/certs/ca.pem",
                         "verifyHost": false}}
                """));
    assertThat(c.name()).isEqualTo("sf-east");
    assertThat(c.managementEndpoints()).hasSize(2);
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(c.staleAfter()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.staleAfterFailures()).isEqualTo(4);
    assertThat(c.applications())
        .containsExactly(FabricName.parse("fabric:/Shop"), FabricName.parse("fabric:/myapp/app1"));
    assertThat(c.parallelism()).isEqualTo(4);
    assertThat(c.tls())
        .isEqualTo(
            ImporterConfig.Tls.pem(
                "/certs/client.pem", "/certs/client.key", "/certs/ca.pem", false, false));

    InvalidImporterConfigException e =
        catchThrowableOfType(
            InvalidImporterConfigException.class,
            () ->
                ImporterConfig.fromJson(
                    new JsonObject(
                        """
                        {"managementEndpoints": ["http://c:19080", 5, "http://exa mple"], "interval": "soon", "requestTimeout": "10s",
                         "staleAfter": 2500,
                         "applications": ["Shop"], "staleAfterFailures": "3", "tls": true}
                        """)));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("managementEndpoints[1] must be a string"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("managementEndpoints[2]").contains("not a URL"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("interval \"soon\" is not a duration"));
    // one duration syntax across Portico: the shorthand and bare milliseconds of old are refused
    assertThat(e.problems())
        .anySatisfy(
            p -> assertThat(p).contains("requestTimeout \"10s\" is not a duration: ISO 8601"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("staleAfter \"2500\" is not a duration"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("applications[0]").contains("fabric:/"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("staleAfterFailures must be an integer"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("tls must be an object"));
  }

  @Test
  void readsPinsAndAPkcs12ClientCertificateAndRejectsContradictions() {
    ImporterConfig c =
        ImporterConfig.fromJson(
            new JsonObject(
                """
                {"managementEndpoints": ["https://10.0.0.4:19080"],
                 "tls": {"pfxPath": "/certs/client.pfx", "pfxPassword": "pw",
                         "serverCertificateThumbprints": ["ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01"],
                         "serverX509Names": [{"name": "cluster.example", "issuerCertificateThumbprint":
                                              "0123456789abcdef0123456789abcdef01234567"}]}}
                """));
    assertThat(c.tls().clientCertificate()).isInstanceOf(io.vertx.core.net.PfxOptions.class);
    assertThat(c.tls().serverCertificateThumbprints())
        .containsExactly("ABCDEF0123456789ABCDEF0123456789ABCDEF01");
    assertThat(c.tls().serverX509Names())
        .containsExactly(
            new ImporterConfig.ServerName(
                "cluster.example", "0123456789ABCDEF0123456789ABCDEF01234567"));
    assertThat(c.tls().pinsServer()).isTrue();

    InvalidImporterConfigException e =
        catchThrowableOfType(
            InvalidImporterConfigException.class,
            () ->
                ImporterConfig.fromJson(
                    new JsonObject(
                        """
                        {"managementEndpoints": ["https://c:19080"],
                         "tls": {"certPath": "/c.pem", "keyPath": "/k.pem", "pfxPath": "/c.pfx", "trustAll": true,
                                 "serverCertificateThumbprints": ["xyz", 5],
                                 "serverX509Names": [{"issuerCertificateThumbprint": "12"}, "cluster"]}}
                        """)));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("two client certificates"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("serverCertificateThumbprints[0] \"XYZ\" is not"));
    assertThat(e.problems())
        .anySatisfy(
            p -> assertThat(p).contains("serverCertificateThumbprints[1] must be a string"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("serverX509Names[0] needs a name"));
    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("serverX509Names[1] must be an object"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("trustAll contradicts"));
    assertThatThrownBy(
            () ->
                ImporterConfig.fromJson(
                    new JsonObject(
                        """
                {"managementEndpoints": ["https://c:19080"], "tls": {"pfxPassword": "pw"}}
                """)))
        .hasMessageContaining("tls.pfxPassword without tls.pfxPath");
  }
}
