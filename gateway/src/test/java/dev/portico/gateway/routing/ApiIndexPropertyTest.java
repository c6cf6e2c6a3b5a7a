package dev.portico.gateway.routing;

import static dev.portico.gateway.support.TestConfigs.api;
import static dev.portico.gateway.support.TestConfigs.operation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.backend.Backend;
import dev.portico.gateway.config.ApiConfig;
import dev.portico.gateway.config.OperationConfig;
import dev.portico.gateway.config.RetryConfig;
import dev.portico.gateway.expression.PathTemplate;
import dev.portico.gateway.routing.internal.PrefixIndex;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The indexed {@link ApiTable} against a naive reference matcher (every API's prefix tried, longest
 * first, then its operations most specific first: the matcher the index replaced), on generated API
 * sets and request paths. Segments come from a small alphabet so that prefixes nest, overlap and
 * share text ({@code /a} and {@code /ab}), and paths take every shape a boundary can: trailing and
 * doubled slashes, empty paths, paths that are not origin-form.
 */
class ApiIndexPropertyTest {

  private static final String[] SEGMENTS = {"a", "b", "ab", "ba", "a.b", "x1", "%20", "A"};
  private static final String[] TEMPLATES = {
    "/", "/{id}", "/a", "/a/{id}", "/{id}/b", "/*", "/a/*", "/{x}/{y}", "/ab/{id}/*", "/b"
  };
  private static final String[] METHODS = {"GET", "POST", "*"};
  private static final HttpMethod[] REQUEST_METHODS = {
    HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT
  };

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void indexedTableAgreesWithTheNaiveMatcher(long seed) {
    Random random = new Random(seed);
    for (int round = 0; round < 25; round++) {
      List<ApiConfig> configs = apis(random);
      Map<String, Backend> backends = Map.of("b", RoutingTest.backend("b"));
      ApiTable table = ApiTable.build(configs, backends);
      Reference reference = new Reference(configs);
      for (int p = 0; p < 400; p++) {
        String path = path(random);
        HttpMethod method = REQUEST_METHODS[random.nextInt(REQUEST_METHODS.length)];
        String context =
            "seed "
                + seed
                + " round "
                + round
                + " apis "
                + prefixes(configs)
                + " "
                + method
                + " '"
                + path
                + "'";
        Route got = table.match(method, path);
        String[] want = reference.match(method, path);
        if (want == null) {
          assertThat(got).as(context).isNull();
        } else {
          assertThat(got).as(context).isNotNull();
          assertThat(new String[] {got.apiId(), got.operationId()})
              .as(context)
              .containsExactly(want);
        }
        assertThat(table.apiId(path)).as(context).isEqualTo(reference.apiId(path));
      }
    }
  }

  /**
   * The index alone, on arbitrary strings over {@code a}, {@code b} and {@code /}: prefixes with
   * trailing or doubled slashes, or without a leading one, which configuration never produces but
   * the boundary rule still defines.
   */
  @ParameterizedTest
  @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110})
  void prefixIndexAgreesWithStartsWithOnArbitraryStrings(long seed) {
    Random random = new Random(seed);
    for (int round = 0; round < 50; round++) {
      int count = random.nextInt(30);
      List<String> prefixes = new ArrayList<>();
      List<Integer> values = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        prefixes.add(word(random, random.nextInt(7)));
        values.add(i);
      }
      PrefixIndex<Integer> index = PrefixIndex.build(prefixes, values);
      for (int k = 0; k < 300; k++) {
        String path = word(random, random.nextInt(10));
        assertThat(index.longestMatch(path))
            .as("seed %d prefixes %s path '%s'", seed, prefixes, path)
            .isEqualTo(longestByTheRule(prefixes, path));
      }
    }
  }

  /**
   * The same on segments of up to 20 characters, some above 255 ({@code ж}) or just below ({@code
   * é}): the index compares a short Latin-1 segment as packed bytes and any other by its text, and
   * both must give what the boundary rule gives. Prefixes are cut from the paths, so most probes
   * walk into the index before they differ.
   */
  @ParameterizedTest
  @ValueSource(longs = {201, 202, 203, 204, 205, 206})
  void prefixIndexAgreesWithStartsWithOnLongAndWideSegments(long seed) {
    Random random = new Random(seed);
    for (int round = 0; round < 50; round++) {
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        paths.add(longSegments(random));
      }
      List<String> prefixes = new ArrayList<>();
      List<Integer> values = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        String p = paths.get(random.nextInt(paths.size()));
        prefixes.add(p.substring(0, random.nextInt(p.length() + 1)));
        values.add(i);
      }
      PrefixIndex<Integer> index = PrefixIndex.build(prefixes, values);
      for (String path : paths) {
        for (String probe : List.of(path, path + "/x", mutate(random, path))) {
          assertThat(index.longestMatch(probe))
              .as("seed %d prefixes %s path '%s'", seed, prefixes, probe)
              .isEqualTo(longestByTheRule(prefixes, probe));
        }
      }
    }
  }

  /**
   * The index of the longest prefix that {@code path} starts with on a segment boundary (the first
   * of equal ones), by a scan of them all: what the index must answer.
   */
  private static Integer longestByTheRule(List<String> prefixes, String path) {
    Integer want = null;
    int wantLength = -1;
    for (int i = 0; i < prefixes.size(); i++) {
      String p = prefixes.get(i);
      if (p.length() > wantLength
          && path.startsWith(p)
          && (path.length() == p.length() || path.charAt(p.length()) == '/')) {
        want = i;
        wantLength = p.length();
      }
    }
    return want;
  }

  /** One to three segments of 0 to 20 characters, mostly {@code a} and {@code b}. */
  private static String longSegments(Random random) {
    StringBuilder sb = new StringBuilder();
    for (int s = 1 + random.nextInt(3); s > 0; s--) {
      sb.append('/');
      for (int n = random.nextInt(21); n > 0; n--) {
        sb.append("aaabbbéж".charAt(random.nextInt(8)));
      }
    }
    return sb.toString();
  }

  /** The path with one character replaced (not a '/'), when it has one to replace. */
  private static String mutate(Random random, String path) {
    int i = random.nextInt(path.length());
    if (path.charAt(i) == '/') {
      return path;
    }
    char[] c = path.toCharArray();
    c[i] = "abéж".charAt(random.nextInt(4));
    return new String(c);
  }

  /**
   * "Aa" and "BB" share String's hash: a hit must be confirmed by its whole text, not by its hash
   * and last segment.
   */
  @Test
  void prefixesWithEqualHashesAreToldApart() {
    assertThat("/Aa/x".hashCode()).isEqualTo("/BB/x".hashCode());
    PrefixIndex<String> index =
        PrefixIndex.build(List.of("/Aa/x", "/BB/y"), List.of("Aa-x", "BB-y"));
    assertThat(index.longestMatch("/BB/x")).isNull();
    assertThat(index.longestMatch("/Aa/x/1")).isEqualTo("Aa-x");
    assertThat(index.longestMatch("/BB/y")).isEqualTo("BB-y");
    assertThat(index.longestMatch("/Aa/y")).isNull();
  }

  /**
   * The same where a short segment is compared as packed bytes: equal hashes ("Aa", "BB" and
   * ";\u011b" share one) in a segment's first seven characters, in its next seven (up to the 14th),
   * and past the 14th (compared by text), and with a character above 255 in the path.
   */
  @Test
  void packedSegmentsWithEqualHashesAreToldApart() {
    assertThat("Aa".hashCode()).isEqualTo(";\u011b".hashCode());
    List<String> prefixes =
        List.of(
            "/Aa",
            "/s/abcdefgAa",
            "/s/abcdefghijkAa",
            "/s/abcdefghijklAa",
            "/s/abcdefghijklmAa",
            "/w/ж");
    PrefixIndex<String> index = PrefixIndex.build(prefixes, prefixes);
    for (String p : prefixes) {
      assertThat(index.longestMatch(p)).isEqualTo(p);
      assertThat(index.longestMatch(p + "/x")).isEqualTo(p);
      String twin = p.replace("Aa", "BB");
      if (!twin.equals(p)) {
        assertThat(twin.hashCode()).isEqualTo(p.hashCode());
        assertThat(index.longestMatch(twin)).as(twin).isNull();
      }
    }
    assertThat(index.longestMatch("/;\u011b")).isNull();
    assertThat(index.longestMatch("/s/abcdefg;\u011b")).isNull();
    assertThat(index.longestMatch("/w/x")).isNull();
  }

  private static String word(Random random, int length) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.append("ab/".charAt(random.nextInt(3)));
    }
    return sb.toString();
  }

  /** Up to 40 APIs; the odd duplicate prefix (the first must win) and the root API now and then. */
  private static List<ApiConfig> apis(Random random) {
    int count = 1 + random.nextInt(40);
    List<ApiConfig> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String prefix = random.nextInt(15) == 0 ? "/" : segments(random, 1 + random.nextInt(3));
      List<OperationConfig> ops = new ArrayList<>();
      if (random.nextBoolean()) {
        int n = 1 + random.nextInt(4);
        for (int k = 0; k < n; k++) {
          ops.add(
              operation(
                  "op" + k,
                  METHODS[random.nextInt(METHODS.length)],
                  TEMPLATES[random.nextInt(TEMPLATES.length)],
                  null));
        }
      }
      out.add(api("api" + i, prefix, "b", ops, RetryConfig.NONE));
    }
    return out;
  }

  private static String path(Random random) {
    switch (random.nextInt(12)) {
      case 0:
        return "";
      case 1:
        return "/";
      case 2:
        return SEGMENTS[random.nextInt(SEGMENTS.length)] + segments(random, random.nextInt(3));
      default:
        String p = segments(random, 1 + random.nextInt(5));
        int shape = random.nextInt(6);
        if (shape == 0) {
          return p + "/";
        }
        if (shape == 1) {
          int cut = 1 + random.nextInt(p.length());
          return p.substring(0, cut) + "/" + p.substring(cut);
        }
        if (shape == 2) {
          return p.substring(0, 1 + random.nextInt(p.length()));
        }
        return p;
    }
  }

  private static String segments(Random random, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
    }
    return sb.toString();
  }

  private static List<String> prefixes(List<ApiConfig> configs) {
    return configs.stream().map(ApiConfig::path).toList();
  }

  /** The matcher before the index: a linear scan of the prefixes, longest first (stable). */
  private static final class Reference {
    private record Op(String id, HttpMethod method, PathTemplate template) {}

    private record Api(String id, String prefix, List<Op> ops) {}

    private final List<Api> apis = new ArrayList<>();

    Reference(List<ApiConfig> configs) {
      Map<String, Integer> order = new HashMap<>();
      for (ApiConfig c : configs) {
        List<Op> ops = new ArrayList<>();
        for (OperationConfig o : c.operations()) {
          ops.add(
              new Op(
                  o.id(),
                  o.method().equals("*") ? null : HttpMethod.valueOf(o.method()),
                  PathTemplate.parse(o.path())));
        }
        ops.sort(Comparator.comparing(Op::template));
        apis.add(new Api(c.id(), c.path().equals("/") ? "" : c.path(), ops));
        order.put(c.id(), order.size());
      }
      apis.sort(Comparator.comparingInt((Api a) -> a.prefix.length()).reversed());
    }

    String apiId(String path) {
      Api api = api(path);
      return api == null ? null : api.id;
    }

    String[] match(HttpMethod method, String path) {
      Api api = api(path);
      if (api == null) {
        return null;
      }
      if (api.ops.isEmpty()) {
        return new String[] {api.id, null};
      }
      for (Op op : api.ops) {
        if ((op.method == null || op.method.equals(method))
            && op.template.matches(path, api.prefix.length())) {
          return new String[] {api.id, op.id};
        }
      }
      return null;
    }

    private Api api(String path) {
      for (Api api : apis) {
        String p = api.prefix;
        if (path.startsWith(p) && (path.length() == p.length() || path.charAt(p.length()) == '/')) {
          return api;
        }
      }
      return null;
    }
  }
}
