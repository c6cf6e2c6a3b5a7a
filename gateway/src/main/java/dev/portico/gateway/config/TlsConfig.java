package dev.portico.gateway.config;

/** APIM's backend {@code tls} block; both checks are on by default. */
public record TlsConfig(boolean validateCertificateChain, boolean validateCertificateName) {
  public static final TlsConfig DEFAULT = new TlsConfig(true, true);
}
