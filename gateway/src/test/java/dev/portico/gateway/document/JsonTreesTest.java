package dev.portico.gateway.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tree the schema check validates is the one the document's text would read back as. */
class JsonTreesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void everyKindOfValueBecomesTheNodeItsTextWouldReadBackAs() throws Exception {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("raw", List.of(1, "two"));
    JsonObject doc =
        new JsonObject()
            .put("text", "a")
            .put("int", 7)
            .put("smallLong", 7L)
            .put("bigLong", 1L << 40)
            .put("smallBig", BigInteger.valueOf(-3))
            .put("longBig", BigInteger.valueOf(Long.MAX_VALUE))
            .put("hugeBig", BigInteger.TEN.pow(30))
            .put("double", 1.5)
            .put("wholeDouble", 2.0)
            .put("nan", Double.NaN)
            .put("infinity", Double.NEGATIVE_INFINITY)
            .put("float", 0.1f)
            .put("decimal", new BigDecimal("12.50"))
            .put("bool", true)
            .putNull("none")
            .put("instant", Instant.parse("2026-12-05T10:15:30.120Z"))
            .put("bytes", new byte[] {1, 2, 3})
            .put("list", new JsonArray().add(1).add(new JsonObject().put("k", List.of())).addNull())
            .put("map", raw)
            .put("nested", new JsonObject().put("deeper", new JsonObject().put("x", 1L)));
    assertThat(JsonTrees.tree(doc)).isEqualTo(MAPPER.readTree(doc.encode()));
  }

  @Test
  void aDocumentParsedFromJsonTextIsTheSameTree() throws Exception {
    String text =
        "{\"apis\":[{\"id\":\"a\",\"path\":\"/a\",\"retry\":{\"count\":2}}],"
            + "\"n\":12345678901,\"f\":1e3,\"neg\":-0.5,\"empty\":{},\"none\":null}";
    JsonObject doc = new JsonObject(text);
    assertThat(JsonTrees.tree(doc)).isEqualTo(MAPPER.readTree(doc.encode()));
  }

  @Test
  void aYamlDocumentIsTheSameTree() throws Exception {
    JsonObject doc =
        YamlDocuments.parse(
            "a: 1\nb: 1.5\nc: 2026-12-05\nd: [x, 10000000000, ~, yes]\ne: { f: .inf, g: 0x1F }\n",
            1 << 20);
    assertThat(JsonTrees.tree(doc)).isEqualTo(MAPPER.readTree(doc.encode()));
  }
}
