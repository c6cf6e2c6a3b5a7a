package dev.portico.gateway.fabric;

import dev.portico.fabric.resolve.RetryBackoff;
import dev.portico.gateway.expression.ResolveCondition;
import dev.portico.gateway.problem.ErrorReason;
import dev.portico.gateway.resilience.RetryPolicy;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.random.RandomGenerator;

/**
 * When a {@link FabricSource} re-resolves and resends: the closed set of Service Fabric's two rule
 * books, APIM's {@code set-backend-service} and the reverse proxy's.
 */
public sealed interface ResendPolicy {

  /** Whether the outcome is a complaint (before counting resends left). */
  boolean complains(HttpMethod method, int status, String reason, MultiMap responseHeaders);

  /**
   * After a complaint about a response with {@code status}, may the request go to the endpoint that
   * answered once more (after the back-off)? When not, only a re-resolution that offers an endpoint
   * not tried yet leads to a resend; else the response goes to the client at once.
   */
  boolean resendsToSameEndpoint(int status);

  /**
   * Back-off before resend number {@code resend} (0 for the first) when the partition has not
   * moved.
   */
  long backoffMillis(int resend, RandomGenerator random);

  /**
   * Resends of a request answered 404 (without {@code X-ServiceFabric: ResourceNotFound}) at most,
   * within the request's resends; unbounded by default (only the resends bound them).
   */
  default int notFoundResends() {
    return Integer.MAX_VALUE;
  }

  /**
   * Whether an outcome says the endpoint may be stale, the partition moved: a connection failure or
   * timeout, 410, 503, or a 404 without {@code X-ServiceFabric: ResourceNotFound} (what a shared
   * HTTP.sys port answers once the replica left it). Such a complaint re-resolves the partition
   * from the cluster (complaint-driven), whatever the rule book that made it a complaint.
   */
  static boolean signalsStaleEndpoint(int status, String reason, MultiMap responseHeaders) {
    if (status == 0) {
      return ResendPolicy.connectionOrTimeout(reason);
    }
    if (status == 503 || status == 410) {
      return true;
    }
    return status == 404
        && (responseHeaders == null
            || !ReverseProxy.RESOURCE_NOT_FOUND.equalsIgnoreCase(
                responseHeaders.get(ReverseProxy.SERVICE_FABRIC_HEADER)));
  }

  /**
   * APIM: the backend's {@code sf-resolve-condition}. A response is resent only for an idempotent
   * method (the service received and answered it; a POST it answered must not be sent twice), and
   * only to an endpoint not tried yet: the same endpoint would give the same answer. The back-off
   * is the .NET client's.
   */
  record Apim(ResolveCondition condition) implements ResendPolicy {
    @Override
    public boolean complains(
        HttpMethod method, int status, String reason, MultiMap responseHeaders) {
      return condition.matches(status, reason) && (status == 0 || RetryPolicy.idempotent(method));
    }

    @Override
    public boolean resendsToSameEndpoint(int status) {
      return false;
    }

    @Override
    public long backoffMillis(int resend, RandomGenerator random) {
      return RetryBackoff.client(resend, random).toMillis();
    }
  }

  /**
   * The reverse proxy: a connection failure or timeout; and for GET, HEAD and OPTIONS also 503, 410
   * and a 404 without {@code X-ServiceFabric: ResourceNotFound}, each re-resolved and resent as the
   * reference does. Unlike the reference, a 404 is resent {@code notFoundResends} times at most
   * (and only when the back-off ends within the request's bound), then returned as the 404 it is,
   * never held until a 504.
   */
  record ReverseProxy(long backoffMaxMillis, int notFoundResends) implements ResendPolicy {
    static final String SERVICE_FABRIC_HEADER = "X-ServiceFabric";
    static final String RESOURCE_NOT_FOUND = "ResourceNotFound";

    @Override
    public boolean complains(
        HttpMethod method, int status, String reason, MultiMap responseHeaders) {
      if (status == 0) {
        return ResendPolicy.connectionOrTimeout(reason);
      }
      if (method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS) {
        return false;
      }
      if (status == 503 || status == 410) {
        return true;
      }
      return status == 404
          && !RESOURCE_NOT_FOUND.equalsIgnoreCase(responseHeaders.get(SERVICE_FABRIC_HEADER));
    }

    @Override
    public boolean resendsToSameEndpoint(int status) {
      return true;
    }

    @Override
    public long backoffMillis(int resend, RandomGenerator random) {
      return random.nextLong(backoffMaxMillis + 1);
    }
  }

  /**
   * Whether a failure's {@code reason} is a connection failure or a timeout (the endpoint may be
   * stale).
   */
  static boolean connectionOrTimeout(String reason) {
    return ErrorReason.BACKEND_CONNECTION_FAILURE.label().equals(reason)
        || ErrorReason.TIMEOUT.label().equals(reason);
  }
}
