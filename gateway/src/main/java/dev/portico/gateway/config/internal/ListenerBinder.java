package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.object;

import dev.portico.gateway.config.CircuitBreakerConfig;
import dev.portico.gateway.config.ClientTimeouts;
import dev.portico.gateway.config.EscapedSlashes;
import dev.portico.gateway.config.ListenerHttps;
import dev.portico.gateway.config.Listeners;
import dev.portico.gateway.config.ReverseProxyConfig;
import dev.portico.gateway.config.TlsCertificate;
import dev.portico.gateway.config.TlsConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code listeners} section: traffic, management and the Service Fabric reverse-proxy listener,
 * their fields with the schema's defaults (the ports are per use), then what a schema cannot say:
 * the https block's certificate reference and client CA, h2c only on a plain traffic listener,
 * three distinct ports.
 */
final class ListenerBinder extends Binding {

  private final BreakerBinder breakers;

  ListenerBinder(Binding parent, BreakerBinder breakers) {
    super(parent);
    this.breakers = breakers;
  }

  /** A listener's own scalar fields. */
  private record ListenerFields(
      String host, int port, EscapedSlashes escapedSlashes, boolean h2c) {}

  /** {@code https} of a listener. */
  private record HttpsFields(
      String certificateId, ClientAuth clientAuth, String clientCaPath, boolean http2) {}

  /** The reverse-proxy listener's address (checked against the other two before the rest). */
  private record ProxyAddress(boolean enabled, String host, int port) {}

  /** The reverse-proxy listener's resend rules. */
  private record ProxyFields(
      Duration defaultTimeout,
      Duration connectTimeout,
      Duration attemptTimeout,
      int maxRetries,
      int notFoundRetries,
      String forwardedHeaders,
      Duration backoffMax,
      long bufferBodyLimit,
      EscapedSlashes escapedSlashes) {}

  Listeners listeners(JsonObject l) {
    Listeners.Listener traffic = listener("listeners.traffic", object(l, "traffic"));
    Listeners.Listener management = listener("listeners.management", object(l, "management"));
    if (traffic.port() != 0 && traffic.port() == management.port()) {
      problem(
          "listeners.management.port",
          "must differ from listeners.traffic.port ("
              + traffic.port()
              + "): management and traffic are separate listeners");
    }
    return new Listeners(
        traffic,
        management,
        reverseProxy(object(l, "serviceFabricReverseProxy"), traffic, management));
  }

  private Listeners.Listener listener(String at, JsonObject l) {
    ListenerFields f = sections.bindFields(l, at, at, ListenerFields.class);
    Listeners.Listener listener =
        new Listeners.Listener(
            f.host(),
            f.port(),
            https(at + ".https", l),
            clientTimeouts(at + ".timeouts", object(l, "timeouts")),
            f.escapedSlashes(),
            f.h2c());
    if (f.h2c() && !at.equals("listeners.traffic")) {
      problem(at + ".h2c", "only the traffic listener offers cleartext HTTP/2 (h2c)");
    } else if (f.h2c() && l.containsKey("https")) {
      problem(
          at + ".h2c",
          "h2c is cleartext HTTP/2 for a plain listener; an https listener offers HTTP/2 by ALPN");
    }
    return listener;
  }

  private ReverseProxyConfig reverseProxy(
      JsonObject r, Listeners.Listener traffic, Listeners.Listener management) {
    String at = "listeners.serviceFabricReverseProxy";
    ProxyAddress address = sections.bindFields(r, at, at, ProxyAddress.class);
    int port = address.port();
    if (address.enabled() && port != 0 && (port == traffic.port() || port == management.port())) {
      problem(
          at + ".port",
          "must differ from the traffic ("
              + traffic.port()
              + ") and management ("
              + management.port()
              + ") ports: it is a listener of its own");
    }
    ProxyFields f = sections.bindFields(r, at, at, ProxyFields.class);
    TlsConfig tls = sections.bind(object(r, "tls"), at + ".tls", at + ".tls", TlsConfig.class);
    CircuitBreakerConfig breaker =
        r.containsKey("circuitBreaker")
            ? breakers.breaker(at + ".circuitBreaker", object(r, "circuitBreaker"))
            : CircuitBreakerConfig.DEFAULT;
    return new ReverseProxyConfig(
        address.enabled(),
        address.host(),
        port,
        f.defaultTimeout(),
        f.connectTimeout(),
        f.attemptTimeout(),
        f.maxRetries(),
        f.notFoundRetries(),
        "append".equals(f.forwardedHeaders()),
        f.backoffMax(),
        f.bufferBodyLimit(),
        tls,
        breaker,
        https(at + ".https", r),
        clientTimeouts(at + ".timeouts", object(r, "timeouts")),
        f.escapedSlashes());
  }

  /** A listener's {@code timeouts} block: how long it waits for slow or idle clients. */
  private ClientTimeouts clientTimeouts(String at, JsonObject t) {
    return sections.bind(t, at, at, ClientTimeouts.class);
  }

  /** A listener's {@code https} block, or null when it has none (plain HTTP). */
  private ListenerHttps https(String at, JsonObject listener) {
    if (!(listener.getValue("https") instanceof JsonObject h)) {
      return null;
    }
    HttpsFields f = sections.bindFields(h, at, at, HttpsFields.class);
    // a missing certificateId was reported by the schema; "" is reported as unknown here too
    TlsCertificate cert =
        certificates.certificate(
            at + ".certificateId", Objects.requireNonNullElse(f.certificateId(), ""));
    ClientAuth clientAuth = f.clientAuth();
    String caPath = f.clientCaPath();
    String caPem = null;
    if (clientAuth == ClientAuth.NONE && caPath != null) {
      problem(at + ".clientCaPath", "has no effect without clientAuth: request or required");
    } else if (clientAuth != ClientAuth.NONE && caPath == null) {
      problem(
          at + ".clientCaPath",
          "clientAuth "
              + clientAuth.name().toLowerCase(Locale.ROOT)
              + " needs the CA certificate(s) that issue the clients' certificates (PEM)");
    } else if (caPath != null) {
      try {
        caPem = CertificateLoader.caPem(caPath);
      } catch (CertificateLoader.Invalid e) {
        problem(at + ".clientCaPath", e.getMessage());
      }
    }
    return cert == null ? null : new ListenerHttps(cert, clientAuth, caPem, f.http2());
  }
}
