package dev.portico.bench;

import dev.portico.gateway.policy.Policy;
import dev.portico.gateway.policy.PolicyChain;
import dev.portico.gateway.policy.PolicyCompiler;
import dev.portico.gateway.policy.PolicyEnvironment;
import dev.portico.gateway.policy.PolicyOutcome;
import dev.portico.gateway.policy.PolicyRequest;
import dev.portico.gateway.policy.config.PolicyConfigBinder;
import dev.portico.gateway.policy.config.PolicyProblem;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.math.BigInteger;
import java.net.Socket;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What each policy costs per request, apart from I/O (the Redis benchmark includes its round trip
 * to a redis-server on loopback, started here on port 18190 when {@code redis-server} is
 * installed). Average time per decision, one thread. Run:
 *
 * <pre>java -jar bench/jmh/target/benchmarks.jar PolicyBenchmarks -f 1 -wi 3 -w 2s -i 5 -r 2s</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class PolicyBenchmarks {

  static final int REDIS_PORT = 18190;

  private Vertx vertx;
  private Process redisServer;
  private Redis redis;
  private Policy rateLimitOneKey;
  private Policy rateLimitManyKeys;
  private Policy rateLimitRedis;
  private Policy jwtCached;
  private Policy jwtUncached;
  private Policy corsActual;
  private Policy corsPreflight;
  private Policy setHeaderConstant;
  private Policy setHeaderClaim;
  private Policy rewrite;
  private Policy ipFilter;
  private PolicyChain typicalChain;
  private Req plain;
  private Req[] manyKeys;
  private Req bearer;
  private Req preflight;
  private int next;

  @Setup
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    redis = startRedis();
    PolicyEnvironment env =
        PolicyEnvironment.builder(vertx).redis(redis).namedValues(Map.of("key", "k-1")).build();

    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();
    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
    JWTAuth signer =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions()
                        .setAlgorithm("RS256")
                        .setId("k1")
                        .setBuffer(
                            "-----BEGIN PRIVATE KEY-----\n"
                                + Base64.getMimeEncoder()
                                    .encodeToString(pair.getPrivate().getEncoded())
                                + "\n-----END PRIVATE KEY-----\n")));
    String token =
        signer.generateToken(
            new JsonObject()
                .put("sub", "alice")
                .put("aud", "orders")
                .put("exp", System.currentTimeMillis() / 1000 + 36_000),
            new JWTOptions().setAlgorithm("RS256"));
    JsonObject rsaKey =
        new JsonObject()
            .put("id", "k1")
            .put("n", b64(pub.getModulus()))
            .put("e", b64(pub.getPublicExponent()));
    JsonObject jwt =
        new JsonObject()
            .put("audiences", new JsonArray().add("orders"))
            .put("issuer-signing-keys", new JsonArray().add(rsaKey));

    rateLimitOneKey =
        one(
            env,
            "rate-limit-by-key",
            new JsonObject().put("calls", 1_000_000_000).put("renewal-period", 1));
    rateLimitManyKeys =
        one(
            env,
            "rate-limit-by-key",
            new JsonObject()
                .put("calls", 1_000_000)
                .put("renewal-period", 1)
                .put("counter-key", "{header.X-Key}"));
    rateLimitRedis =
        redis == null
            ? null
            : one(
                env,
                "rate-limit-by-key",
                new JsonObject()
                    .put("calls", 1_000_000_000)
                    .put("renewal-period", 1)
                    .put("counter-key", "bench")
                    .put("store", new JsonObject().put("type", "redis").put("timeout", 1)));
    jwtCached = one(env, "validate-jwt", jwt);
    jwtUncached = one(env, "validate-jwt", jwt.copy().put("verified-token-cache", 0));
    JsonObject cors =
        new JsonObject()
            .put(
                "allowed-origins",
                new JsonArray().add("https://app.example.com").add("https://*.example.org"))
            .put("allowed-methods", new JsonArray().add("GET").add("PUT"))
            .put("allowed-headers", new JsonArray().add("Authorization"));
    corsActual = one(env, "cors", cors);
    corsPreflight = corsActual;
    setHeaderConstant =
        one(env, "set-header", new JsonObject().put("name", "X-Api-Key").put("value", "{{key}}"));
    setHeaderClaim =
        one(
            env,
            "set-header",
            new JsonObject().put("name", "X-User").put("value", "user-{claim.sub}"));
    rewrite =
        one(
            env,
            "rewrite-uri",
            new JsonObject().put("template", "/v2/orders/{id}?view={query.view}"));
    JsonArray cidrs = new JsonArray();
    for (int i = 0; i < 100; i++) {
      cidrs.add("10." + i + ".0.0/16");
    }
    ipFilter =
        one(
            env,
            "ip-filter",
            new JsonObject().put("action", "allow").put("addresses", cidrs.add("192.0.2.0/24")));
    typicalChain =
        chain(
            env,
            new JsonArray()
                .add(new JsonObject().put("cors", cors))
                .add(new JsonObject().put("validate-jwt", jwt))
                .add(
                    new JsonObject()
                        .put(
                            "rate-limit-by-key",
                            new JsonObject()
                                .put("calls", 1_000_000_000)
                                .put("renewal-period", 1)
                                .put("counter-key", "{claim.sub}")))
                .add(
                    new JsonObject()
                        .put(
                            "set-header",
                            new JsonObject().put("name", "X-User").put("value", "{claim.sub}"))));

    plain =
        new Req(
            HttpMethod.GET,
            MultiMap.caseInsensitiveMultiMap().add("Origin", "https://app.example.com"),
            Map.of("sub", "alice"));
    manyKeys = new Req[10_000];
    for (int i = 0; i < manyKeys.length; i++) {
      manyKeys[i] =
          new Req(
              HttpMethod.GET,
              MultiMap.caseInsensitiveMultiMap().add("X-Key", "client-" + i),
              Map.of());
    }
    bearer =
        new Req(
            HttpMethod.GET,
            MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", "Bearer " + token)
                .add("Origin", "https://app.example.com"),
            Map.of());
    preflight =
        new Req(
            HttpMethod.OPTIONS,
            MultiMap.caseInsensitiveMultiMap()
                .add("Origin", "https://a.example.org")
                .add("Access-Control-Request-Method", "PUT")
                .add("Access-Control-Request-Headers", "authorization"),
            Map.of());
    if (!(jwtUncached.apply(bearer).result() instanceof PolicyOutcome.Continue)) {
      throw new IllegalStateException("the benchmark's token is not accepted");
    }
  }

  @TearDown
  public void tearDown() {
    if (redis != null) {
      redis.close();
    }
    vertx.close().await();
    if (redisServer != null) {
      redisServer.destroy();
    }
  }

  private Redis startRedis() throws Exception {
    try {
      redisServer =
          new ProcessBuilder(
                  "redis-server",
                  "--port",
                  String.valueOf(REDIS_PORT),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (Exception e) {
      return null;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", REDIS_PORT)) {
        return Redis.createClient(
            vertx,
            new RedisOptions()
                .setConnectionString("redis://127.0.0.1:" + REDIS_PORT)
                .setMaxPoolSize(4));
      } catch (Exception e) {
        Thread.sleep(50);
      }
    }
    return null;
  }

  private static Policy one(PolicyEnvironment env, String name, JsonObject config) {
    return chain(env, new JsonArray().add(new JsonObject().put(name, config))).policies().get(0);
  }

  private static PolicyChain chain(PolicyEnvironment env, JsonArray list) {
    List<PolicyProblem> problems = new ArrayList<>();
    PolicyChain chain =
        PolicyChain.of(
            new PolicyCompiler(env)
                .compile(
                    PolicyConfigBinder.bindScope("policies", list, null, true, problems),
                    null,
                    problems));
    if (!problems.isEmpty()) {
      throw new IllegalStateException(problems.toString());
    }
    return chain;
  }

  private static String b64(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b[0] == 0 && b.length > 1) {
      b = java.util.Arrays.copyOfRange(b, 1, b.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  @Benchmark
  public Object rateLimitLocalOneKey() {
    return rateLimitOneKey.apply(plain).result();
  }

  @Benchmark
  public Object rateLimitLocal10kKeys() {
    next = (next + 1) % manyKeys.length;
    return rateLimitManyKeys.apply(manyKeys[next]).result();
  }

  /**
   * One decision through Redis, waited for: the round trip to a redis-server on loopback plus the
   * script.
   */
  @Benchmark
  public Object rateLimitRedisRoundTrip() {
    return rateLimitRedis == null ? null : rateLimitRedis.apply(plain).await();
  }

  @Benchmark
  public Object validateJwtRs256Cached() {
    return jwtCached.apply(bearer).result();
  }

  @Benchmark
  public Object validateJwtRs256Verified() {
    return jwtUncached.apply(bearer).result();
  }

  @Benchmark
  public Object corsActualRequest() {
    return corsActual.apply(plain).result();
  }

  @Benchmark
  public Object corsPreflight() {
    return corsPreflight.apply(preflight).result();
  }

  @Benchmark
  public Object setHeaderNamedValue() {
    return setHeaderConstant.apply(plain).result();
  }

  @Benchmark
  public Object setHeaderFromClaim() {
    return setHeaderClaim.apply(plain).result();
  }

  @Benchmark
  public Object rewriteUri() {
    return rewrite.apply(plain).result();
  }

  @Benchmark
  public Object ipFilter101Ranges() {
    return ipFilter.apply(plain).result();
  }

  /** cors, validate-jwt (cached), rate-limit-by-key on the subject, set-header from a claim. */
  @Benchmark
  public Object typicalChain() {
    return typicalChain.start(bearer).outcome().result();
  }

  /** A request as the benchmark sees it (HttpPolicyRequest needs a live server request). */
  static final class Req implements PolicyRequest {
    private final HttpMethod method;
    private final MultiMap headers;
    private final Map<String, Object> claims;
    private final SocketAddress remote = SocketAddress.inetSocketAddress(40000, "192.0.2.10");

    Req(HttpMethod method, MultiMap headers, Map<String, Object> claims) {
      this.method = method;
      this.headers = headers;
      this.claims = claims;
    }

    public HttpMethod method() {
      return method;
    }

    public String path() {
      return "/api/orders/42";
    }

    public String rawQuery() {
      return "view=full&page=2";
    }

    public String header(String name) {
      return headers.get(name);
    }

    public List<String> headers(String name) {
      return headers.getAll(name);
    }

    public SocketAddress remoteAddress() {
      return remote;
    }

    public boolean isSsl() {
      return false;
    }

    public String apiId() {
      return "orders";
    }

    public String operationId() {
      return "get-order";
    }

    public String pathParam(String name) {
      return "id".equals(name) ? "42" : null;
    }

    public Map<String, Object> claims() {
      return claims;
    }
  }
}
