package dev.portico.gateway.config.internal;

import dev.portico.gateway.config.TlsCertificate;
import dev.portico.gateway.document.RootCause;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Reads a certificate and its private key into memory and checks them the way the TLS handshake
 * will use them: the files parse, the password opens the store, and the key belongs to the
 * certificate. A problem surfaces at start-up naming the field, not at the first handshake.
 * Blocking: runs where configuration binding runs, off the event loop.
 */
final class CertificateLoader {

  /** Why a certificate cannot be used, and which field says so. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    final String field;

    Invalid(String field, String reason) {
      super(reason);
      this.field = field;
    }
  }

  private CertificateLoader() {}

  static TlsCertificate pem(String id, String certPath, String keyPath) throws Invalid {
    byte[] cert = read("certPath", certPath);
    byte[] key = read("keyPath", keyPath);
    if (!new String(cert, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new Invalid(
          "certPath", "'" + certPath + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    if (new String(key, StandardCharsets.US_ASCII).contains("ENCRYPTED PRIVATE KEY")) {
      throw new Invalid(
          "keyPath",
          "'"
              + keyPath
              + "' is an encrypted key: give an unencrypted PEM key"
              + " (readable only by the gateway) or a PKCS#12 file with a password");
    }
    return check(
        id,
        new PemKeyCertOptions().addCertValue(Buffer.buffer(cert)).addKeyValue(Buffer.buffer(key)),
        "keyPath",
        "'" + certPath + "' and '" + keyPath + "'");
  }

  static TlsCertificate pfx(String id, String pfxPath, String password) throws Invalid {
    byte[] store = read("pfxPath", pfxPath);
    return check(
        id,
        new PfxOptions().setValue(Buffer.buffer(store)).setPassword(password),
        "pfxPath",
        "'" + pfxPath + "'");
  }

  /** The PEM text of CA certificates clients' certificates must chain to; each block must parse. */
  static String caPem(String path) throws Invalid {
    String pem = new String(read("clientCaPath", path), StandardCharsets.US_ASCII);
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new Invalid(
          "clientCaPath", "'" + path + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    try {
      CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new Invalid(
          "clientCaPath",
          "'" + path + "' is not a readable PEM certificate: " + RootCause.message(e));
    }
    return pem;
  }

  private static byte[] read(String field, String path) throws Invalid {
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (IOException | RuntimeException e) {
      throw new Invalid(
          field,
          "cannot read '"
              + path
              + "': "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
  }

  private static TlsCertificate check(String id, KeyCertOptions options, String field, String what)
      throws Invalid {
    X509KeyManager km;
    try {
      // with values rather than paths, Vert.x needs no Vertx instance to parse them
      km = x509(options.getKeyManagerFactory(null).getKeyManagers());
    } catch (Exception e) {
      throw new Invalid(
          field, "cannot use " + what + " as a certificate with its key: " + RootCause.message(e));
    }
    String alias = km == null ? null : alias(km);
    if (alias == null) {
      throw new Invalid(field, what + " holds no private key with its certificate");
    }
    X509Certificate[] chain = km.getCertificateChain(alias);
    PrivateKey key = km.getPrivateKey(alias);
    if (chain == null || chain.length == 0 || key == null) {
      throw new Invalid(field, what + " holds no private key with its certificate");
    }
    X509Certificate leaf = chain[0];
    if (!belongsTo(key, leaf)) {
      throw new Invalid(
          field,
          "the private key in "
              + what
              + " does not belong to the certificate "
              + leaf.getSubjectX500Principal().getName());
    }
    try {
      String sha1 =
          HexFormat.of()
              .withUpperCase()
              .formatHex(MessageDigest.getInstance("SHA-1").digest(leaf.getEncoded()));
      return new TlsCertificate(
          id,
          leaf.getSubjectX500Principal().getName(),
          sha1,
          leaf.getNotAfter().toInstant(),
          options);
    } catch (GeneralSecurityException e) {
      throw new Invalid(
          field, "cannot read the certificate in " + what + ": " + RootCause.message(e));
    }
  }

  private static X509KeyManager x509(KeyManager[] managers) {
    for (KeyManager m : managers) {
      if (m instanceof X509KeyManager x) {
        return x;
      }
    }
    return null;
  }

  private static String alias(X509KeyManager km) {
    for (String type : List.of("RSA", "EC", "EdDSA", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
      String[] aliases = km.getClientAliases(type, null);
      if (aliases != null && aliases.length > 0) {
        return aliases[0];
      }
    }
    return null;
  }

  /**
   * Signs a probe with the key and verifies it with the certificate; key types it cannot probe
   * pass.
   */
  private static boolean belongsTo(PrivateKey key, X509Certificate cert) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "DSA" -> "SHA256withDSA";
          default -> null;
        };
    if (algorithm == null) {
      return true;
    }
    try {
      byte[] probe = "portico key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
