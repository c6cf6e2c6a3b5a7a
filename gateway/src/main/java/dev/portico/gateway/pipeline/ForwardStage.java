package dev.portico.gateway.pipeline;

/**
 * The last stage: the {@link Exchange} forwards the request to its targets, with its attempts and
 * retries.
 */
final class ForwardStage implements Stage {

  private final ProxyContext listener;

  ForwardStage(ProxyContext listener) {
    this.listener = listener;
  }

  @Override
  public void apply(RequestContext rc) {
    new Exchange(listener, rc).start();
  }
}
