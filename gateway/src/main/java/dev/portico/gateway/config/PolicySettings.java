package dev.portico.gateway.config;

/**
 * Gateway-wide settings of the policies ({@code policySettings}). They shape the process-wide
 * policy environment (its counters and client-address rule), so changing them needs a restart.
 *
 * @param trustedProxyDepth proxies in front of the gateway that append to {@code X-Forwarded-For}
 * @param maxKeysPerLimit keys each local rate limit or quota remembers at most
 */
public record PolicySettings(int trustedProxyDepth, int maxKeysPerLimit) {

  public static final PolicySettings DEFAULT = new PolicySettings(0, 100_000);
}
