package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.array;
import static dev.portico.discovery.json.LenientJson.object;
import static dev.portico.discovery.json.LenientJson.string;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.InvalidFabricNameException;
import dev.portico.fabric.importer.ImporterConfig;
import dev.portico.fabric.importer.InvalidImporterConfigException;
import dev.portico.gateway.config.BackendConfig;
import dev.portico.gateway.config.BackendTarget;
import dev.portico.gateway.config.ServiceFabricCluster;
import dev.portico.gateway.config.SingleBackendConfig;
import dev.portico.gateway.config.TlsCertificate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code serviceFabricCluster} blocks of Service Fabric backends: each cluster's management
 * endpoints and TLS, and its importer, bound once every backend is known (backends naming the same
 * endpoints share one import; clusters may not share an endpoint).
 */
final class FabricClusters extends Binding {

  /** APIM's settings for the TLS connection to a cluster's management endpoints. */
  private static final List<String> CLUSTER_TLS_FIELDS =
      List.of("clientCertificateId", "serverCertificateThumbprints", "serverX509Names");

  /** A Service Fabric backend whose cluster's importer is bound once every backend is known. */
  private record PendingCluster(int index, String at, String backendId, JsonObject json) {}

  private final List<PendingCluster> fabricClusters = new ArrayList<>();

  /**
   * Backend {@code backendId} (at {@code index} of the bound backends) names the cluster {@code
   * json}.
   */
  void pending(int index, String at, String backendId, JsonObject json) {
    fabricClusters.add(new PendingCluster(index, at, backendId, json));
  }

  FabricClusters(Binding parent) {
    super(parent);
  }

  private record ClusterFields(int maxPartitionResolutionRetries) {}

  ServiceFabricCluster cluster(String at, JsonObject c) {
    List<String> endpoints = new ArrayList<>();
    array(c, "managementEndpoints")
        .forEach(
            x -> {
              if (x instanceof String str) {
                endpoints.add(str);
              }
            });
    List<String> thumbprints = new ArrayList<>();
    array(c, "serverCertificateThumbprints")
        .forEach(
            x -> {
              if (x instanceof String str) {
                thumbprints.add(str);
              }
            });
    List<ImporterConfig.ServerName> names = new ArrayList<>();
    array(c, "serverX509Names")
        .forEach(
            x -> {
              if (x instanceof JsonObject o) {
                names.add(
                    new ImporterConfig.ServerName(
                        string(o, "name", ""), string(o, "issuerCertificateThumbprint", null)));
              }
            });
    if (c.containsKey("importer") && endpoints.isEmpty()) {
      problem(at + ".importer", "imports from managementEndpoints, and there are none");
    }
    String certId = string(c, "clientCertificateId", null);
    if (certId != null) {
      certificates.certificate(at + ".clientCertificateId", certId);
    }
    for (String k : CLUSTER_TLS_FIELDS) {
      if (c.containsKey(k) && endpoints.stream().noneMatch(FabricClusters::isHttps)) {
        problem(
            at + "." + k,
            "secures the connection to https managementEndpoints, and "
                + (endpoints.isEmpty() ? "there are none" : "none of them is https"));
      }
    }
    return new ServiceFabricCluster(
        endpoints,
        sections.bindFields(c, at, ClusterFields.class).maxPartitionResolutionRetries(),
        string(c, "clientCertificateId", null),
        thumbprints,
        names,
        null);
  }

  /**
   * One importer per distinct cluster (the same set of management endpoints): its settings are
   * those of the first backend naming the cluster, its name {@code importer.name} or {@code
   * sf-<that backend's id>}. Two clusters may not share an endpoint, nor a name.
   */
  void bindImporters(List<BackendConfig> out) {
    record Cluster(Set<String> endpoints, PendingCluster first, ImporterConfig config) {}
    List<Cluster> clusters = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (PendingCluster pc : fabricClusters) {
      SingleBackendConfig b = (SingleBackendConfig) out.get(pc.index());
      ServiceFabricCluster sfc = ((BackendTarget.ServiceFabric) b.target()).cluster();
      if (sfc.managementEndpoints().isEmpty()) {
        continue;
      }
      Set<String> key = new TreeSet<>();
      for (String e : sfc.managementEndpoints()) {
        String n = e.strip().toLowerCase(Locale.ROOT);
        while (n.endsWith("/")) {
          n = n.substring(0, n.length() - 1);
        }
        key.add(n);
      }
      Cluster same = null;
      for (Cluster c : clusters) {
        if (c.endpoints().equals(key)) {
          same = c;
        } else if (c.endpoints().stream().anyMatch(key::contains)) {
          problem(
              pc.at() + ".serviceFabricCluster.managementEndpoints",
              "shares a management endpoint with the cluster of "
                  + c.first().at()
                  + " ('"
                  + c.first().backendId()
                  + "'): list the same endpoints (one cluster) or disjoint ones");
        }
      }
      JsonObject importer = object(pc.json(), "importer");
      ImporterConfig config;
      if (same != null) {
        if (!importer.isEmpty() && !importer.equals(object(same.first().json(), "importer"))) {
          problem(
              pc.at() + ".serviceFabricCluster.importer",
              "the cluster is already imported with the settings of "
                  + same.first().at()
                  + " ('"
                  + same.first().backendId()
                  + "'): give importer settings once");
        }
        for (String k : CLUSTER_TLS_FIELDS) {
          Object mine = pc.json().getValue(k);
          if (mine != null && !mine.equals(same.first().json().getValue(k))) {
            problem(
                pc.at() + ".serviceFabricCluster." + k,
                "differs from the same cluster's setting in "
                    + same.first().at()
                    + " ('"
                    + same.first().backendId()
                    + "'): one cluster, one TLS identity");
          }
        }
        config = same.config();
      } else {
        config =
            importerConfig(
                pc.at() + ".serviceFabricCluster",
                sfc,
                object(pc.json(), "importer"),
                "sf-" + pc.backendId());
        if (config != null) {
          String other = names.putIfAbsent(config.name(), pc.at());
          if (other != null) {
            problem(
                pc.at() + ".serviceFabricCluster.importer.name",
                "importer name '"
                    + config.name()
                    + "' is already used by the cluster of "
                    + other
                    + "; each cluster's importer needs its own name");
          }
        }
        clusters.add(new Cluster(key, pc, config));
      }
      if (config != null) {
        out.set(
            pc.index(),
            new SingleBackendConfig(
                b.id(),
                b.title(),
                new BackendTarget.ServiceFabric(
                    ((BackendTarget.ServiceFabric) b.target()).service(),
                    new ServiceFabricCluster(
                        sfc.managementEndpoints(),
                        sfc.maxPartitionResolutionRetries(),
                        sfc.clientCertificateId(),
                        sfc.serverCertificateThumbprints(),
                        sfc.serverX509Names(),
                        config)),
                b.credentials(),
                b.tls(),
                b.timeouts(),
                b.breaker(),
                b.loadBalancing(),
                b.protocol()));
      }
    }
  }

  /** {@code importer}'s own fields with the schema's defaults; {@code staleAfter} has none. */
  private record ImporterFields(
      String name,
      Duration interval,
      Duration requestTimeout,
      Duration staleAfter,
      int staleAfterFailures,
      int parallelism,
      int batchSize,
      Duration reresolveInterval) {}

  private ImporterConfig importerConfig(
      String at, ServiceFabricCluster sfc, JsonObject i, String defaultName) {
    String iat = at + ".importer";
    ImporterFields f = sections.bindFields(i, iat, ImporterFields.class);
    ImporterConfig.Builder builder =
        ImporterConfig.builder(sfc.managementEndpoints().toArray(new String[0]))
            .name(f.name() != null ? f.name() : defaultName)
            .interval(f.interval())
            .requestTimeout(f.requestTimeout())
            .staleAfter(f.staleAfter(), f.staleAfterFailures())
            .parallelism(f.parallelism())
            .batchSize(f.batchSize())
            .reresolveInterval(f.reresolveInterval());
    List<FabricName> apps = new ArrayList<>();
    JsonArray list = array(i, "applications");
    for (int k = 0; k < list.size(); k++) {
      if (list.getValue(k) instanceof String app) {
        try {
          apps.add(FabricName.parse(app));
        } catch (InvalidFabricNameException e) {
          problem(iat + ".applications[" + k + "]", e.getMessage());
        }
      }
    }
    builder.applications(apps);
    builder.tls(importerTls(at, sfc, i.getValue("tls") instanceof JsonObject t ? t : null));
    try {
      return builder.build();
    } catch (InvalidImporterConfigException e) {
      for (String reason : e.problems()) {
        problem(
            reason.startsWith("managementEndpoints") ? at + ".managementEndpoints" : iat, reason);
      }
      return null;
    }
  }

  /** {@code importer.tls}'s checks of the endpoints' certificates. */
  private record TlsChecks(boolean trustAll, boolean verifyHost) {}

  /**
   * TLS towards the management endpoints: APIM's {@code clientCertificateId} and server pins, or
   * Portico's {@code importer.tls} (PEM files), the certificate read and checked now.
   */
  private ImporterConfig.Tls importerTls(String at, ServiceFabricCluster sfc, JsonObject t) {
    String certId = sfc.clientCertificateId();
    boolean pins =
        !sfc.serverCertificateThumbprints().isEmpty() || !sfc.serverX509Names().isEmpty();
    boolean https = sfc.managementEndpoints().stream().anyMatch(FabricClusters::isHttps);
    if (t == null && (!https || certId == null && !pins)) {
      return null; // nothing to secure, or the APIM fields' problem is already reported
    }
    t = t == null ? new JsonObject() : t;
    String tat = at + ".importer.tls";
    boolean pemFiles = t.containsKey("certPath") || t.containsKey("keyPath");
    KeyCertOptions client = null;
    if (certId != null) {
      if (pemFiles) {
        problem(
            tat + ".certPath",
            "the cluster already has clientCertificateId '"
                + certId
                + "': give one client certificate");
      }
      TlsCertificate cert = certificates.get(certId);
      client = cert == null ? null : cert.keyCert();
    } else if (pemFiles) {
      TlsCertificate cert = certificates.pemFiles(tat, t, tat);
      client = cert == null ? null : cert.keyCert();
    }
    String caPath = string(t, "caPath", null);
    if (caPath != null && !Files.isReadable(Path.of(caPath))) {
      problem(tat + ".caPath", "cannot read '" + caPath + "'");
    }
    TlsChecks checks = sections.bindFields(t, tat, TlsChecks.class);
    return new ImporterConfig.Tls(
        client,
        caPath,
        checks.trustAll(),
        checks.verifyHost(),
        sfc.serverCertificateThumbprints(),
        sfc.serverX509Names());
  }

  private static boolean isHttps(String url) {
    return url.strip().regionMatches(true, 0, "https:", 0, 6);
  }
}
