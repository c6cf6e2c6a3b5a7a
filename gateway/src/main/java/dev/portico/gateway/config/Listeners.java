package dev.portico.gateway.config;

/** The gateway's listeners. Port 0 binds an ephemeral port (tests). */
public record Listeners(Listener traffic, Listener management) {

  public record Listener(String host, int port) {
  }
}
