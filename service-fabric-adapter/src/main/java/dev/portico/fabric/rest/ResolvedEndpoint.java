package dev.portico.fabric.rest;

import dev.portico.fabric.EndpointAddresses;
import dev.portico.fabric.ReplicaRole;
import java.util.Objects;

/** One replica or instance of a resolved partition: its role and its published addresses. */
public record ResolvedEndpoint(ReplicaRole role, EndpointAddresses addresses) {

  public ResolvedEndpoint {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(addresses, "addresses");
  }

  /** The {@code Address} string exactly as the cluster returned it. */
  public String address() {
    return addresses.published();
  }
}
