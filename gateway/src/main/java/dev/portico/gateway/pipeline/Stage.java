package dev.portico.gateway.pipeline;

/**
 * One step of a listener's request path. A listener's stages are an ordered list assembled once
 * when the listener starts ({@link Pipeline}); each request runs through them with its own {@link
 * RequestContext}, in the spirit of vertx-http-proxy's interceptor chain.
 *
 * <p>A stage does one of three things, on the request's event loop: it goes on with {@link
 * RequestContext#next()} (at once, or later when it waited for something, with the request paused
 * meanwhile), it refuses the request with {@link RequestContext#reject} (a problem document,
 * reported as one exchange), or it answers the request itself and reports it (the policies'
 * refusals and direct answers, the exchange). It never blocks, and it calls exactly one of these
 * once. Adding a policy-like step means adding a stage to the list, not editing the exchange.
 */
public interface Stage {

  void apply(RequestContext rc);
}
