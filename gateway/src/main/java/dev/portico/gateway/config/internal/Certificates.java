package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.string;

import dev.portico.gateway.config.TlsCertificate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The certificates ({@code certificates[]}) and the references to them by id (listeners' https,
 * backends' client certificates, clusters' management endpoints): an unknown id is a problem where
 * it is used, an id whose files failed to load is reported once, at its entry.
 */
final class Certificates {

  private final Problems problems;
  private final NamedValues namedValues;
  private final Map<String, TlsCertificate> loaded = new LinkedHashMap<>();

  /**
   * Ids given in {@code certificates[]}, also those that failed to load (their problem is reported
   * once).
   */
  private final ConfigList ids;

  Certificates(Problems problems, NamedValues namedValues) {
    this.problems = problems;
    this.namedValues = namedValues;
    this.ids = new ConfigList(problems, "certificate id");
  }

  /** The loaded certificate {@code id}, or null (unknown, or failed to load). */
  TlsCertificate get(String id) {
    return loaded.get(id);
  }

  /** Binds {@code certificates[]}, loading each from its files; ids are unique. */
  void bind(JsonArray list) {
    ConfigList.forEach(list, "certificates", this::bind);
  }

  private void bind(ConfigList.Entry entry) {
    String at = entry.at();
    JsonObject c = entry.json();
    String id = entry.string("id", null);
    if (id == null) {
      return;
    }
    if (!ids.claim(entry.at("id"), id)) {
      return;
    }
    boolean pem = c.containsKey("certPath") || c.containsKey("keyPath");
    boolean pfx = c.containsKey("pfxPath");
    if (pem == pfx) {
      problems.add(
          at,
          "needs either 'certPath' and 'keyPath' (PEM) or 'pfxPath' (PKCS#12)"
              + (pem ? ", not both" : ""));
      return;
    }
    if (pem && c.containsKey("password")) {
      problems.add(at + ".password", "applies to a pfxPath (PEM keys are read unencrypted)");
      return;
    }
    TlsCertificate cert;
    if (pem) {
      cert = pemFiles(at, c, id);
    } else {
      try {
        cert =
            CertificateLoader.pfx(
                id,
                string(c, "pfxPath", ""),
                namedValues.substitute(at + ".password", string(c, "password", "")));
      } catch (CertificateLoader.Invalid e) {
        problems.add(at + "." + e.field, e.getMessage());
        cert = null;
      }
    }
    if (cert != null) {
      loaded.put(id, cert);
    }
  }

  /**
   * The certificate in the PEM files {@code certPath} and {@code keyPath} of {@code c}; null after
   * a problem.
   */
  TlsCertificate pemFiles(String at, JsonObject c, String id) {
    if (!c.containsKey("certPath") || !c.containsKey("keyPath")) {
      problems.add(
          at + (c.containsKey("certPath") ? ".keyPath" : ".certPath"),
          "certPath and keyPath go together");
      return null;
    }
    try {
      return CertificateLoader.pem(id, string(c, "certPath", ""), string(c, "keyPath", ""));
    } catch (CertificateLoader.Invalid e) {
      problems.add(at + "." + e.field, e.getMessage());
      return null;
    }
  }

  /**
   * The certificate {@code id} refers to; an unknown id is a problem at {@code at}, null returned.
   */
  TlsCertificate certificate(String at, String id) {
    TlsCertificate cert = loaded.get(id);
    if (cert == null && !ids.contains(id)) {
      problems.add(
          at,
          "unknown certificate '"
              + id
              + "'"
              + (ids.ids().isEmpty()
                  ? " (no certificates are defined)"
                  : " (defined: " + String.join(", ", new TreeSet<>(ids.ids())) + ")"));
    }
    return cert;
  }
}
