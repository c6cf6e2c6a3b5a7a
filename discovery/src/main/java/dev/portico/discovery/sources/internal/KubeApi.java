package dev.portico.discovery.sources.internal;

import dev.portico.discovery.sources.KubernetesOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The two calls the Kubernetes source makes on the API server, LIST and WATCH of a Service's
 * EndpointSlices, with the bearer token read from its file for every request (projected service
 * account tokens are rotated by the kubelet, and a token read once would expire).
 */
final class KubeApi {

  private final Vertx vertx;
  private final KubernetesOptions options;
  private final HttpClientAgent client;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;

  /** An answer other than 200, with the Kubernetes Status' message when the body is one. */
  static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    ApiError(int status, String message) {
      super(
          "HTTP " + status + (message == null || message.isBlank() ? "" : ": " + message),
          null,
          false,
          false);
      this.status = status;
    }
  }

  KubeApi(Vertx vertx, KubernetesOptions options) {
    this.vertx = vertx;
    this.options = options;
    URI uri = URI.create(options.apiServer());
    this.ssl = "https".equalsIgnoreCase(uri.getScheme());
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    HttpClientOptions o =
        new HttpClientOptions()
            .setSsl(ssl)
            .setVerifyHost(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.timeout().toMillis()));
    if (ssl && options.caFile() != null) {
      o.setTrustOptions(new PemTrustOptions().addCertPath(options.caFile()));
    }
    // one connection for the watch, one for a LIST that overlaps its end
    this.client = vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(2));
  }

  /** One page of the slices; {@code continueToken} for the next page, null for the first. */
  Future<JsonObject> list(String continueToken) {
    String query = "&limit=500" + (continueToken == null ? "" : "&continue=" + enc(continueToken));
    return token()
        .compose(
            token -> client.request(request(query, token).setTimeout(options.timeout().toMillis())))
        .compose(HttpClientRequest::send)
        .compose(
            resp ->
                resp.body()
                    .compose(
                        body -> {
                          if (resp.statusCode() != 200) {
                            return Future.failedFuture(
                                new ApiError(resp.statusCode(), statusMessage(body.toString())));
                          }
                          try {
                            return Future.succeededFuture(body.toJsonObject());
                          } catch (DecodeException e) {
                            return Future.failedFuture(
                                new IllegalStateException(
                                    "the API server answered a LIST with no JSON object"));
                          }
                        }));
  }

  /**
   * Opens a WATCH from {@code resourceVersion}; the caller reads the response (200: one JSON event
   * a line; anything else: a Status). The request is returned so that the caller can cancel it.
   */
  Future<HttpClientRequest> watch(String resourceVersion) {
    long seconds = Math.max(1, options.watchTimeout().toSeconds());
    String query =
        "&watch=true&allowWatchBookmarks=true&resourceVersion="
            + enc(resourceVersion)
            + "&timeoutSeconds="
            + seconds;
    // the server ends the watch after timeoutSeconds; silence well beyond that is a dead connection
    long idle = (seconds + Math.max(30, options.timeout().toSeconds())) * 1000;
    return token().compose(token -> client.request(request(query, token).setIdleTimeout(idle)));
  }

  Future<Void> close() {
    return client.close();
  }

  String describe() {
    return options.apiServer();
  }

  private RequestOptions request(String query, String token) {
    String selector = "kubernetes.io/service-name=" + options.name();
    RequestOptions r =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(host)
            .setPort(port)
            .setSsl(ssl)
            .setURI(
                basePath
                    + "/apis/discovery.k8s.io/v1/namespaces/"
                    + enc(options.namespace())
                    + "/endpointslices?labelSelector="
                    + enc(selector)
                    + query)
            .setConnectTimeout(options.timeout().toMillis())
            .putHeader(HttpHeaders.ACCEPT, "application/json")
            .putHeader(HttpHeaders.USER_AGENT, "portico-gateway");
    if (token != null && !token.isEmpty()) {
      r.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }
    return r;
  }

  private Future<String> token() {
    if (options.tokenFile() == null) {
      return Future.succeededFuture(null);
    }
    return vertx
        .fileSystem()
        .readFile(options.tokenFile())
        .map(b -> b.toString(StandardCharsets.UTF_8).strip())
        .recover(
            e ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot read the token file " + options.tokenFile() + ": " + e.getMessage(),
                        e)));
  }

  /** The message of a Kubernetes Status body, else the body's start. */
  static String statusMessage(String body) {
    try {
      JsonObject status = new JsonObject(body);
      String reason = status.getString("reason");
      String message = status.getString("message");
      return (reason == null ? "" : reason + ": ") + (message == null ? "" : message);
    } catch (DecodeException | ClassCastException e) {
      return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
