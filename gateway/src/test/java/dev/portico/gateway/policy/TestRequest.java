package dev.portico.gateway.policy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link PolicyRequest} built in a test (unit tests of single policies; HTTP tests use {@link
 * HttpPolicyRequest}).
 */
final class TestRequest implements PolicyRequest {

  HttpMethod method = HttpMethod.GET;
  String path = "/api/orders/42";
  String query;
  final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
  SocketAddress remote = SocketAddress.inetSocketAddress(40000, "192.0.2.10");
  String apiId = "orders";
  String operationId = "get-order";
  final Map<String, String> pathParams = new HashMap<>(Map.of("id", "42"));
  Map<String, Object> claims = Map.of();

  static TestRequest get(String path) {
    TestRequest r = new TestRequest();
    r.path = path;
    return r;
  }

  TestRequest method(HttpMethod m) {
    method = m;
    return this;
  }

  TestRequest query(String q) {
    query = q;
    return this;
  }

  TestRequest header(String name, String value) {
    headers.add(name, value);
    return this;
  }

  TestRequest from(String ip) {
    remote = SocketAddress.inetSocketAddress(40000, ip);
    return this;
  }

  TestRequest param(String name, String value) {
    pathParams.put(name, value);
    return this;
  }

  TestRequest claims(Map<String, Object> c) {
    claims = c;
    return this;
  }

  @Override
  public HttpMethod method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String rawQuery() {
    return query;
  }

  @Override
  public String header(String name) {
    return headers.get(name);
  }

  @Override
  public List<String> headers(String name) {
    return headers.getAll(name);
  }

  @Override
  public SocketAddress remoteAddress() {
    return remote;
  }

  @Override
  public boolean isSsl() {
    return false;
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
    return claims;
  }
}
