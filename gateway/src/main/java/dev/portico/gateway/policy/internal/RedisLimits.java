package dev.portico.gateway.policy.internal;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Fleet-wide limits in Redis: one atomic Lua script call per decision, sent as {@code EVALSHA} and,
 * when the server does not know the script yet ({@code NOSCRIPT}: first use, a restart, a {@code
 * SCRIPT FLUSH}), as {@code EVAL}, which also caches it. The scripts read Redis's own clock ({@code
 * TIME}), so gateways whose clocks disagree still share one bucket consistently.
 */
public final class RedisLimits {

  /**
   * Token bucket. KEYS[1] the bucket; ARGV capacity, period (ms), cost, take (1) or look (0).
   * Returns {allowed 0|1, whole tokens left, microseconds until enough tokens}. A bucket idle for a
   * whole period is full, so it expires then (forgetting it loses nothing).
   */
  static final String TOKEN_BUCKET =
      """
    local capacity = tonumber(ARGV[1])
    local period_ms = tonumber(ARGV[2])
    local cost = tonumber(ARGV[3])
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local rate = capacity / (period_ms * 1000)
    local state = redis.call('HMGET', KEYS[1], 'tk', 'ts')
    local tokens = tonumber(state[1])
    local ts = tonumber(state[2])
    if tokens == nil or ts == nil then
      tokens = capacity
      ts = now
    end
    if now > ts then
      tokens = math.min(capacity, tokens + (now - ts) * rate)
      ts = now
    end
    local allowed = 0
    local wait = 0
    if tokens >= cost then
      allowed = 1
      if ARGV[4] == '1' then
        tokens = tokens - cost
      end
    else
      wait = math.ceil((cost - tokens) / rate)
    end
    redis.call('HSET', KEYS[1], 'tk', tostring(tokens), 'ts', tostring(ts))
    redis.call('PEXPIRE', KEYS[1], period_ms)
    return {allowed, math.floor(tokens), wait}
    """;

  /**
   * Fixed-window quota. KEYS[1] the window's counters; ARGV call limit (-1 none), byte limit (-1
   * none), calls to add, bytes to add, mode ('check': refuse when over, else add the calls; 'add':
   * add unconditionally), expiry (ms, 0 for none). Returns {allowed 0|1, calls, bytes}.
   */
  static final String QUOTA =
      """
    local call_limit = tonumber(ARGV[1])
    local byte_limit = tonumber(ARGV[2])
    local add_calls = tonumber(ARGV[3])
    local add_bytes = tonumber(ARGV[4])
    local ttl = tonumber(ARGV[6])
    local state = redis.call('HMGET', KEYS[1], 'c', 'b')
    local calls = tonumber(state[1]) or 0
    local bytes = tonumber(state[2]) or 0
    if ARGV[5] == 'check' then
      if (call_limit >= 0 and calls + add_calls > call_limit) or (byte_limit >= 0 and bytes >= byte_limit) then
        return {0, calls, bytes}
      end
    end
    if add_calls > 0 then
      calls = redis.call('HINCRBY', KEYS[1], 'c', add_calls)
    end
    if add_bytes > 0 then
      bytes = redis.call('HINCRBY', KEYS[1], 'b', add_bytes)
    end
    if ttl > 0 and (add_calls > 0 or add_bytes > 0) then
      redis.call('PEXPIRE', KEYS[1], ttl)
    end
    return {1, calls, bytes}
    """;

  private static final String TOKEN_BUCKET_SHA = sha1(TOKEN_BUCKET);
  private static final String QUOTA_SHA = sha1(QUOTA);

  private final Redis redis;
  private final String prefix;

  public RedisLimits(Redis redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  public String prefix() {
    return prefix;
  }

  /**
   * One bucket decision: {allowed, tokens left, microseconds to wait}; fails on error or after
   * {@code timeoutMillis}.
   */
  public Future<long[]> tokenBucket(
      String key, long capacity, long periodMillis, int cost, boolean take, long timeoutMillis) {
    String[] args = {
      String.valueOf(capacity), String.valueOf(periodMillis), String.valueOf(cost), take ? "1" : "0"
    };
    return eval(TOKEN_BUCKET_SHA, TOKEN_BUCKET, key, args)
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** One quota decision or addition: {allowed, calls, bytes}. */
  public Future<long[]> quota(
      String key,
      long callLimit,
      long byteLimit,
      long addCalls,
      long addBytes,
      boolean check,
      long ttlMillis,
      long timeoutMillis) {
    String[] args = {
      String.valueOf(callLimit),
      String.valueOf(byteLimit),
      String.valueOf(addCalls),
      String.valueOf(addBytes),
      check ? "check" : "add",
      String.valueOf(ttlMillis)
    };
    return eval(QUOTA_SHA, QUOTA, key, args).timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private Future<long[]> eval(String sha, String script, String key, String[] args) {
    return redis
        .send(request(Command.EVALSHA, sha, key, args))
        .recover(
            e -> {
              String m = e.getMessage();
              if (m != null && m.startsWith("NOSCRIPT")) {
                return redis.send(request(Command.EVAL, script, key, args));
              }
              return Future.failedFuture(e);
            })
        .map(RedisLimits::longs);
  }

  private static Request request(Command cmd, String scriptOrSha, String key, String[] args) {
    Request r = Request.cmd(cmd).arg(scriptOrSha).arg(1).arg(key);
    for (String a : args) {
      r.arg(a);
    }
    return r;
  }

  private static long[] longs(Response r) {
    long[] out = new long[r.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = r.get(i).toLong();
    }
    return out;
  }

  static String sha1(String script) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
