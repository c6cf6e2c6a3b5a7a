package dev.portico.fabric.importer;

import dev.portico.discovery.json.IsoDurations;
import dev.portico.discovery.json.LenientJson;
import dev.portico.fabric.FabricName;
import dev.portico.fabric.InvalidFabricNameException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a {@link FabricImporter} reads a cluster.
 *
 * @param name the importer's name; its records carry it as {@code sf.source}, and it only ever
 *     touches records with its own name ({@code [A-Za-z0-9._-]+})
 * @param managementEndpoints the cluster's HTTP management endpoints ({@code http(s)://host:19080},
 *     optionally with a path prefix), tried in order when one fails; the one that answered last is
 *     tried first next time
 * @param interval pause between the end of one cycle and the start of the next
 * @param requestTimeout bound on every management call, connection included
 * @param staleAfter the records count as stale when the last successful cycle is older than this
 * @param staleAfterFailures ... or after this many failed cycles in a row
 * @param applications only these applications (empty: every application the cluster lists)
 * @param parallelism management calls in flight at once
 * @param tls client certificate and trust for https endpoints; null: the JVM's default trust
 * @param batchSize registry writes per batch (each batch is written at once and announced once);
 *     the writes of one partition are never split, so a batch exceeds this only for a partition
 *     with more replicas than this
 * @param reresolveInterval complaint-driven re-resolution: at most one ResolvePartition per
 *     partition per this interval; complaints meanwhile share its answer
 */
public record ImporterConfig(
    String name,
    List<URI> managementEndpoints,
    Duration interval,
    Duration requestTimeout,
    Duration staleAfter,
    int staleAfterFailures,
    List<FabricName> applications,
    int parallelism,
    Tls tls,
    int batchSize,
    Duration reresolveInterval) {

  public static final String DEFAULT_NAME = "sf-importer";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_STALE_AFTER_FAILURES = 3;
  public static final int DEFAULT_PARALLELISM = 8;
  public static final int DEFAULT_BATCH_SIZE = 1000;
  public static final int MAX_BATCH_SIZE = 100_000;
  public static final Duration DEFAULT_RERESOLVE_INTERVAL = Duration.ofMillis(100);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /**
   * TLS towards https management endpoints. Service Fabric clusters usually want a client
   * certificate, and often present a self-signed server certificate that clients recognise by
   * thumbprint or by name and issuer rather than by a public chain.
   *
   * @param clientCertificate presented when the cluster asks for one (PEM or PKCS#12 options, paths
   *     or values); null: none
   * @param caPath certificate(s) to trust for the cluster's chain (PEM); null: the JVM's trust
   * @param trustAll trust any server certificate (for test clusters only)
   * @param verifyHost check the server certificate's name against the host (ignored when the server
   *     is pinned: the pin is its identity)
   * @param serverCertificateThumbprints the server's certificate is accepted when its SHA-1 (40 hex
   *     digits) or SHA-256 (64) thumbprint is one of these
   * @param serverX509Names ... or when its common name (or a DNS name) is one of these and, for an
   *     entry with an issuer thumbprint, it was issued by that certificate; an entry without one
   *     needs a chain trusted by {@code caPath} or the JVM
   */
  public record Tls(
      KeyCertOptions clientCertificate,
      String caPath,
      boolean trustAll,
      boolean verifyHost,
      List<String> serverCertificateThumbprints,
      List<ServerName> serverX509Names) {

    public Tls {
      serverCertificateThumbprints =
          serverCertificateThumbprints == null
              ? List.of()
              : serverCertificateThumbprints.stream().map(Tls::normalizeThumbprint).toList();
      serverX509Names = serverX509Names == null ? List.of() : List.copyOf(serverX509Names);
    }

    /** A PEM client certificate (both paths, or neither) and the usual chain checks. */
    public static Tls pem(
        String certPath, String keyPath, String caPath, boolean trustAll, boolean verifyHost) {
      KeyCertOptions client = null;
      if (certPath != null || keyPath != null) {
        PemKeyCertOptions pem = new PemKeyCertOptions();
        if (certPath != null) {
          pem.addCertPath(certPath);
        }
        if (keyPath != null) {
          pem.addKeyPath(keyPath);
        }
        client = pem;
      }
      return new Tls(client, caPath, trustAll, verifyHost, List.of(), List.of());
    }

    /**
     * Whether the server is recognised by thumbprint or name rather than by chain and host name
     * alone.
     */
    public boolean pinsServer() {
      return !serverCertificateThumbprints.isEmpty() || !serverX509Names.isEmpty();
    }

    /** For the log: what is presented and how the server is recognised, no secrets. */
    public String summary() {
      String server =
          pinsServer()
              ? "server pinned by "
                  + serverCertificateThumbprints.size()
                  + " thumbprint(s) and "
                  + serverX509Names.size()
                  + " name(s)"
              : trustAll
                  ? "any server certificate trusted"
                  : "server chain checked against "
                      + (caPath == null ? "the JVM's trust" : caPath)
                      + (verifyHost ? " with its host name" : "");
      return (clientCertificate == null ? "no client certificate" : "client certificate presented")
          + ", "
          + server;
    }

    /** Upper-case hex without the separators certificate tools print ({@code :} and spaces). */
    public static String normalizeThumbprint(String thumbprint) {
      return thumbprint == null
          ? null
          : thumbprint.replace(":", "").replace(" ", "").toUpperCase(Locale.ROOT);
    }
  }

  /**
   * One accepted server name, optionally with the thumbprint of the certificate that must have
   * issued it.
   */
  public record ServerName(String name, String issuerCertificateThumbprint) {
    public ServerName {
      issuerCertificateThumbprint = Tls.normalizeThumbprint(issuerCertificateThumbprint);
    }
  }

  public ImporterConfig {
    name = name == null ? DEFAULT_NAME : name;
    managementEndpoints =
        managementEndpoints == null ? List.of() : List.copyOf(managementEndpoints);
    interval = interval == null ? DEFAULT_INTERVAL : interval;
    requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    staleAfter = staleAfter == null ? interval.multipliedBy(6) : staleAfter;
    applications = applications == null ? List.of() : List.copyOf(applications);
    reresolveInterval = reresolveInterval == null ? DEFAULT_RERESOLVE_INTERVAL : reresolveInterval;
    List<String> problems =
        validate(
            name,
            managementEndpoints,
            interval,
            requestTimeout,
            staleAfter,
            staleAfterFailures,
            applications,
            parallelism,
            tls,
            batchSize,
            reresolveInterval);
    if (!problems.isEmpty()) {
      throw new InvalidImporterConfigException(problems);
    }
    List<URI> normalized = new ArrayList<>(managementEndpoints.size());
    for (URI uri : managementEndpoints) {
      normalized.add(withoutTrailingSlash(uri));
    }
    managementEndpoints = List.copyOf(normalized);
  }

  /** Defaults for everything but the endpoints. */
  public static ImporterConfig of(String... managementEndpoints) {
    return builder(managementEndpoints).build();
  }

  /** A builder starting from the defaults; validation happens once, in {@link Builder#build()}. */
  public static Builder builder(String... managementEndpoints) {
    return new Builder(managementEndpoints);
  }

  /** Builds an {@link ImporterConfig}; unset durations default from the final interval. */
  public static final class Builder {
    private final List<String> endpoints;
    private String name;
    private Duration interval;
    private Duration requestTimeout;
    private Duration staleAfter;
    private int staleAfterFailures = DEFAULT_STALE_AFTER_FAILURES;
    private List<FabricName> applications = List.of();
    private int parallelism = DEFAULT_PARALLELISM;
    private Tls tls;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration reresolveInterval;

    private Builder(String... endpoints) {
      this.endpoints = List.of(endpoints);
    }

    public Builder name(String value) {
      this.name = value;
      return this;
    }

    public Builder interval(Duration value) {
      this.interval = value;
      return this;
    }

    public Builder requestTimeout(Duration value) {
      this.requestTimeout = value;
      return this;
    }

    /** Stale after no success for {@code age}, or after {@code failures} failed cycles in a row. */
    public Builder staleAfter(Duration age, int failures) {
      this.staleAfter = age;
      this.staleAfterFailures = failures;
      return this;
    }

    public Builder applications(List<FabricName> value) {
      this.applications = value;
      return this;
    }

    public Builder parallelism(int value) {
      this.parallelism = value;
      return this;
    }

    public Builder tls(Tls value) {
      this.tls = value;
      return this;
    }

    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    public Builder reresolveInterval(Duration value) {
      this.reresolveInterval = value;
      return this;
    }

    /**
     * @throws InvalidImporterConfigException listing every problem
     */
    public ImporterConfig build() {
      List<URI> uris = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < endpoints.size(); i++) {
        URI uri = parseUri("managementEndpoints[" + i + "]", endpoints.get(i), problems);
        if (uri != null) {
          uris.add(uri);
        }
      }
      try {
        ImporterConfig config =
            new ImporterConfig(
                name,
                uris,
                interval,
                requestTimeout,
                staleAfter,
                staleAfterFailures,
                applications,
                parallelism,
                tls,
                batchSize,
                reresolveInterval);
        if (problems.isEmpty()) {
          return config;
        }
      } catch (InvalidImporterConfigException e) {
        problems.addAll(e.problems());
      }
      throw new InvalidImporterConfigException(problems);
    }
  }

  /**
   * Reads {@code {"name", "managementEndpoints": [..], "interval", "requestTimeout", "staleAfter",
   * "staleAfterFailures", "applications": ["fabric:/App"], "parallelism", "batchSize",
   * "reresolveInterval", "tls": {"certPath", "keyPath" | "pfxPath", "pfxPassword", "caPath",
   * "trustAll", "verifyHost", "serverCertificateThumbprints": [..], "serverX509Names": [{"name",
   * "issuerCertificateThumbprint"}]}}}. Durations are ISO 8601 strings such as {@code "PT10S"} or
   * {@code "PT0.5S"}: the syntax of the gateway's configuration ({@link IsoDurations}). Every
   * problem is reported at once.
   */
  public static ImporterConfig fromJson(JsonObject json) {
    Objects.requireNonNull(json, "json");
    List<String> problems = new ArrayList<>();
    String name = text(json, "name", problems);
    List<URI> endpoints = new ArrayList<>();
    JsonArray eps = array(json, "managementEndpoints", problems);
    for (int i = 0; i < eps.size(); i++) {
      Object v = eps.getValue(i);
      URI uri =
          v instanceof String
              ? parseUri("managementEndpoints[" + i + "]", (String) v, problems)
              : null;
      if (!(v instanceof String)) {
        problems.add("managementEndpoints[" + i + "] must be a string URL");
      } else if (uri != null) {
        endpoints.add(uri);
      }
    }
    Duration interval = duration(json, "interval", problems);
    Duration requestTimeout = duration(json, "requestTimeout", problems);
    Duration staleAfter = duration(json, "staleAfter", problems);
    int staleAfterFailures =
        integer(json, "staleAfterFailures", DEFAULT_STALE_AFTER_FAILURES, problems);
    int parallelism = integer(json, "parallelism", DEFAULT_PARALLELISM, problems);
    int batchSize = integer(json, "batchSize", DEFAULT_BATCH_SIZE, problems);
    Duration reresolveInterval = duration(json, "reresolveInterval", problems);
    List<FabricName> apps = new ArrayList<>();
    JsonArray appArray = array(json, "applications", problems);
    for (int i = 0; i < appArray.size(); i++) {
      Object v = appArray.getValue(i);
      if (!(v instanceof String)) {
        problems.add("applications[" + i + "] must be a fabric:/ name string");
        continue;
      }
      try {
        apps.add(FabricName.parse((String) v));
      } catch (InvalidFabricNameException e) {
        problems.add("applications[" + i + "]: " + e.getMessage());
      }
    }
    Tls tls = null;
    Object t = json.getValue("tls");
    if (t instanceof JsonObject) {
      tls = tls((JsonObject) t, problems);
    } else if (t != null) {
      problems.add("tls must be an object");
    }
    try {
      ImporterConfig config =
          new ImporterConfig(
              name,
              endpoints,
              interval,
              requestTimeout,
              staleAfter,
              staleAfterFailures,
              apps,
              parallelism,
              tls,
              batchSize,
              reresolveInterval);
      if (problems.isEmpty()) {
        return config;
      }
    } catch (InvalidImporterConfigException e) {
      problems.addAll(e.problems());
    }
    throw new InvalidImporterConfigException(problems);
  }

  private static List<String> validate(
      String name,
      List<URI> endpoints,
      Duration interval,
      Duration requestTimeout,
      Duration staleAfter,
      int staleAfterFailures,
      List<FabricName> applications,
      int parallelism,
      Tls tls,
      int batchSize,
      Duration reresolveInterval) {
    List<String> problems = new ArrayList<>();
    if (!NAME.matcher(name).matches()) {
      problems.add(
          "name \"" + name + "\" must be non-empty and use only letters, digits, '.', '_' and '-'");
    }
    if (endpoints.isEmpty()) {
      problems.add(
          "managementEndpoints must list at least one http(s)://host:port URL (the cluster's"
              + " HTTP management endpoint, port 19080 by default)");
    }
    Set<String> seen = new HashSet<>();
    boolean https = false;
    for (int i = 0; i < endpoints.size(); i++) {
      URI uri = endpoints.get(i);
      String where = "managementEndpoints[" + i + "] \"" + uri + "\"";
      if (uri == null) {
        problems.add("managementEndpoints[" + i + "] is null");
        continue;
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        problems.add(where + ": the scheme must be http or https");
        continue;
      }
      https |= scheme.equals("https");
      if (uri.getHost() == null) {
        problems.add(where + ": no host");
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        problems.add(where + ": must not have a query or a fragment");
      }
      if (uri.getRawUserInfo() != null) {
        problems.add(where + ": must not carry user info; use tls for credentials");
      }
      if (!seen.add(withoutTrailingSlash(uri).toString().toLowerCase(Locale.ROOT))) {
        problems.add(where + ": listed twice");
      }
    }
    if (!positive(interval) || interval.toMillis() < 10) {
      problems.add("interval must be at least 10ms, got " + interval);
    }
    if (!positive(requestTimeout) || requestTimeout.toMillis() < 1) {
      problems.add("requestTimeout must be at least 1ms, got " + requestTimeout);
    }
    if (!positive(staleAfter) || staleAfter.compareTo(interval) < 0) {
      problems.add(
          "staleAfter ("
              + staleAfter
              + ") must be positive and at least the interval ("
              + interval
              + "), or every pause between cycles would look stale");
    }
    if (staleAfterFailures < 1) {
      problems.add("staleAfterFailures must be at least 1, got " + staleAfterFailures);
    }
    if (parallelism < 1 || parallelism > 64) {
      problems.add("parallelism must be within [1, 64], got " + parallelism);
    }
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      problems.add("batchSize must be within [1, " + MAX_BATCH_SIZE + "], got " + batchSize);
    }
    if (reresolveInterval.isNegative() || reresolveInterval.compareTo(Duration.ofMinutes(1)) > 0) {
      problems.add("reresolveInterval must be within [0, PT1M], got " + reresolveInterval);
    }
    Set<FabricName> apps = new HashSet<>();
    for (FabricName app : applications) {
      if (app == null) {
        problems.add("applications must not contain null");
      } else if (!apps.add(app)) {
        problems.add("applications lists " + app + " twice");
      }
    }
    if (tls != null) {
      validateTls(tls, https, endpoints.isEmpty(), problems);
    }
    return problems;
  }

  private static void validateTls(
      Tls tls, boolean https, boolean noEndpoints, List<String> problems) {
    if (tls.clientCertificate() instanceof PemKeyCertOptions) {
      PemKeyCertOptions pem = (PemKeyCertOptions) tls.clientCertificate();
      int certs = pem.getCertPaths().size() + pem.getCertValues().size();
      int keys = pem.getKeyPaths().size() + pem.getKeyValues().size();
      if (certs != keys || certs == 0) {
        problems.add("tls.certPath and tls.keyPath go together: give both or neither");
      }
    }
    List<String> thumbprints = tls.serverCertificateThumbprints();
    for (int i = 0; i < thumbprints.size(); i++) {
      if (!isThumbprint(thumbprints.get(i))) {
        problems.add(
            "tls.serverCertificateThumbprints["
                + i
                + "] \""
                + thumbprints.get(i)
                + "\" is not a certificate thumbprint (40 hex digits for SHA-1, 64 for SHA-256)");
      }
    }
    List<ServerName> names = tls.serverX509Names();
    for (int i = 0; i < names.size(); i++) {
      ServerName n = names.get(i);
      if (n == null || n.name() == null || n.name().isBlank()) {
        problems.add(
            "tls.serverX509Names[" + i + "] needs a name (the server certificate's common name)");
      } else if (n.issuerCertificateThumbprint() != null
          && !isThumbprint(n.issuerCertificateThumbprint())) {
        problems.add(
            "tls.serverX509Names["
                + i
                + "].issuerCertificateThumbprint \""
                + n.issuerCertificateThumbprint()
                + "\" is not a certificate thumbprint (40 or 64 hex digits)");
      }
    }
    if (tls.trustAll() && tls.pinsServer()) {
      problems.add(
          "tls.trustAll contradicts serverCertificateThumbprints / serverX509Names: pinning the server"
              + " is the stricter check; drop one");
    }
    if (!https && !noEndpoints) {
      problems.add("tls is configured but no management endpoint uses https");
    }
  }

  private static boolean isThumbprint(String s) {
    return s != null
        && (s.length() == 40 || s.length() == 64)
        && s.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'A' && c <= 'F');
  }

  private static Tls tls(JsonObject o, List<String> problems) {
    String certPath = text(o, "certPath", problems);
    String keyPath = text(o, "keyPath", problems);
    String pfxPath = text(o, "pfxPath", problems);
    String pfxPassword = text(o, "pfxPassword", problems);
    KeyCertOptions client = Tls.pem(certPath, keyPath, null, false, true).clientCertificate();
    if (pfxPath != null) {
      if (client != null) {
        problems.add("tls.pfxPath and tls.certPath/keyPath are two client certificates: give one");
      }
      client = new PfxOptions().setPath(pfxPath).setPassword(pfxPassword);
    } else if (pfxPassword != null) {
      problems.add("tls.pfxPassword without tls.pfxPath");
    }
    List<String> thumbprints = new ArrayList<>();
    JsonArray tps = array(o, "serverCertificateThumbprints", problems);
    for (int i = 0; i < tps.size(); i++) {
      Object v = tps.getValue(i);
      if (v instanceof String) {
        thumbprints.add((String) v);
      } else {
        problems.add("tls.serverCertificateThumbprints[" + i + "] must be a string");
      }
    }
    List<ServerName> names = new ArrayList<>();
    JsonArray ns = array(o, "serverX509Names", problems);
    for (int i = 0; i < ns.size(); i++) {
      Object v = ns.getValue(i);
      if (v instanceof JsonObject) {
        JsonObject n = (JsonObject) v;
        names.add(
            new ServerName(
                text(n, "name", problems), text(n, "issuerCertificateThumbprint", problems)));
      } else {
        problems.add(
            "tls.serverX509Names[" + i + "] must be an object {name, issuerCertificateThumbprint}");
      }
    }
    return new Tls(
        client,
        text(o, "caPath", problems),
        bool(o, "trustAll", false, problems),
        bool(o, "verifyHost", true, problems),
        thumbprints,
        names);
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return URI.create(s);
  }

  private static URI parseUri(String where, String text, List<String> problems) {
    if (text == null || text.isBlank()) {
      problems.add(where + " is empty");
      return null;
    }
    try {
      return new URI(text.strip());
    } catch (URISyntaxException e) {
      problems.add(where + " \"" + text + "\" is not a URL: " + e.getMessage());
      return null;
    }
  }

  private static String text(JsonObject o, String key, List<String> problems) {
    return LenientJson.reporting(problems::add).stringOf(o, key, null);
  }

  private static boolean bool(JsonObject o, String key, boolean fallback, List<String> problems) {
    return LenientJson.reporting(problems::add).boolOf(o, key, fallback);
  }

  private static int integer(JsonObject o, String key, int fallback, List<String> problems) {
    return LenientJson.reporting(problems::add).integerOf(o, key, fallback);
  }

  private static JsonArray array(JsonObject o, String key, List<String> problems) {
    return LenientJson.reporting(problems::add).arrayOf(o, key);
  }

  /**
   * The gateway's duration syntax, ISO 8601 ({@link IsoDurations}); absent is null (the builder's
   * default).
   */
  private static Duration duration(JsonObject o, String key, List<String> problems) {
    Object v = o.getValue(key);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      try {
        return IsoDurations.parse(s.strip());
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    problems.add(
        key + " \"" + v + "\" is not a duration: ISO 8601 (examples: PT30S, PT0.5S, PT2M, P1D)");
    return null;
  }
}
