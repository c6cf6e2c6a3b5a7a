package dev.portico.gateway.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link YamlDocuments#parse} builds plain documents straight from SnakeYAML's parser events: it
 * must give exactly what SnakeYAML's own construction gives ({@link YamlDocuments#constructed}),
 * and the same errors.
 */
class YamlDocumentsTest {

  private static final int LIMIT = 1 << 20;

  private static final List<String> DOCUMENTS =
      List.of(
          // plain configuration shapes
          "listeners:\n  traffic: { host: 127.0.0.1, port: 8080 }\napis:\n"
              + "  - { id: a, path: /a, backend: b, retry: { count: 2 } }\n"
              + "  - id: c\n    path: /c\n    operations: [ { method: GET, path: /x } ]\n",
          // scalars of every implicit type, and keys that are not strings
          "s: text\ni: 42\nbig: 12345678901234567890\nf: 1.5\ninf: .inf\nnan: .nan\nhex: 0x1F\n"
              + "oct: 0o17\nb: yes\nn: ~\nd: 2026-12-05\nts: 2026-12-05T10:15:30Z\nq: '1'\n"
              + "1: one\ntrue: t\n~: nothing\nbin: !!binary aGVsbG8=\nempty: {}\nlist: []\n"
              + "2026-12-05: a date as a key\n",
          // anchors and aliases (the aliased value copied at each use)
          "defaults: &d { timeout: 5s, retries: 2 }\na: *d\nb: [*d, *d]\n",
          // merge keys (SnakeYAML's construction)
          "base: &b { x: 1, y: 2 }\nderived:\n  <<: *b\n  y: 3\n",
          "one: &o { a: 1 }\ntwo: &t { b: 2 }\nboth: { <<: [*o, *t], c: 3 }\n",
          // explicit tags (SnakeYAML's construction)
          "set: !!set { a, b }\nomap: !!omap [ { a: 1 }, { b: 2 } ]\nstr: !!str 12\n",
          // a key that reads as the same string as another one: the last wins, as before
          "1: int\n'1': string\n",
          // nested sequences and mappings
          "a: [1, [2, [3, { b: [4] }]], { c: { d: { e: null } } }]\n",
          // tags on scalars, and an anchored scalar
          "s: !!str 12\ni: !!int '7'\nbin: !!binary aGVsbG8=\nx: &x 5\ny: *x\nn: !!null ''\n",
          // a document with comments only, and one with its start and end markers
          "# nothing\n",
          "%YAML 1.1\n---\na: 1\n...\n",
          // empty and null documents
          "",
          "---\n",
          "~\n",
          "!!null ''\n",
          // integers: the small decimal ones read directly, the others (octal, binary, sexagesimal,
          // underscores, beyond an int) by SnakeYAML's constructor, as keys and values
          "a: 0\nb: -0\nc: +0\nd: 7\ne: +12\nf: -345\ng: 123456789\nh: 1234567890\n"
              + "i: -2147483648\nj: 99999999999999999999\nk: 017\nl: 0o17\nm: 0b101\nn: 1_000\n"
              + "o: 1:30\np: 0x1F\nq: '12'\nr: !!int 12\n12: twelve\n-3: minus three\n"
              + "s: [1, 22, 333, -4444]\n",
          // strings that begin as another type's scalars do (SnakeYAML's rules tried and failed)
          // next to strings no rule applies to
          "o: online\nn: nothing\nt: tuesday\nnum: 12ab\ndot: .hidden\nplus: +x\nminus: -y\n"
              + "lt: <x\nz: 0x\ntilde: ~x\nnul: Nul\nw: word\nslash: /a/b\nu: _u\n");

  @Test
  void everyDocumentReadsAsSnakeYamlConstructsIt() {
    for (String text : DOCUMENTS) {
      JsonObject expected = YamlDocuments.constructed(text.isBlank() ? "{}" : text, LIMIT);
      assertThat(YamlDocuments.parse(text, LIMIT)).as(text).isEqualTo(expected);
      assertThat(YamlDocuments.parse(text, LIMIT).encode()).as(text).isEqualTo(expected.encode());
    }
  }

  @Test
  void plainDocumentsAreBuiltDirectlyAndTheRestBySnakeYaml() {
    // plain ones (tagged scalars too) are built directly; merge keys, tagged collections and two
    // keys of one text (1 and '1') go to SnakeYAML
    for (int i : new int[] {0, 1, 2, 7, 8, 9, 10, 15, 16}) {
      assertThat(YamlDocuments.direct(DOCUMENTS.get(i), LIMIT)).as(DOCUMENTS.get(i)).isNotNull();
    }
    for (int i : new int[] {3, 4, 5, 6}) {
      assertThat(YamlDocuments.direct(DOCUMENTS.get(i), LIMIT)).as(DOCUMENTS.get(i)).isNull();
    }
    assertThat(YamlDocuments.direct("a: 1\na: 2\n", LIMIT)).isNull();
  }

  @Test
  void smallDecimalsAreTheIntegersThatSkipTheConstructor() {
    for (String yes : List.of("0", "-0", "+0", "7", "+12", "-345", "123456789", "-999999999")) {
      assertThat(YamlDocuments.isSmallDecimal(yes)).as(yes).isTrue();
    }
    for (String no :
        List.of(
            "",
            "-",
            "+",
            "007",
            "01",
            "1234567890",
            "1_000",
            "1:30",
            "0x1F",
            "0b1",
            "1.5",
            "1e3",
            " 1",
            "١٢")) {
      assertThat(YamlDocuments.isSmallDecimal(no)).as(no).isFalse();
    }
  }

  @Test
  void eachUseOfAnAliasedCollectionIsItsOwn() {
    // the environment's overrides change the parsed document in place: one alias must not change
    // the others
    JsonObject doc = YamlDocuments.parse("d: &d { t: 5s, list: [1] }\na: *d\nb: *d\n", LIMIT);
    doc.getJsonObject("a").put("t", "9s");
    doc.getJsonObject("b").getJsonArray("list").add(2);
    assertThat(doc.getJsonObject("d").encode()).isEqualTo("{\"t\":\"5s\",\"list\":[1]}");
    assertThat(doc.getJsonObject("a").encode()).isEqualTo("{\"t\":\"9s\",\"list\":[1]}");
    assertThat(doc.getJsonObject("b").encode()).isEqualTo("{\"t\":\"5s\",\"list\":[1,2]}");
  }

  @Test
  void theErrorsAreSnakeYamlsOwn() {
    List<String> bad =
        List.of(
            "a: 1\nb:\n  c: 2\n  c: 3\n",
            "a: 1\na: 2\n",
            "a: [1, 2\n",
            "a: !custom 1\n",
            "- just\n- a list\n",
            "a scalar\n",
            "base: &b { x: 1 }\nd: { <<: *b, <<: *b }\n",
            "a: *undefined\n",
            "a: &r [ *r ]\n",
            "a: &r { b: *r }\n",
            // SnakeYAML's limits: nesting depth, aliases of collections
            "a: " + "[".repeat(60) + "]".repeat(60) + "\n",
            "a: &l [1]\nb: [" + "*l, ".repeat(60) + "*l]\n",
            // a second document, tags SnakeYAML refuses or cannot construct
            "a: 1\n---\nb: 2\n",
            "a: !<tag:example.com,2000:x> 1\n",
            "a: !!int nope\n",
            "a: !!map [1, 2]\n");
    for (String text : bad) {
      Throwable fast = catchThrowable(() -> YamlDocuments.parse(text, LIMIT));
      Throwable slow = catchThrowable(() -> YamlDocuments.constructed(text, LIMIT));
      if (slow == null) {
        assertThat(fast).as(text).isNull();
        assertThat(YamlDocuments.parse(text, LIMIT))
            .as(text)
            .isEqualTo(YamlDocuments.constructed(text, LIMIT));
      } else {
        assertThat(fast).as(text).isNotNull().hasSameClassAs(slow).hasMessage(slow.getMessage());
      }
    }
  }

  @Test
  void theSizeLimitStillHolds() {
    String text = "a: " + "x".repeat(200) + "\n";
    Throwable fast = catchThrowable(() -> YamlDocuments.parse(text, 100));
    Throwable slow = catchThrowable(() -> YamlDocuments.constructed(text, 100));
    assertThat(fast).isNotNull().hasSameClassAs(slow).hasMessage(slow.getMessage());
    assertThat(fast.getMessage()).contains("exceeds the limit");
  }
}
