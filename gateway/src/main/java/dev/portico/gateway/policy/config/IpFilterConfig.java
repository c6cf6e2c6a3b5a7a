package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * APIM's {@code ip-filter}: {@code allow} lets only the listed clients in, {@code forbid} keeps
 * them out; the others get 403. The client is the connection's peer, or the address the trusted
 * proxies put in {@code X-Forwarded-For} ({@code trusted-proxy-depth}).
 *
 * @param action {@code allow} or {@code forbid} (required)
 * @param addresses addresses and CIDR blocks, IPv4 or IPv6
 * @param addressRanges {@code {from, to}} ranges, both included
 * @param trustedProxyDepth how many proxies in front of the gateway append to X-Forwarded-For; the
 *     client is the entry that many places from the right. Default: the gateway's setting (0: the
 *     peer)
 */
public record IpFilterConfig(
    String action,
    List<String> addresses,
    @JsonProperty("address-ranges") List<AddressRange> addressRanges,
    @JsonProperty("trusted-proxy-depth") Integer trustedProxyDepth)
    implements PolicyConfig {

  public static final String NAME = "ip-filter";

  public IpFilterConfig {
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
    addressRanges = addressRanges == null ? List.of() : List.copyOf(addressRanges);
  }

  public record AddressRange(String from, String to) {}

  @Override
  public String policyName() {
    return NAME;
  }

  @Override
  public void validate(String at, Problems problems) {
    if (action == null) {
      problems.add(at + ".action", "required field is missing");
    } else {
      Validation.oneOf(at + ".action", action, problems, "allow", "forbid");
    }
    if (addresses.isEmpty() && addressRanges.isEmpty()) {
      problems.add(at, "give at least one of addresses and address-ranges");
    }
    if (trustedProxyDepth != null && (trustedProxyDepth < 0 || trustedProxyDepth > 10)) {
      problems.add(at + ".trusted-proxy-depth", "must be 0..10, got " + trustedProxyDepth);
    }
    // each address and range is checked when the policy is compiled (one parser for both)
  }
}
