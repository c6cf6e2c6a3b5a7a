package dev.portico.gateway.policy.config;

/** Inclusive status code range, as in APIM's {@code statusCodeRanges}. */
public record StatusCodeRange(Integer min, Integer max) {

  public boolean contains(int status) {
    return status >= min && status <= max;
  }
}
