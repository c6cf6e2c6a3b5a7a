package dev.portico.gateway.policy;

/**
 * The backend request target a {@code rewrite-uri} produced, replacing the path after the API's
 * prefix and the query of the client's request. Like APIM's, it is relative to the backend's base
 * URL.
 *
 * @param path starts with {@code /}, percent-encoded as it goes on the wire
 * @param query the query without {@code ?}, percent-encoded, or {@code null} for none
 */
public record UriRewrite(String path, String query) {

  /** {@code path} and, when there is one, {@code ?query}. */
  public String target() {
    return query == null ? path : path + '?' + query;
  }
}
