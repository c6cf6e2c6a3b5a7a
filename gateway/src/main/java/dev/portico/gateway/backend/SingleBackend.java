package dev.portico.gateway.backend;

import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.config.Credentials;
import dev.portico.gateway.config.LoadBalancingConfig;
import dev.portico.gateway.config.SingleBackendConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.ClientSSLOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A {@code Single} backend compiled for the hot path: its target, the credential headers and
 * query string prepared once, timeouts in milliseconds, the TLS options for https targets, and its
 * breaker and balancing settings. Per-endpoint state (breakers, in-flight counts) lives in
 * {@link BackendStates}; the current endpoints come from the routing snapshot.
 */
public final class SingleBackend implements Backend {

  private final String id;
  private final BackendTarget target;
  private final MultiMap credentialHeaders;
  private final String credentialQuery;
  private final long connectTimeoutMs;
  private final long responseTimeoutMs;
  private final ClientSSLOptions sslOptions;
  private final Endpoint fixedEndpoint;
  private final CircuitBreakerConfig breaker;
  private final LoadBalancingConfig loadBalancing;

  public SingleBackend(SingleBackendConfig config) {
    this.id = config.id();
    this.target = config.target();
    this.credentialHeaders = headers(config.credentials());
    this.credentialQuery = query(config.credentials());
    this.connectTimeoutMs = config.timeouts().connect().toMillis();
    this.responseTimeoutMs = config.timeouts().response().toMillis();
    this.sslOptions = new ClientSSLOptions()
      .setTrustAll(!config.tls().validateCertificateChain())
      .setHostnameVerificationAlgorithm(config.tls().validateCertificateName() ? "HTTPS" : "");
    this.fixedEndpoint = target instanceof BackendTarget.FixedUrl f
      ? new Endpoint(f.host() + ":" + f.port(), f.host(), f.port(), f.ssl(), f.basePath(), f.authority(), null, 1, 0)
      : null;
    this.breaker = config.breaker();
    this.loadBalancing = config.loadBalancing();
  }

  @Override
  public String id() {
    return id;
  }

  public BackendTarget target() {
    return target;
  }

  /** Sets the credential headers on an outgoing request, replacing any the client sent under the same names. */
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

  /** The endpoint of a fixed-URL backend, or {@code null} for a registry service. */
  public Endpoint fixedEndpoint() {
    return fixedEndpoint;
  }

  public CircuitBreakerConfig breaker() {
    return breaker;
  }

  public LoadBalancingConfig loadBalancing() {
    return loadBalancing;
  }

  @Override
  public String affinityCookie() {
    return loadBalancing.affinityCookie();
  }

  /** The registry service this backend resolves through, or {@code null} for a fixed URL. */
  public String service() {
    return target instanceof BackendTarget.RegistryService s ? s.service() : null;
  }

  private static MultiMap headers(Credentials c) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    c.headers().forEach((name, values) -> values.forEach(v -> h.add(name, v)));
    if (c.authorization() != null) {
      h.set(HttpHeaders.AUTHORIZATION, c.authorization().scheme() + " " + c.authorization().parameter());
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
        sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "SingleBackend[" + id + " -> " + target + "]";
  }
}
