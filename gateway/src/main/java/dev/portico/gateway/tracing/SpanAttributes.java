package dev.portico.gateway.tracing;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attribute keys the gateway's spans carry: OpenTelemetry's HTTP semantic conventions where one
 * fits (stable names, spelled here so that the incubating semconv artifact is not needed), {@code
 * portico.*} for the gateway's own notions, {@code servicefabric.*} for partitions.
 */
final class SpanAttributes {

  static final AttributeKey<String> HTTP_REQUEST_METHOD =
      AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
      AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<Long> HTTP_REQUEST_RESEND_COUNT =
      AttributeKey.longKey("http.request.resend_count");
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> NETWORK_PEER_ADDRESS =
      AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<Long> NETWORK_PEER_PORT = AttributeKey.longKey("network.peer.port");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("portico.request.id");
  static final AttributeKey<String> API_ID = AttributeKey.stringKey("portico.api.id");
  static final AttributeKey<String> OPERATION_ID = AttributeKey.stringKey("portico.operation.id");
  static final AttributeKey<String> BACKEND_ID = AttributeKey.stringKey("portico.backend.id");
  static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("portico.endpoint");
  static final AttributeKey<String> INSTANCE_ID = AttributeKey.stringKey("portico.instance.id");
  static final AttributeKey<String> ERROR_REASON = AttributeKey.stringKey("portico.error.reason");
  static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("portico.attempts");
  static final AttributeKey<String> RETRY_REASON = AttributeKey.stringKey("portico.retry.reason");

  static final AttributeKey<String> FABRIC_SERVICE =
      AttributeKey.stringKey("servicefabric.service.name");
  static final AttributeKey<String> FABRIC_PARTITION =
      AttributeKey.stringKey("servicefabric.partition.id");
  static final AttributeKey<String> FABRIC_REPLICA_ROLE =
      AttributeKey.stringKey("servicefabric.replica.role");
  static final AttributeKey<String> FABRIC_RESULT =
      AttributeKey.stringKey("servicefabric.resolution.result");
  static final AttributeKey<String> FABRIC_TRIGGER =
      AttributeKey.stringKey("servicefabric.resolution.trigger");
  static final AttributeKey<Double> DURATION_MS = AttributeKey.doubleKey("portico.duration_ms");

  private SpanAttributes() {}
}
