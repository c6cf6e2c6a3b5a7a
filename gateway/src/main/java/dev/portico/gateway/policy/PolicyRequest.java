package dev.portico.gateway.policy;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * What a policy may read of a request: a read-only view the request path builds once per request.
 * Implementations should answer from what the request already holds (no copying per call); the
 * policies call each method at most a few times.
 *
 * <p>Header and query values are those the client sent (after the edge's checks), not those earlier
 * policies edited: {@code {header.X}} in a template always reads the client's request.
 */
public interface PolicyRequest {

  HttpMethod method();

  /** The normalized request path, with the API's prefix, without the query. */
  String path();

  /**
   * The raw (still percent-encoded) query string without {@code ?}, or {@code null} when there is
   * none.
   */
  String rawQuery();

  /**
   * The first value of query parameter {@code name}, percent-decoded, or {@code null}. The default
   * scans {@link #rawQuery()} (no allocation unless the parameter is there).
   */
  default String queryParam(String name) {
    return dev.portico.gateway.policy.internal.QueryStrings.first(rawQuery(), name);
  }

  /** The first value of header {@code name} (case-insensitive), or {@code null}. */
  String header(String name);

  /**
   * Every value of header {@code name} (case-insensitive), one per field line, in the order
   * received; empty when absent.
   */
  List<String> headers(String name);

  /** The peer of the connection (the client, or the last proxy in front of the gateway). */
  SocketAddress remoteAddress();

  /** Whether the request came over TLS. */
  boolean isSsl();

  /** The id of the matched API. */
  String apiId();

  /** The id of the matched operation, or {@code null} when the API has no operations. */
  String operationId();

  /**
   * The value of path parameter {@code name} of the operation's template (still percent-encoded),
   * or {@code null}.
   */
  String pathParam(String name);

  /**
   * Claims of a token validated earlier in the chain ({@code validate-jwt}), empty when none.
   * Values are JSON values: {@code String}, {@code Number}, {@code Boolean}, {@code List}, {@code
   * Map}.
   */
  Map<String, Object> claims();
}
