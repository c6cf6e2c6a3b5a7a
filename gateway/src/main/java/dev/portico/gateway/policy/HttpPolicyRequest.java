package dev.portico.gateway.policy;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * A {@link PolicyRequest} over a Vert.x {@link HttpServerRequest}, with what routing found: the
 * normalized path, the API and operation, the path parameters. Reads the request's own structures
 * (no copies).
 */
public final class HttpPolicyRequest implements PolicyRequest {

  private final HttpServerRequest request;
  private final String path;
  private final String apiId;
  private final String operationId;
  private final Map<String, String> pathParams;

  /**
   * @param path the normalized path (the edge's), without query
   * @param pathParams the operation template's parameters, still percent-encoded (empty when none)
   */
  public HttpPolicyRequest(
      HttpServerRequest request,
      String path,
      String apiId,
      String operationId,
      Map<String, String> pathParams) {
    this.request = request;
    this.path = path;
    this.apiId = apiId;
    this.operationId = operationId;
    this.pathParams = pathParams;
  }

  @Override
  public HttpMethod method() {
    return request.method();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String rawQuery() {
    return request.query();
  }

  @Override
  public String header(String name) {
    return request.headers().get(name);
  }

  @Override
  public List<String> headers(String name) {
    return request.headers().getAll(name);
  }

  @Override
  public SocketAddress remoteAddress() {
    return request.remoteAddress();
  }

  @Override
  public boolean isSsl() {
    return request.isSSL();
  }

  @Override
  public String apiId() {
    return apiId;
  }

  @Override
  public String operationId() {
    return operationId;
  }

  @Override
  public String pathParam(String name) {
    return pathParams.get(name);
  }

  @Override
  public Map<String, Object> claims() {
    return Map.of();
  }
}
