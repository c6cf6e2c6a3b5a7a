package dev.portico.gateway.policy.internal;

import dev.portico.gateway.policy.HeaderEdits;
import dev.portico.gateway.policy.Policy;
import dev.portico.gateway.policy.PolicyOutcome;
import dev.portico.gateway.policy.PolicyRequest;
import dev.portico.gateway.policy.config.IpFilterConfig;
import dev.portico.gateway.problem.ErrorReason;
import io.vertx.core.Future;

/**
 * {@code ip-filter}: {@code allow} admits only clients in the ranges, {@code forbid} refuses them;
 * refused requests get 403. A client address that is no IP address (an X-Forwarded-For entry that
 * is garbage) is in no range: refused by {@code allow}, admitted by {@code forbid}.
 */
public final class IpFilterPolicy implements Policy {

  private final String location;
  private final IpRanges ranges;
  private final boolean allow;
  private final int depth;

  public IpFilterPolicy(
      String location, IpFilterConfig config, IpRanges ranges, int trustedProxyDepth) {
    this.location = location;
    this.ranges = ranges;
    this.allow = "allow".equals(config.action());
    this.depth = trustedProxyDepth;
  }

  @Override
  public String name() {
    return IpFilterConfig.NAME;
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Future<PolicyOutcome> apply(PolicyRequest request) {
    String client = ClientAddress.of(request, depth);
    boolean listed = ranges.contains(client);
    if (listed == allow) {
      return PolicyOutcome.CONTINUE_NOW;
    }
    String shown = client.length() > 64 ? client.substring(0, 64) + "..." : client;
    return Future.succeededFuture(
        new PolicyOutcome.Reject(
            403,
            ErrorReason.FORBIDDEN.label(),
            "Forbidden",
            "the client address " + shown + " is not allowed to call this API",
            HeaderEdits.NONE));
  }

  @Override
  public String toString() {
    return name()
        + " at "
        + location
        + " ("
        + (allow ? "allow " : "forbid ")
        + ranges.size()
        + " ranges)";
  }
}
