package dev.portico.gateway.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * A listener that speaks https: the certificate it presents and whether it asks clients for theirs.
 * Everything is read at load time (a reload reads it again, and refuses any change to a listener).
 *
 * @param certificate the {@code certificates[]} entry presented to clients
 * @param clientAuth {@code NONE}, {@code REQUEST} (a client may present one) or {@code REQUIRED}
 * @param clientCaPem the CA certificate(s) that client certificates must chain to (PEM), or null
 *     when clients are not asked
 * @param http2 offer HTTP/2 by ALPN (clients that do not ask for it get HTTP/1.1)
 */
public record ListenerHttps(
    TlsCertificate certificate, ClientAuth clientAuth, String clientCaPem, boolean http2) {

  /**
   * {@code https} for a listener with these settings, {@code http} for one without ({@code null}).
   */
  public static String scheme(ListenerHttps https) {
    return https == null ? "http" : "https";
  }

  /** Makes {@code options} serve TLS with these settings. */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    options
        .setSsl(true)
        .setUseAlpn(http2)
        .setKeyCertOptions(certificate.keyCert())
        .setClientAuth(clientAuth);
    if (clientCaPem != null) {
      options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(clientCaPem)));
    }
    return options;
  }

  @Override
  public String toString() {
    return "ListenerHttps[certificate="
        + certificate.id()
        + ", clientAuth="
        + clientAuth
        + ", http2="
        + http2
        + "]";
  }
}
