package dev.portico.gateway.support;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.TrustOptions;

/** A client that speaks HTTP/2 to a TLS listener (negotiated by ALPN), trusting {@code trust}. */
public final class Http2Tls {

  private Http2Tls() {}

  public static HttpClientOptions clientOptions(TrustOptions trust) {
    return new HttpClientOptions()
        .setSsl(true)
        .setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setTrustOptions(trust);
  }
}
