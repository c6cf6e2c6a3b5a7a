package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * APIM's {@code rewrite-uri}: the backend request target (path and query after the backend's base
 * URL) built from a template such as {@code /v2/orders/{id}?view={query.view}}.
 *
 * @param template starts with {@code /}; path parameters ({@code {id}}), claims, headers, query
 *     values
 * @param copyUnmatchedParams whether the client's query parameters the template does not set are
 *     kept (default true)
 */
public record RewriteUriConfig(
    String template, @JsonProperty("copy-unmatched-params") Boolean copyUnmatchedParams)
    implements PolicyConfig {

  public static final String NAME = "rewrite-uri";

  public RewriteUriConfig {
    copyUnmatchedParams = copyUnmatchedParams == null || copyUnmatchedParams;
  }

  @Override
  public String policyName() {
    return NAME;
  }

  @Override
  public void validate(String at, Problems problems) {
    if (template == null) {
      problems.add(at + ".template", "required field is missing");
    } else if (!template.startsWith("/")) {
      problems.add(
          at + ".template",
          "must start with '/' (it is relative to the backend's base URL), got '" + template + "'");
    } else if (template.indexOf('#') >= 0) {
      problems.add(at + ".template", "must not contain a fragment ('#')");
    }
  }
}
