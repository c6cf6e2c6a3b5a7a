package dev.portico.gateway.backend;

import dev.portico.gateway.config.BackendProtocol;
import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.config.Credentials;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.config.Timeouts;
import dev.portico.gateway.config.TlsConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.ClientSSLOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * How the gateway talks to any endpoint of one backend, whatever chose the endpoint (a fixed URL, a
 * registry instance, a resolved Service Fabric replica): the credential headers and query string
 * prepared once, timeouts in milliseconds, the TLS options for https endpoints, and the rules of
 * each endpoint's circuit breaker. Immutable.
 */
public final class Upstream {

  private final String id;
  private final MultiMap credentialHeaders;
  private final String credentialQuery;
  private final long connectTimeoutMs;
  private final long responseTimeoutMs;
  private final ClientSSLOptions sslOptions;
  private final CircuitBreakerConfig breaker;
  private final BackendProtocol protocol;

  public Upstream(
      String id,
      Credentials credentials,
      TlsConfig tls,
      Timeouts timeouts,
      CircuitBreakerConfig breaker) {
    this(id, credentials, tls, timeouts, breaker, BackendProtocol.HTTP1);
  }

  /**
   * @param protocol HTTP/1.1 or HTTP/2 towards the endpoints (issue 14)
   */
  public Upstream(
      String id,
      Credentials credentials,
      TlsConfig tls,
      Timeouts timeouts,
      CircuitBreakerConfig breaker,
      BackendProtocol protocol) {
    this.id = id;
    this.credentialHeaders = headers(credentials);
    this.credentialQuery = query(credentials);
    this.connectTimeoutMs = timeouts.connect().toMillis();
    this.responseTimeoutMs = timeouts.response().toMillis();
    this.sslOptions =
        new ClientSSLOptions()
            .setTrustAll(!tls.validateCertificateChain())
            .setHostnameVerificationAlgorithm(tls.validateCertificateName() ? "HTTPS" : "");
    if (credentials.certificate() != null) {
      // part of the connection pool's key: endpoints shared with other backends get their own
      // connections
      sslOptions.setKeyCertOptions(credentials.certificate().keyCert());
    }
    this.breaker = breaker;
    this.protocol = protocol;
  }

  /** The settings of a configured Single backend (fixed URL or registry service). */
  public static Upstream of(SingleBackendConfig config) {
    return new Upstream(
        config.id(),
        config.credentials(),
        config.tls(),
        config.timeouts(),
        config.breaker(),
        config.protocol());
  }

  /** The backend id: metric label, problem {@code backend} field, breaker key. */
  public String id() {
    return id;
  }

  /**
   * Sets the credential headers on an outgoing request, replacing any the client sent under the
   * same names.
   */
  public void applyCredentialHeaders(MultiMap headers) {
    if (credentialHeaders.isEmpty()) {
      return;
    }
    for (String name : credentialHeaders.names()) {
      headers.set(name, credentialHeaders.getAll(name));
    }
  }

  /** URL-encoded {@code name=value} pairs to append to every forwarded query, or {@code ""}. */
  public String credentialQuery() {
    return credentialQuery;
  }

  public long connectTimeoutMs() {
    return connectTimeoutMs;
  }

  public long responseTimeoutMs() {
    return responseTimeoutMs;
  }

  public ClientSSLOptions sslOptions() {
    return sslOptions;
  }

  public CircuitBreakerConfig breaker() {
    return breaker;
  }

  /**
   * HTTP/1.1 or HTTP/2 (the client pool {@code dev.portico.gateway.protocol.UpstreamClients} picks
   * by it).
   */
  public BackendProtocol protocol() {
    return protocol;
  }

  private static MultiMap headers(Credentials c) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    c.headers().forEach((name, values) -> values.forEach(v -> h.add(name, v)));
    if (c.authorization() != null) {
      h.set(
          HttpHeaders.AUTHORIZATION,
          c.authorization().scheme() + " " + c.authorization().parameter());
    }
    return h;
  }

  private static String query(Credentials c) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, List<String>> e : c.query().entrySet()) {
      for (String v : e.getValue()) {
        if (sb.length() > 0) {
          sb.append('&');
        }
        sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "Upstream[" + id + "]";
  }
}
