package dev.portico.fabric.importer.internal;

import dev.portico.fabric.importer.ImporterConfig;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Recognises a cluster's server certificate the way Service Fabric clients do: by thumbprint, or by
 * common name with an optional issuer thumbprint. Clusters commonly run on self-signed or privately
 * issued certificates, reached by IP, so neither a public chain nor the host name is the identity;
 * the pin is. Validity dates are always checked.
 */
public final class PinnedServerTrust extends X509ExtendedTrustManager {

  private final Set<String> thumbprints;
  private final List<ImporterConfig.ServerName> names;
  private final X509TrustManager chainTrust;

  /**
   * @param chainTrust validates the chain for a name without an issuer thumbprint (caPath or the
   *     JVM's)
   */
  public PinnedServerTrust(
      List<String> thumbprints,
      List<ImporterConfig.ServerName> names,
      X509TrustManager chainTrust) {
    this.thumbprints = Set.copyOf(thumbprints);
    this.names = List.copyOf(names);
    this.chainTrust = chainTrust;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the cluster presented no certificate");
    }
    X509Certificate leaf = chain[0];
    leaf.checkValidity();
    if (thumbprints.contains(sha1(leaf)) || thumbprints.contains(sha256(leaf))) {
      return;
    }
    List<String> leafNames = names(leaf);
    List<String> why = new ArrayList<>();
    for (ImporterConfig.ServerName n : names) {
      if (leafNames.stream().noneMatch(x -> x.equalsIgnoreCase(n.name()))) {
        continue;
      }
      if (n.issuerCertificateThumbprint() == null) {
        try {
          chainTrust.checkServerTrusted(chain, authType);
          return;
        } catch (CertificateException e) {
          why.add(
              "name "
                  + n.name()
                  + " matches but its chain is not trusted ("
                  + e.getMessage()
                  + ")");
        }
      } else if (issuedBy(leaf, chain, n.issuerCertificateThumbprint())) {
        return;
      } else {
        why.add(
            "name "
                + n.name()
                + " matches but the chain holds no issuer with thumbprint "
                + n.issuerCertificateThumbprint()
                + " that signed it");
      }
    }
    throw new CertificateException(
        "the cluster's certificate "
            + leaf.getSubjectX500Principal().getName()
            + " (SHA-1 "
            + sha1(leaf)
            + ") matches none of serverCertificateThumbprints / serverX509Names"
            + (why.isEmpty() ? "" : ": " + String.join("; ", why)));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("this trust manager only checks a cluster's server certificate");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }

  /**
   * The issuer must be in the chain, have the pinned thumbprint, be valid, and have signed the
   * leaf.
   */
  private static boolean issuedBy(
      X509Certificate leaf, X509Certificate[] chain, String issuerThumbprint) {
    for (int i = 1; i < chain.length; i++) {
      X509Certificate c = chain[i];
      if (!issuerThumbprint.equals(sha1(c)) && !issuerThumbprint.equals(sha256(c))) {
        continue;
      }
      try {
        c.checkValidity();
        if (leaf.getIssuerX500Principal().equals(c.getSubjectX500Principal())) {
          leaf.verify(c.getPublicKey());
          return true;
        }
      } catch (GeneralSecurityException e) {
        return false;
      }
    }
    return false;
  }

  /** The subject's common names, then the DNS subject alternative names. */
  static List<String> names(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          out.add(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      // a subject the JDK printed cannot be unparsable; nothing to match then
    }
    try {
      if (cert.getSubjectAlternativeNames() != null) {
        for (List<?> san : cert.getSubjectAlternativeNames()) {
          if (Integer.valueOf(2).equals(san.get(0))) {
            out.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no usable alternative names
    }
    return out;
  }

  public static String sha1(X509Certificate cert) {
    return digest("SHA-1", cert);
  }

  public static String sha256(X509Certificate cert) {
    return digest("SHA-256", cert);
  }

  private static String digest(String algorithm, X509Certificate cert) {
    try {
      return HexFormat.of()
          .withUpperCase()
          .formatHex(MessageDigest.getInstance(algorithm).digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(
          algorithm + " thumbprint of " + cert.getSubjectX500Principal(), e);
    }
  }
}
