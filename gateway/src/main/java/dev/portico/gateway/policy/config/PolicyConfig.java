package dev.portico.gateway.policy.config;

/**
 * One configured policy, as bound from the configuration tree (the closed set of policies Portico
 * has). Each knows its APIM name and checks what a JSON schema cannot.
 */
public sealed interface PolicyConfig
    permits RateLimitByKeyConfig,
        QuotaByKeyConfig,
        ValidateJwtConfig,
        CorsConfig,
        SetHeaderConfig,
        RewriteUriConfig,
        IpFilterConfig {

  /** The policy's name as written in the configuration ({@code rate-limit-by-key}, ...). */
  String policyName();

  /**
   * Problems of this configuration alone, each with a path under {@code at} (the policy's own
   * path).
   */
  void validate(String at, Problems problems);

  /** Where problems are collected. */
  interface Problems {
    void add(String path, String reason);
  }
}
