package dev.portico.fabric.importer.internal;

import dev.portico.fabric.importer.ImporterConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.security.KeyStore;
import java.util.function.Function;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Vert.x trust options around {@link PinnedServerTrust}. The chain trust it falls back on (the CA
 * file or the JVM's store) is read when Vert.x builds the TLS context, off the event loop, not when
 * the options are made.
 */
final class PinnedTrustOptions implements TrustOptions {

  private final ImporterConfig.Tls tls;

  PinnedTrustOptions(ImporterConfig.Tls tls) {
    this.tls = tls;
  }

  @Override
  public TrustOptions copy() {
    return new PinnedTrustOptions(tls);
  }

  @Override
  public TrustManagerFactory getTrustManagerFactory(Vertx vertx) throws Exception {
    return wrapped(vertx).getTrustManagerFactory(vertx);
  }

  @Override
  public Function<String, TrustManager[]> trustManagerMapper(Vertx vertx) throws Exception {
    return wrapped(vertx).trustManagerMapper(vertx);
  }

  private TrustOptions wrapped(Vertx vertx) throws Exception {
    TrustManagerFactory chain;
    if (tls.caPath() != null) {
      chain = new PemTrustOptions().addCertPath(tls.caPath()).getTrustManagerFactory(vertx);
    } else {
      chain = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      chain.init((KeyStore) null);
    }
    X509TrustManager chainTrust = null;
    for (TrustManager tm : chain.getTrustManagers()) {
      if (tm instanceof X509TrustManager) {
        chainTrust = (X509TrustManager) tm;
      }
    }
    if (chainTrust == null) {
      throw new IllegalStateException("no X.509 trust manager for the cluster's chain");
    }
    return TrustOptions.wrap(
        new PinnedServerTrust(
            tls.serverCertificateThumbprints(), tls.serverX509Names(), chainTrust));
  }
}
