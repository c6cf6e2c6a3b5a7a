package dev.portico.gateway.pipeline;

import dev.portico.gateway.config.EscapedSlashes;
import dev.portico.gateway.protocol.Protocols;
import dev.portico.gateway.state.RoutingStateHolder;
import dev.portico.gateway.tracing.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * What a listener's request handler works with, one per routing verticle (so one per event loop):
 * its Vert.x and pooled client, the routing state, this gateway's hop marker, the observer, and the
 * loop's exchange timeouts and forwarding headers.
 *
 * @param hopMarker this gateway's id; a request whose {@code Via} already names it has looped
 * @param via the {@code Via} entry this gateway adds ({@code 1.1 <hopMarker>})
 * @param escapedSlashes the listener's rule for encoded slashes and backslashes in request paths
 * @param tracing the gateway's tracer, {@code null} when tracing is off
 * @param protocols issue 14: the verticle's HTTP/2 clients and WebSocket sessions ({@code null}:
 *     HTTP/1.1 only)
 * @param deadlines the due times of this loop's exchanges (no timer per request)
 * @param forwarding the forwarding headers of this loop's connections (built once per connection)
 */
public record ProxyContext(
    Vertx vertx,
    HttpClient client,
    RoutingStateHolder states,
    String hopMarker,
    String via,
    ExchangeObserver observer,
    EscapedSlashes escapedSlashes,
    Tracing tracing,
    Protocols protocols,
    Deadlines deadlines,
    ProxyHeaders.Forwarding forwarding) {

  public static ProxyContext of(
      Vertx vertx,
      HttpClient client,
      RoutingStateHolder states,
      String hopMarker,
      ExchangeObserver observer,
      EscapedSlashes escapedSlashes) {
    return new ProxyContext(
        vertx,
        client,
        states,
        hopMarker,
        "1.1 " + hopMarker,
        observer,
        escapedSlashes,
        null,
        null,
        new Deadlines(vertx),
        new ProxyHeaders.Forwarding());
  }

  /** This context with {@code tracing} ({@code null}: off). */
  public ProxyContext withTracing(Tracing tracing) {
    return new ProxyContext(
        vertx,
        client,
        states,
        hopMarker,
        via,
        observer,
        escapedSlashes,
        tracing,
        protocols,
        deadlines,
        forwarding);
  }

  /** Issue 14: this context with the verticle's {@code protocols}. */
  public ProxyContext withProtocols(Protocols protocols) {
    return new ProxyContext(
        vertx,
        client,
        states,
        hopMarker,
        via,
        observer,
        escapedSlashes,
        tracing,
        protocols,
        deadlines,
        forwarding);
  }
}
