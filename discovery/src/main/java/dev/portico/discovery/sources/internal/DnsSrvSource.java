package dev.portico.discovery.sources.internal;

import dev.portico.discovery.InstanceSpec;
import dev.portico.discovery.InstanceStatus;
import dev.portico.discovery.Registry;
import dev.portico.discovery.sources.DnsSrvOptions;
import dev.portico.discovery.sources.RegistrySource;
import dev.portico.discovery.sources.SourceOptions;
import dev.portico.discovery.sources.SourceRecords;
import dev.portico.discovery.sources.SourceStatus;
import io.netty.util.NetUtil;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import io.vertx.core.dns.SrvRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves an SRV name on an interval that follows the answer's TTL and keeps the registry in step
 * with it (see {@link RegistrySource}). NXDOMAIN and an empty answer mean "no instance": the
 * records are removed. Any other failure (timeout, SERVFAIL, REFUSED, a target that cannot be
 * resolved) keeps the last known records and retries with a backoff between the interval bounds.
 */
public final class DnsSrvSource implements RegistrySource {

  private static final Logger log = LoggerFactory.getLogger(DnsSrvSource.class);

  /**
   * Even an unchanged answer is written again this often: it repairs records lost from a shared
   * registry.
   */
  static final Duration RESYNC = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final DnsSrvOptions options;
  private final SourceSync sync;

  private Context context;
  private DnsClient client;
  private boolean stopped;
  private long timer = -1;
  private int failures;

  /** The view last written to the registry, and when; null until the first sync. */
  private List<InstanceSpec> applied;

  private long appliedAt;

  private volatile boolean synced;
  private volatile Instant lastSync;
  private volatile int instances;
  private volatile String lastError;
  private volatile Long lastTtl;
  private volatile Duration nextQueryIn;
  private volatile String lastAnswer = "none yet";

  public DnsSrvSource(Vertx vertx, Registry registry, DnsSrvOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.sync = new SourceSync(registry, options.id());
  }

  @Override
  public SourceOptions options() {
    return options;
  }

  @Override
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    DnsClientOptions o = new DnsClientOptions().setQueryTimeout(options.timeout().toMillis());
    if (options.serverHost() != null) {
      o.setHost(options.serverHost()).setPort(options.serverPort());
    }
    client = vertx.createDnsClient(o);
    log.info(
        "registry source {}: resolving SRV {} through {} for service '{}'",
        options.id(),
        options.name(),
        options.describeServer(),
        options.service());
    context.runOnContext(v -> query());
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop(boolean unpublish) {
    Future<Void> stopped =
        Future.future(
            p ->
                context.runOnContext(
                    v -> {
                      this.stopped = true;
                      if (timer >= 0) {
                        vertx.cancelTimer(timer);
                      }
                      p.complete();
                    }));
    return stopped
        .compose(
            v ->
                unpublish
                    ? sync.apply(List.of()).<Void>mapEmpty().recover(e -> Future.succeededFuture())
                    : Future.<Void>succeededFuture())
        .eventually(() -> client == null ? Future.succeededFuture() : client.close());
  }

  @Override
  public SourceStatus status() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", options.name());
    details.put("server", options.describeServer());
    details.put("lastAnswer", lastAnswer);
    details.put("ttlSeconds", lastTtl);
    details.put("nextQueryInMillis", nextQueryIn == null ? null : nextQueryIn.toMillis());
    return new SourceStatus(
        options.id(),
        options.type(),
        options.service(),
        synced,
        lastSync,
        instances,
        lastError,
        details);
  }

  private void query() {
    if (stopped) {
      return;
    }
    client
        .resolveSRV(options.name())
        .compose(
            records ->
                records.isEmpty()
                    ? Future.succeededFuture(new Answer(List.of(), null, "empty answer"))
                    : targets(records))
        .recover(
            e ->
                e instanceof DnsException d && d.code() == DnsResponseCode.NXDOMAIN
                    ? Future.succeededFuture(new Answer(List.of(), null, "NXDOMAIN"))
                    : Future.failedFuture(e))
        .compose(answer -> write(answer).map(answer))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                failures = 0;
                Answer a = ar.result();
                lastTtl = a.minTtl();
                lastAnswer = a.description();
                lastError = null;
                // a negative answer carries no TTL the client can see (RFC 2308 puts it in the
                // SOA): ask again soon
                schedule(
                    a.minTtl() == null
                        ? options.minInterval()
                        : clamp(Duration.ofSeconds(a.minTtl())));
              } else {
                failures++;
                String error = describe(ar.cause());
                if (!error.equals(lastError)) {
                  log.warn(
                      "registry source {}: resolving {} through {} failed ({}); the last known {} instances stay published",
                      options.id(),
                      options.name(),
                      options.describeServer(),
                      error,
                      instances);
                }
                lastError = error;
                // 1x, 2x, 4x ... the shortest interval, at most the longest
                long backoff = options.minInterval().toMillis() << Math.min(failures - 1, 16);
                schedule(Duration.ofMillis(Math.min(backoff, options.maxInterval().toMillis())));
              }
            });
  }

  private Duration clamp(Duration ttl) {
    if (ttl.compareTo(options.minInterval()) < 0) {
      return options.minInterval();
    }
    return ttl.compareTo(options.maxInterval()) > 0 ? options.maxInterval() : ttl;
  }

  private void schedule(Duration delay) {
    if (stopped) {
      return;
    }
    nextQueryIn = delay;
    timer = vertx.setTimer(Math.max(1, delay.toMillis()), t -> query());
  }

  /** The view the SRV records describe, their target names resolved to addresses when asked. */
  private Future<Answer> targets(List<SrvRecord> records) {
    List<SrvRecord> usable = new ArrayList<>();
    long minTtl = Long.MAX_VALUE;
    for (SrvRecord r : records) {
      minTtl = Math.min(minTtl, r.ttl());
      // target "." means "decidedly not available here" (RFC 2782); port 0 cannot be connected to
      if (r.target() != null && !r.target().equals(".") && !r.target().isEmpty() && r.port() > 0) {
        usable.add(r);
      }
    }
    long ttl = minTtl;
    Map<String, Future<List<String>>> addresses = new HashMap<>();
    for (SrvRecord r : usable) {
      String target = hostName(r.target());
      addresses.computeIfAbsent(target, this::addresses);
    }
    return Future.all(new ArrayList<>(addresses.values()))
        .map(
            done -> {
              int[] priorities = new int[usable.size()];
              int[] weights = new int[usable.size()];
              for (int i = 0; i < usable.size(); i++) {
                // the decoder reads unsigned 16-bit fields as signed shorts
                priorities[i] = usable.get(i).priority() & 0xffff;
                weights[i] = usable.get(i).weight() & 0xffff;
              }
              SrvWeights scale = new SrvWeights(priorities, weights);
              List<InstanceSpec> view = new ArrayList<>();
              for (int i = 0; i < usable.size(); i++) {
                SrvRecord r = usable.get(i);
                String target = hostName(r.target());
                for (String address : addresses.get(target).result()) {
                  Map<String, String> metadata = new HashMap<>();
                  metadata.put(SourceRecords.SOURCE, options.id());
                  metadata.put(SourceRecords.SOURCE_TYPE, options.type());
                  metadata.put("weight", String.valueOf(scale.weight(weights[i])));
                  metadata.put("priority", String.valueOf(scale.priority(priorities[i])));
                  metadata.put("dns.name", options.name());
                  metadata.put("dns.target", target);
                  metadata.put("dns.weight", String.valueOf(weights[i]));
                  metadata.put("dns.priority", String.valueOf(priorities[i]));
                  view.add(
                      new InstanceSpec(
                          options.service(),
                          address,
                          r.port(),
                          options.ssl(),
                          "",
                          InstanceStatus.UP,
                          metadata));
                }
              }
              return new Answer(
                  view, ttl, usable.size() + " SRV records, " + view.size() + " instances");
            });
  }

  /**
   * A target's addresses: itself when it is an IP literal or not to be resolved; else A records,
   * AAAA when none.
   */
  private Future<List<String>> addresses(String target) {
    if (!options.resolveTargets()
        || NetUtil.isValidIpV4Address(target)
        || NetUtil.isValidIpV6Address(target)) {
      return Future.succeededFuture(List.of(target));
    }
    return lookup(client.resolveA(target))
        .compose(
            v4 -> v4.isEmpty() ? lookup(client.resolveAAAA(target)) : Future.succeededFuture(v4))
        .recover(
            e ->
                Future.failedFuture(
                    new IllegalStateException("target " + target + ": " + describe(e), e)));
  }

  /** A target that does not exist (NXDOMAIN) has no address; any other failure fails the round. */
  private static Future<List<String>> lookup(Future<List<String>> query) {
    return query.recover(
        e ->
            e instanceof DnsException d && d.code() == DnsResponseCode.NXDOMAIN
                ? Future.succeededFuture(List.of())
                : Future.failedFuture(e));
  }

  /** Writes the view unless it is the one written last, less than {@link #RESYNC} ago. */
  private Future<Void> write(Answer answer) {
    long now = System.nanoTime();
    if (answer.view().equals(applied) && now - appliedAt < RESYNC.toNanos()) {
      return Future.succeededFuture();
    }
    return sync.apply(answer.view())
        .map(
            n -> {
              if (!answer.view().equals(applied)) {
                log.info(
                    "registry source {}: {} ({}) -> {} instances of '{}' published",
                    options.id(),
                    options.name(),
                    answer.description(),
                    n,
                    options.service());
              }
              applied = answer.view();
              appliedAt = now;
              instances = n;
              lastSync = Instant.now();
              synced = true;
              return null;
            });
  }

  private static String hostName(String target) {
    String t = target.endsWith(".") ? target.substring(0, target.length() - 1) : target;
    return t.toLowerCase(Locale.ROOT);
  }

  private String describe(Throwable e) {
    if (e instanceof DnsException d) {
      return d.code().name();
    }
    if (e.getClass().getSimpleName().contains("Timeout")) {
      // the resolver's own message carries the query id: one warning per outage, not one per query
      return "no answer within " + options.timeout().toMillis() + " ms";
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private record Answer(List<InstanceSpec> view, Long minTtl, String description) {}
}
