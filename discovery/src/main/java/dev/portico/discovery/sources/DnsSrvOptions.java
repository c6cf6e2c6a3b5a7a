package dev.portico.discovery.sources;

import java.time.Duration;
import java.util.Objects;

/**
 * A DNS SRV source: resolves {@link #name()} (e.g. {@code _http._tcp.orders.service.consul}) and
 * publishes one instance per target address and port.
 *
 * @param id the source's id
 * @param service the registry service the instances are published under
 * @param name the SRV name to resolve
 * @param serverHost IP address of the DNS server; {@code null} for the system resolver (the first
 *     {@code nameserver} of {@code /etc/resolv.conf})
 * @param serverPort its port (53 unless Consul's 8600 or a local test server)
 * @param ssl whether the instances speak TLS
 * @param minInterval the earliest re-query after an answer, even when its TTL is shorter (TTL 0
 *     included); also the re-query delay after NXDOMAIN or an empty answer (no TTL visible), and
 *     the first retry delay after a failure
 * @param maxInterval the latest re-query after an answer, even when its TTL is longer; also the
 *     longest retry delay after failures
 * @param timeout bound on one DNS query
 * @param resolveTargets resolve each SRV target's A (else AAAA) records through the same server and
 *     publish addresses; when false the target host name is published and resolved by the gateway's
 *     own resolver at connection time
 */
public record DnsSrvOptions(
    String id,
    String service,
    String name,
    String serverHost,
    int serverPort,
    boolean ssl,
    Duration minInterval,
    Duration maxInterval,
    Duration timeout,
    boolean resolveTargets)
    implements SourceOptions {

  public static final String TYPE = "dns-srv";
  public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  public DnsSrvOptions {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(name, "name");
    minInterval = minInterval == null ? DEFAULT_MIN_INTERVAL : minInterval;
    maxInterval = maxInterval == null ? DEFAULT_MAX_INTERVAL : maxInterval;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (maxInterval.compareTo(minInterval) < 0) {
      throw new IllegalArgumentException(
          "maxInterval " + maxInterval + " is shorter than minInterval " + minInterval);
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The server as {@code host:port}, or {@code system resolver}. */
  public String describeServer() {
    if (serverHost == null) {
      return "system resolver";
    }
    return (serverHost.indexOf(':') >= 0 ? "[" + serverHost + "]" : serverHost) + ":" + serverPort;
  }
}
