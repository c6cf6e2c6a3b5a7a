package dev.portico.fabric.importer;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.InvalidFabricNameException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a {@link FabricImporter} reads a cluster.
 *
 * @param name                the importer's name; its records carry it as {@code sf.source}, and it only ever
 *                            touches records with its own name ({@code [A-Za-z0-9._-]+})
 * @param managementEndpoints the cluster's HTTP management endpoints ({@code http(s)://host:19080}, optionally
 *                            with a path prefix), tried in order when one fails; the one that answered last is
 *                            tried first next time
 * @param interval            pause between the end of one cycle and the start of the next
 * @param requestTimeout      bound on every management call, connection included
 * @param staleAfter          the records count as stale when the last successful cycle is older than this
 * @param staleAfterFailures  ... or after this many failed cycles in a row
 * @param applications        only these applications (empty: every application the cluster lists)
 * @param parallelism         management calls in flight at once, and registry writes at once
 * @param tls                 client certificate and trust for https endpoints; null: the JVM's default trust
 */
public record ImporterConfig(String name, List<URI> managementEndpoints, Duration interval, Duration requestTimeout,
                             Duration staleAfter, int staleAfterFailures, List<FabricName> applications,
                             int parallelism, Tls tls) {

    public static final String DEFAULT_NAME = "sf-importer";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_STALE_AFTER_FAILURES = 3;
    public static final int DEFAULT_PARALLELISM = 8;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    /**
     * TLS towards https management endpoints, as PEM files (Service Fabric clusters usually want a
     * client certificate, and often have a self-signed server certificate).
     *
     * @param certPath   client certificate chain (PEM); with {@code keyPath}, or both null
     * @param keyPath    client private key (PEM)
     * @param caPath     certificate(s) to trust for the cluster (PEM); null: the JVM's default trust
     * @param trustAll   trust any server certificate (for test clusters only)
     * @param verifyHost check the server certificate's name against the host
     */
    public record Tls(String certPath, String keyPath, String caPath, boolean trustAll, boolean verifyHost) {
    }

    public ImporterConfig {
        name = name == null ? DEFAULT_NAME : name;
        managementEndpoints = managementEndpoints == null ? List.of() : List.copyOf(managementEndpoints);
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
        staleAfter = staleAfter == null ? interval.multipliedBy(6) : staleAfter;
        applications = applications == null ? List.of() : List.copyOf(applications);
        List<String> problems = validate(name, managementEndpoints, interval, requestTimeout, staleAfter,
                staleAfterFailures, applications, parallelism, tls);
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

        /** @throws InvalidImporterConfigException listing every problem */
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
                ImporterConfig config = new ImporterConfig(name, uris, interval, requestTimeout, staleAfter,
                        staleAfterFailures, applications, parallelism, tls);
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
     * "staleAfterFailures", "applications": ["fabric:/App"], "parallelism", "tls": {"certPath",
     * "keyPath", "caPath", "trustAll", "verifyHost"}}}. Durations are milliseconds as a number, or
     * strings such as {@code "500ms"}, {@code "10s"}, {@code "2m"}, {@code "1h"}, {@code "PT10S"}.
     * Every problem is reported at once.
     */
    public static ImporterConfig fromJson(JsonObject json) {
        Objects.requireNonNull(json, "json");
        List<String> problems = new ArrayList<>();
        String name = text(json, "name", problems);
        List<URI> endpoints = new ArrayList<>();
        JsonArray eps = array(json, "managementEndpoints", problems);
        for (int i = 0; i < eps.size(); i++) {
            Object v = eps.getValue(i);
            URI uri = v instanceof String ? parseUri("managementEndpoints[" + i + "]", (String) v, problems) : null;
            if (!(v instanceof String)) {
                problems.add("managementEndpoints[" + i + "] must be a string URL");
            } else if (uri != null) {
                endpoints.add(uri);
            }
        }
        Duration interval = duration(json, "interval", problems);
        Duration requestTimeout = duration(json, "requestTimeout", problems);
        Duration staleAfter = duration(json, "staleAfter", problems);
        int staleAfterFailures = integer(json, "staleAfterFailures", DEFAULT_STALE_AFTER_FAILURES, problems);
        int parallelism = integer(json, "parallelism", DEFAULT_PARALLELISM, problems);
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
            JsonObject o = (JsonObject) t;
            tls = new Tls(text(o, "certPath", problems), text(o, "keyPath", problems), text(o, "caPath", problems),
                    bool(o, "trustAll", false, problems), bool(o, "verifyHost", true, problems));
        } else if (t != null) {
            problems.add("tls must be an object");
        }
        try {
            ImporterConfig config = new ImporterConfig(name, endpoints, interval, requestTimeout, staleAfter,
                    staleAfterFailures, apps, parallelism, tls);
            if (problems.isEmpty()) {
                return config;
            }
        } catch (InvalidImporterConfigException e) {
            problems.addAll(e.problems());
        }
        throw new InvalidImporterConfigException(problems);
    }

    private static List<String> validate(String name, List<URI> endpoints, Duration interval, Duration requestTimeout,
                                         Duration staleAfter, int staleAfterFailures, List<FabricName> applications,
                                         int parallelism, Tls tls) {
        List<String> problems = new ArrayList<>();
        if (!NAME.matcher(name).matches()) {
            problems.add("name \"" + name + "\" must be non-empty and use only letters, digits, '.', '_' and '-'");
        }
        if (endpoints.isEmpty()) {
            problems.add("managementEndpoints must list at least one http(s)://host:port URL (the cluster's"
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
            problems.add("staleAfter (" + staleAfter + ") must be positive and at least the interval (" + interval
                    + "), or every pause between cycles would look stale");
        }
        if (staleAfterFailures < 1) {
            problems.add("staleAfterFailures must be at least 1, got " + staleAfterFailures);
        }
        if (parallelism < 1 || parallelism > 64) {
            problems.add("parallelism must be within [1, 64], got " + parallelism);
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
            if ((tls.certPath() == null) != (tls.keyPath() == null)) {
                problems.add("tls.certPath and tls.keyPath go together: give both or neither");
            }
            if (!https && !endpoints.isEmpty()) {
                problems.add("tls is configured but no management endpoint uses https");
            }
        }
        return problems;
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
        Object v = o.getValue(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        problems.add(key + " must be a string");
        return null;
    }

    private static boolean bool(JsonObject o, String key, boolean fallback, List<String> problems) {
        Object v = o.getValue(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        problems.add(key + " must be true or false");
        return fallback;
    }

    private static int integer(JsonObject o, String key, int fallback, List<String> problems) {
        Object v = o.getValue(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Integer || v instanceof Long) {
            long l = ((Number) v).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        }
        problems.add(key + " must be an integer, got " + v);
        return fallback;
    }

    private static JsonArray array(JsonObject o, String key, List<String> problems) {
        Object v = o.getValue(key);
        if (v == null) {
            return new JsonArray();
        }
        if (v instanceof JsonArray) {
            return (JsonArray) v;
        }
        problems.add(key + " must be an array");
        return new JsonArray();
    }

    private static Duration duration(JsonObject o, String key, List<String> problems) {
        Object v = o.getValue(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long) {
            return Duration.ofMillis(((Number) v).longValue());
        }
        if (v instanceof String) {
            String s = ((String) v).strip();
            Matcher m = DURATION.matcher(s.toLowerCase(Locale.ROOT));
            try {
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    switch (m.group(2)) {
                        case "ms":
                            return Duration.ofMillis(n);
                        case "s":
                            return Duration.ofSeconds(n);
                        case "m":
                            return Duration.ofMinutes(n);
                        default:
                            return Duration.ofHours(n);
                    }
                }
                return Duration.parse(s);
            } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
                // reported below
            }
        }
        problems.add(key + " \"" + v + "\" is not a duration (milliseconds, or e.g. \"500ms\", \"10s\", \"2m\", \"PT10S\")");
        return null;
    }
}
