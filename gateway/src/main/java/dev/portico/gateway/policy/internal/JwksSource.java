package dev.portico.gateway.policy.internal;

import dev.portico.gateway.policy.PolicyEnvironment;
import dev.portico.gateway.policy.PolicyEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.impl.jose.JWK;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The signing keys at a JWKS URL (or the {@code jwks_uri} of an OpenID Connect discovery document),
 * shared by every validate-jwt policy that names it. Fetched on first use; then, like a cache that
 * serves stale while it revalidates, a request arriving after {@code refreshInterval} starts one
 * background fetch and is validated with the keys at hand. A token signed by a key the set does not
 * have ({@code kid} unknown: the issuer rotated its keys) causes one fetch; such fetches happen at
 * most once per {@code minRefreshInterval}, so tokens with made-up key ids cannot make the gateway
 * hammer the issuer. A failed fetch keeps the keys already known. One fetch at a time.
 */
public final class JwksSource {

  /** A key set; {@code generation} grows with every successful fetch. */
  public record Keys(List<JsonObject> jwks, long generation) {}

  static final int MAX_BYTES = 1024 * 1024;

  private final PolicyEnvironment env;
  private final String url;
  private final boolean openIdConfig;
  private final long refreshNanos;
  private final long minRefreshNanos;
  private final long timeoutMillis;
  private final LongSupplier nanoTime;
  private final PolicyEvents events;
  private final AtomicReference<Future<Keys>> inFlight = new AtomicReference<>();
  private volatile Future<Keys> current;
  private volatile long fetchedAt;
  private volatile long attemptedAt = Long.MIN_VALUE;
  private volatile long unknownKeyAt = Long.MIN_VALUE;

  public JwksSource(
      PolicyEnvironment env,
      String url,
      boolean openIdConfig,
      long refreshNanos,
      long minRefreshNanos,
      long timeoutMillis) {
    this.env = env;
    this.url = url;
    this.openIdConfig = openIdConfig;
    this.refreshNanos = refreshNanos;
    this.minRefreshNanos = minRefreshNanos;
    this.timeoutMillis = timeoutMillis;
    this.nanoTime = env.nanoTime();
    this.events = env.events();
  }

  public String url() {
    return url;
  }

  /**
   * The keys at hand (fetching them first if there are none yet; then a failure fails the future).
   */
  public Future<Keys> keys() {
    Future<Keys> c = current;
    if (c == null) {
      return fetch("startup", true);
    }
    long now = nanoTime.getAsLong();
    if (now - fetchedAt >= refreshNanos && now - attemptedAt >= minRefreshNanos) {
      fetch("schedule", false);
    }
    return c;
  }

  /**
   * Fetches again because a token names a key the set does not have, unless a fetch happened less
   * than {@code minRefreshInterval} ago; completes with the keys then at hand.
   */
  public Future<Keys> refreshForUnknownKey() {
    Future<Keys> c = current;
    long now = nanoTime.getAsLong();
    if (c != null && unknownKeyAt != Long.MIN_VALUE && now - unknownKeyAt < minRefreshNanos) {
      return c;
    }
    unknownKeyAt = now;
    return fetch("unknown-kid", true).recover(e -> c != null ? c : Future.failedFuture(e));
  }

  private Future<Keys> fetch(String why, boolean waitForIt) {
    Future<Keys> running = inFlight.get();
    if (running != null) {
      return waitForIt ? running : current;
    }
    Promise<Keys> promise = Promise.promise();
    if (!inFlight.compareAndSet(null, promise.future())) {
      Future<Keys> other = inFlight.get();
      return other != null ? other : current != null ? current : fetch(why, waitForIt);
    }
    attemptedAt = nanoTime.getAsLong();
    Future<String> jwksUrl =
        openIdConfig
            ? get(url)
                .map(
                    body -> {
                      String uri = new JsonObject(body).getString("jwks_uri");
                      if (uri == null
                          || !(uri.startsWith("https://") || uri.startsWith("http://"))) {
                        throw new IllegalStateException(
                            "the OpenID configuration at " + url + " has no http(s) jwks_uri");
                      }
                      return uri;
                    })
            : Future.succeededFuture(url);
    jwksUrl
        .compose(this::get)
        .map(this::parse)
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                Future<Keys> c = current;
                long generation = c == null ? 1 : c.result().generation() + 1;
                Keys keys = new Keys(ar.result(), generation);
                current = Future.succeededFuture(keys);
                fetchedAt = nanoTime.getAsLong();
                events.jwksFetch(url, why, true, keys.jwks().size());
                inFlight.set(null);
                promise.complete(keys);
              } else {
                events.jwksFetch(url, why, false, -1);
                inFlight.set(null);
                promise.fail(ar.cause());
              }
            });
    return waitForIt ? promise.future() : current;
  }

  private Future<Buffer> get(String target) {
    return env.httpClient()
        .request(
            new RequestOptions()
                .setAbsoluteURI(target)
                .setMethod(HttpMethod.GET)
                .putHeader(HttpHeaders.ACCEPT, "application/json, application/jwk-set+json"))
        .compose(req -> req.send().compose(resp -> body(target, resp)));
  }

  private static Future<Buffer> body(String target, HttpClientResponse resp) {
    resp.exceptionHandler(
        e -> {
          // the reset below, or a broken connection: the fetch fails through its future
        });
    if (resp.statusCode() != 200) {
      resp.request().reset();
      return Future.failedFuture(target + " answered " + resp.statusCode());
    }
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && length.length() < 12 && Long.parseLong(length) > MAX_BYTES) {
      resp.request().reset();
      return Future.failedFuture(target + " sent " + length + " bytes, more than " + MAX_BYTES);
    }
    Promise<Buffer> body = Promise.promise();
    Buffer buf = Buffer.buffer();
    resp.exceptionHandler(body::tryFail);
    resp.handler(
        chunk -> {
          if (buf.length() + chunk.length() > MAX_BYTES) {
            body.tryFail(target + " sent more than " + MAX_BYTES + " bytes");
            resp.request().reset();
          } else {
            buf.appendBuffer(chunk);
          }
        });
    resp.endHandler(v -> body.tryComplete(buf));
    return body.future();
  }

  /**
   * The usable signing keys of a JWKS document (a key for encryption, or one that cannot be read,
   * is left out).
   */
  private List<JsonObject> parse(Buffer body) {
    JsonArray keys = new JsonObject(body).getJsonArray("keys");
    if (keys == null) {
      throw new IllegalStateException("the key set at " + url + " has no 'keys' array");
    }
    List<JsonObject> usable = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      if (!(keys.getValue(i) instanceof JsonObject k)) {
        continue;
      }
      String use = k.getString("use");
      if (use != null && !use.equals("sig")) {
        continue;
      }
      try {
        new JWK(k);
        usable.add(k);
      } catch (RuntimeException e) {
        // an algorithm this gateway cannot verify: the other keys still serve
      }
    }
    return List.copyOf(usable);
  }
}
