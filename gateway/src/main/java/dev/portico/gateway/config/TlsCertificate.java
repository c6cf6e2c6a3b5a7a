package dev.portico.gateway.config;

import io.vertx.core.net.KeyCertOptions;
import java.time.Instant;

/**
 * A certificate with its private key from the {@code certificates} section, read and checked at
 * load time (and again by a reload): what a listener presents to clients, or what a backend or a
 * Service Fabric cluster's management endpoint is shown when it asks for a client certificate.
 * {@link #toString()} names it without its key or password.
 *
 * @param id what {@code credentials.certificateIds}, {@code clientCertificateId} and a listener's
 *     {@code https.certificateId} refer to
 * @param subject the certificate's subject (RFC 2253)
 * @param sha1 its SHA-1 thumbprint, upper-case hex, as APIM and Windows show it
 * @param notAfter end of its validity
 */
public record TlsCertificate(
    String id, String subject, String sha1, Instant notAfter, KeyCertOptions keyCert) {

  /** A copy: Vert.x options are mutable, the configuration is not. */
  @Override
  public KeyCertOptions keyCert() {
    return keyCert.copy();
  }

  /**
   * Compared by thumbprint: the same certificate read again (a reload) is equal, whatever form its
   * key takes.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof TlsCertificate t
        && id.equals(t.id)
        && sha1.equals(t.sha1)
        && subject.equals(t.subject)
        && notAfter.equals(t.notAfter);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(id, sha1);
  }

  @Override
  public String toString() {
    return "TlsCertificate[id="
        + id
        + ", subject="
        + subject
        + ", sha1="
        + sha1
        + ", notAfter="
        + notAfter
        + "]";
  }
}
