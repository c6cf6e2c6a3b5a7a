package dev.portico.fabric.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FabricErrorTest {

  @Test
  void parsesTheErrorEnvelope() {
    FabricError e =
        FabricError.parse(
            "{\"Error\":{\"Code\":\"FABRIC_E_SERVICE_DOES_NOT_EXIST\",\"Message\":\"Service does not exist.\"}}");
    assertThat(e.code()).isEqualTo("FABRIC_E_SERVICE_DOES_NOT_EXIST");
    assertThat(e.message()).isEqualTo("Service does not exist.");
    assertThat(e.httpStatus()).isEqualTo(404);
    assertThat(e.isKnown()).isTrue();
    assertThat(e.isTransient()).isFalse();
    assertThat(e.toString()).isEqualTo("FABRIC_E_SERVICE_DOES_NOT_EXIST: Service does not exist.");
  }

  @Test
  void mapsEveryReferenceCodeToItsStatus() {
    Map<String, Integer> expected =
        Map.ofEntries(
            Map.entry("FABRIC_E_INVALID_PARTITION_KEY", 400),
            Map.entry("FABRIC_E_INVALID_NAME_URI", 400),
            Map.entry("FABRIC_E_SERVICE_DOES_NOT_EXIST", 404),
            Map.entry("FABRIC_E_APPLICATION_NOT_FOUND", 404),
            Map.entry("FABRIC_E_PARTITION_NOT_FOUND", 404),
            Map.entry("FABRIC_E_SERVICE_OFFLINE", 503),
            Map.entry("FABRIC_E_NOT_PRIMARY", 503),
            Map.entry("FABRIC_E_NOT_READY", 503),
            Map.entry("FABRIC_E_RECONFIGURATION_PENDING", 503),
            Map.entry("FABRIC_E_COMMUNICATION_ERROR", 504),
            Map.entry("FABRIC_E_OPERATION_NOT_COMPLETE", 504),
            Map.entry("FABRIC_E_TIMEOUT", 504));
    expected.forEach(
        (code, status) -> {
          assertThat(FabricError.httpStatusOf(code)).as(code).isEqualTo(status);
          assertThat(new FabricError(code, "").isTransient()).as(code).isEqualTo(status >= 503);
        });
    assertThat(FabricError.httpStatusOf("FABRIC_E_SOMETHING_NEW")).isEqualTo(500);
    assertThat(FabricError.httpStatusOf("fabric_e_timeout")).isEqualTo(500); // codes are exact
    assertThat(FabricError.httpStatusOf(null)).isEqualTo(500);
  }

  @Test
  void toleratesMissingAndOddFields() {
    assertThat(FabricError.parse("{\"Error\":{\"Code\":\"FABRIC_E_TIMEOUT\"}}"))
        .isEqualTo(new FabricError("FABRIC_E_TIMEOUT", ""));
    assertThat(FabricError.parse("{\"Error\":{\"Message\":\"boom\"}}"))
        .isEqualTo(new FabricError("", "boom"));
    assertThat(FabricError.parse("{\"Error\":{}}")).isEqualTo(new FabricError("", ""));
    assertThat(FabricError.parse("{}").httpStatus()).isEqualTo(500);
    assertThat(FabricError.parse("{\"Code\":\"FABRIC_E_NOT_READY\",\"Message\":\"m\"}"))
        .isEqualTo(new FabricError("FABRIC_E_NOT_READY", "m"));
    assertThat(FabricError.parse("{\"Error\":{\"Code\":-2147017731,\"Message\":\"m\"}}").code())
        .isEqualTo("-2147017731");
    assertThat(FabricError.parse("<html>Bad Gateway</html>\n"))
        .isEqualTo(new FabricError("", "<html>Bad Gateway</html>"));
    assertThat(FabricError.parse("")).isEqualTo(new FabricError("", ""));
    assertThat(FabricError.parse(null)).isEqualTo(new FabricError("", ""));
    assertThat(FabricError.fromJson(null)).isEqualTo(new FabricError("", ""));
    assertThat(FabricError.fromJson(new JsonObject().put("Error", "text")))
        .isEqualTo(new FabricError("", ""));
    assertThat(new FabricError(null, null)).isEqualTo(new FabricError("", ""));
  }
}
