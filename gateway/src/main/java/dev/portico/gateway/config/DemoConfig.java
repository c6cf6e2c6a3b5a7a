package dev.portico.gateway.config;

/** The built-in demo backends (service {@code demo-echo}), started in-process and published into the registry. */
public record DemoConfig(boolean enabled, int instances) {
}
