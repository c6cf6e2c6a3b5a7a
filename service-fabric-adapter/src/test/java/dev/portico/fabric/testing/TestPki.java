package dev.portico.fabric.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests: a CA, and server and client certificates it issues
 * (EC P-256), as PEM or PKCS#12 files or in-memory Vert.x options.
 */
public final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /**
   * A certificate with its key and the chain a server or client presents (leaf first, then the CA).
   */
  public record Issued(X509Certificate cert, KeyPair keys, List<X509Certificate> chain) {

    public String sha1() {
      return thumbprint("SHA-1", cert);
    }

    public String sha256() {
      return thumbprint("SHA-256", cert);
    }

    public String chainPem() {
      StringBuilder out = new StringBuilder();
      for (X509Certificate c : chain) {
        out.append(pem("CERTIFICATE", encoded(c)));
      }
      return out.toString();
    }

    public String keyPem() {
      return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    /** In memory, for a test server. */
    public PemKeyCertOptions keyCertOptions() {
      return new PemKeyCertOptions()
          .addCertValue(Buffer.buffer(chainPem()))
          .addKeyValue(Buffer.buffer(keyPem()));
    }

    /**
     * {@code <name>.crt} (chain) and {@code <name>.key} (PKCS#8) in {@code dir}; returns the two
     * paths.
     */
    public Path[] writePem(Path dir, String name) throws Exception {
      Path crt = Files.writeString(dir.resolve(name + ".crt"), chainPem());
      Path key = Files.writeString(dir.resolve(name + ".key"), keyPem());
      return new Path[] {crt, key};
    }

    /** {@code <name>.pfx}: the key and chain in a PKCS#12 store under {@code password}. */
    public Path writePfx(Path dir, String name, String password) throws Exception {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          name, keys.getPrivate(), password.toCharArray(), chain.toArray(new Certificate[0]));
      Path p = dir.resolve(name + ".pfx");
      try (OutputStream out = Files.newOutputStream(p)) {
        ks.store(out, password.toCharArray());
      }
      return p;
    }
  }

  /**
   * A new CA and a client certificate it issued, written to a folder: {@code client.crt} and {@code
   * client.key} (PEM), {@code client.pfx} (PKCS#12), {@code ca.crt}.
   */
  public record ClientFiles(TestPki pki, Issued client, Path crt, Path key, Path pfx, Path ca) {

    public static ClientFiles write(Path dir, String caName, String clientCn, String pfxPassword)
        throws Exception {
      TestPki pki = create(caName);
      Issued client = pki.client(clientCn);
      Path[] pem = client.writePem(dir, "client");
      return new ClientFiles(
          pki,
          client,
          pem[0],
          pem[1],
          client.writePfx(dir, "client", pfxPassword),
          pki.writeCa(dir, "ca"));
    }
  }

  private final Issued ca;

  private TestPki(Issued ca) {
    this.ca = ca;
  }

  /** A new CA named {@code cn}, valid from an hour ago for a day. */
  public static TestPki create(String cn) {
    try {
      KeyPair keys = keyPair();
      X500Name name = new X500Name("CN=" + cn);
      X509v3CertificateBuilder b =
          builder(
              name,
              name,
              keys,
              Instant.now().minus(Duration.ofHours(1)),
              Instant.now().plus(Duration.ofDays(1)));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      X509Certificate cert = sign(b, keys);
      return new TestPki(new Issued(cert, keys, List.of(cert)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public Issued ca() {
    return ca;
  }

  public String caPem() {
    return pem("CERTIFICATE", encoded(ca.cert()));
  }

  public PemTrustOptions trustOptions() {
    return new PemTrustOptions().addCertValue(Buffer.buffer(caPem()));
  }

  public Path writeCa(Path dir, String name) throws Exception {
    return Files.writeString(dir.resolve(name + ".crt"), caPem());
  }

  /**
   * A server certificate for {@code cn}, with {@code localhost} and {@code 127.0.0.1} as
   * alternative names.
   */
  public Issued server(String cn) {
    return issue(
        cn, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)), true);
  }

  /**
   * A server certificate naming only {@code cn}: a client checking the host name rejects it on
   * loopback.
   */
  public Issued serverWithoutLoopbackNames(String cn) {
    return issue(
        cn,
        Instant.now().minus(Duration.ofHours(1)),
        Instant.now().plus(Duration.ofDays(1)),
        false);
  }

  /** A server certificate whose validity ended an hour ago. */
  public Issued expiredServer(String cn) {
    return issue(
        cn,
        Instant.now().minus(Duration.ofDays(2)),
        Instant.now().minus(Duration.ofHours(1)),
        true);
  }

  public Issued client(String cn) {
    return issue(
        cn,
        Instant.now().minus(Duration.ofHours(1)),
        Instant.now().plus(Duration.ofDays(1)),
        false);
  }

  private Issued issue(String cn, Instant from, Instant to, boolean loopbackNames) {
    try {
      KeyPair keys = keyPair();
      X509v3CertificateBuilder b =
          builder(
              new X500Name(ca.cert().getSubjectX500Principal().getName()),
              new X500Name("CN=" + cn),
              keys,
              from,
              to);
      if (loopbackNames) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.dNSName, "localhost"),
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
      }
      X509Certificate cert = sign(b, ca.keys());
      List<X509Certificate> chain = new ArrayList<>(List.of(cert, ca.cert()));
      return new Issued(cert, keys, List.copyOf(chain));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys, Instant from, Instant to) {
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(from),
        Date.from(to),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static String thumbprint(String algorithm, X509Certificate cert) {
    try {
      return HexFormat.of()
          .withUpperCase()
          .formatHex(MessageDigest.getInstance(algorithm).digest(cert.getEncoded()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
