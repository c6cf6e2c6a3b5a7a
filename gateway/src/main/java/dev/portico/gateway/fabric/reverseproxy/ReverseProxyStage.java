package dev.portico.gateway.fabric.reverseproxy;

import dev.portico.fabric.resolve.FabricIndex;
import dev.portico.fabric.resolve.ReplicaSelector;
import dev.portico.fabric.rest.FabricError;
import dev.portico.gateway.backend.FabricBackend;
import dev.portico.gateway.backend.Upstream;
import dev.portico.gateway.config.Credentials;
import dev.portico.gateway.config.RetryConfig;
import dev.portico.gateway.config.ReverseProxyConfig;
import dev.portico.gateway.config.Timeouts;
import dev.portico.gateway.config.WebSocketConfig;
import dev.portico.gateway.fabric.FabricRuntime;
import dev.portico.gateway.fabric.FabricSource;
import dev.portico.gateway.fabric.ResendPolicy;
import dev.portico.gateway.pipeline.ExchangeObserver;
import dev.portico.gateway.pipeline.Failure;
import dev.portico.gateway.pipeline.ProxyHeaders;
import dev.portico.gateway.pipeline.RequestContext;
import dev.portico.gateway.pipeline.Stage;
import dev.portico.gateway.resilience.RetryPolicy;
import dev.portico.gateway.routing.ObserverSlot;
import dev.portico.gateway.routing.Route;
import dev.portico.metrics.FabricResolution;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The route of a request to the listener compatible with Service Fabric's reverse proxy: {@code
 * /{App}/{Service}/{suffix}?PartitionKey=…&PartitionKind=…&ListenerName=…&TargetReplicaSelector=…&Timeout=…}.
 * It takes the request apart ({@link ReverseProxyRequest}), applies the reference's defaults
 * (primary replica of a stateful service, any instance of a stateless one; the listener with the
 * smallest name among http(s) ones; {@code Timeout} 120 s), and hands it to the exchange whose
 * {@link FabricSource} follows the reverse proxy's retry rules ({@link ResendPolicy.ReverseProxy}),
 * bounded by the request's {@code Timeout}. Header hygiene, loop detection, request ids, metrics
 * and access log are the main listener's.
 */
public final class ReverseProxyStage implements Stage {

  /**
   * The API and backend id of every request of this listener (metric labels, access log, problems).
   */
  public static final String ID = "sf-reverse-proxy";

  /** Longest {@code Timeout} accepted, in seconds. */
  static final long MAX_TIMEOUT_SECONDS = 86_400;

  private final ExchangeObserver observer;
  private final FabricRuntime fabric;
  private final ReverseProxyConfig config;
  private final Route route;

  public ReverseProxyStage(
      ExchangeObserver observer, FabricRuntime fabric, ReverseProxyConfig config) {
    this.observer = observer;
    this.fabric = fabric;
    this.config = config;
    // issue 14: WebSocket handshakes pass, as through Service Fabric's own reverse proxy
    this.route =
        new Route(
            ID,
            null,
            backend(config),
            0,
            new RetryPolicy(RetryConfig.NONE),
            null,
            null,
            null,
            null,
            WebSocketConfig.DEFAULT,
            new ObserverSlot());
  }

  /**
   * The synthetic backend of this listener: its timeouts, TLS checks and breaker rules for resolved
   * endpoints.
   */
  public static FabricBackend backend(ReverseProxyConfig config) {
    // without a per-attempt timeout, only the request's Timeout bounds an attempt (the deadline
    // cuts it)
    Duration response =
        config.attemptTimeout() != null
            ? config.attemptTimeout()
            : Duration.ofSeconds(MAX_TIMEOUT_SECONDS);
    Upstream upstream =
        new Upstream(
            ID,
            Credentials.NONE,
            config.tls(),
            new Timeouts(config.connectTimeout(), response),
            config.breaker());
    return new FabricBackend(ID, upstream, config.maxRetries());
  }

  @Override
  public void apply(RequestContext rc) {
    HttpServerRequest req = rc.request();
    String path = rc.path();
    long startNanos = rc.startNanos();
    FabricIndex index = fabric.index();
    ReverseProxyRequest rp = ReverseProxyRequest.parse(path, req.query(), index);
    if (rp.service() == null) {
      observer.fabricResolution(
          rp.tried(), FabricResolution.NOT_FOUND, System.nanoTime() - startNanos);
      rc.reject(
          new Failure.PartitionResolutionFailure(
              404,
              "No service is registered under "
                  + path
                  + " (the service is the longest prefix of at least /App/Service that names one; names are case-sensitive)",
              FabricError.SERVICE_DOES_NOT_EXIST));
      return;
    }
    ReplicaSelector selector;
    try {
      selector =
          ReplicaSelector.parseTargetReplicaSelector(rp.targetReplicaSelector()).orElse(null);
    } catch (IllegalArgumentException e) {
      observer.fabricResolution(
          rp.service().toString(), FabricResolution.ERROR, System.nanoTime() - startNanos);
      rc.reject(
          new Failure.PartitionResolutionFailure(
              400, "Service " + rp.service() + ": " + e.getMessage(), "E_INVALIDARG"));
      return;
    }
    long timeoutMs = config.defaultTimeout().toMillis();
    if (rp.timeout() != null) {
      long seconds = number(rp.timeout());
      if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
        rc.reject(
            new Failure.BadRequest(
                "Timeout="
                    + rp.timeout()
                    + " is not a number of seconds within 1-"
                    + MAX_TIMEOUT_SECONDS));
        return;
      }
      timeoutMs = seconds * 1000;
    }
    int maxResends = config.maxRetries();
    String retries = req.getHeader(ProxyHeaders.X_PORTICO_SF_RETRIES);
    if (retries != null) {
      long n = number(retries);
      if (n < 0) {
        rc.reject(
            new Failure.BadRequest(
                ProxyHeaders.X_PORTICO_SF_RETRIES
                    + ": "
                    + retries
                    + " is not a number of retries (0 switches them off)"));
        return;
      }
      maxResends = (int) Math.min(maxResends, n);
    }
    if (!config.keepForwardedChain()) {
      // as Service Fabric's reverse proxy does: what a client says about earlier hops is not
      // believed; the exchange sets X-Forwarded-For/Host/Proto and Forwarded for this hop alone
      dropForwarded(req.headers());
    }
    FabricSource source =
        new FabricSource(
            fabric,
            route.backend().upstream(),
            rp.service(),
            rp.partitionKey(),
            rp.partitionKind(),
            "no PartitionKey parameter",
            selector,
            false,
            Optional.ofNullable(rp.listenerName()),
            new ResendPolicy.ReverseProxy(config.backoffMax().toMillis(), config.notFoundRetries()),
            maxResends,
            config.bufferBodyLimit(),
            timeoutMs);
    observer.started(ID);
    if (rc.span() != null) {
      rc.span().routed(ID, null, ID);
    }
    rc.routeTo(route, source, rp.suffix(), rp.forwardedQuery());
    rc.next();
  }

  /** Removes every {@code X-Forwarded-*} header and {@code Forwarded}. */
  static void dropForwarded(MultiMap headers) {
    List<String> names = new ArrayList<>();
    for (String name : headers.names()) {
      if (name.regionMatches(true, 0, "x-forwarded-", 0, 12)
          || name.equalsIgnoreCase("forwarded")) {
        names.add(name);
      }
    }
    names.forEach(headers::remove);
  }

  /** A non-negative decimal number (at most 9 digits), or -1. */
  private static long number(String text) {
    String t = text.strip();
    if (t.isEmpty() || t.length() > 9) {
      return -1;
    }
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) < '0' || t.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(t);
  }
}
