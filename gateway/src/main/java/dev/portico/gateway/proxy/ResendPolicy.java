package dev.portico.gateway.proxy;

import dev.portico.fabric.resolve.RetryBackoff;
import dev.portico.gateway.resilience.RetryPolicy;
import dev.portico.gateway.routing.ResolveCondition;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

import java.util.random.RandomGenerator;

/**
 * When a {@link FabricSource} re-resolves and resends: the closed set of Service Fabric's two
 * rule books, APIM's {@code set-backend-service} and the reverse proxy's.
 */
sealed interface ResendPolicy {

  /** Whether the outcome is a complaint (before counting resends left). */
  boolean complains(HttpMethod method, int status, String reason, MultiMap responseHeaders);

  /**
   * After a complaint about a response with {@code status}, may the request go to the endpoint
   * that answered once more (after the back-off)? When not, only a re-resolution that offers an
   * endpoint not tried yet leads to a resend; else the response goes to the client at once.
   */
  boolean resendsToSameEndpoint(int status);

  /** Back-off before resend number {@code resend} (0 for the first) when the partition has not moved. */
  long backoffMillis(int resend, RandomGenerator random);

  /**
   * APIM: the backend's {@code sf-resolve-condition}. A response is resent only for an idempotent
   * method (the service received and answered it; a POST it answered must not be sent twice),
   * and only to an endpoint not tried yet: the same endpoint would give the same answer. The
   * back-off is the .NET client's.
   */
  record Apim(ResolveCondition condition) implements ResendPolicy {
    @Override
    public boolean complains(HttpMethod method, int status, String reason, MultiMap responseHeaders) {
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
   * The reverse proxy: a connection failure or timeout; and for GET, HEAD and OPTIONS also 503,
   * 410 and a 404 without {@code X-ServiceFabric: ResourceNotFound}. Unlike the reference, a 404
   * is resent only when re-resolution offers another endpoint: from the endpoint that answered it,
   * it is the service's own answer, returned at once instead of retried until the timeout.
   */
  record ReverseProxy(long backoffMaxMillis) implements ResendPolicy {
    static final String SERVICE_FABRIC_HEADER = "X-ServiceFabric";
    static final String RESOURCE_NOT_FOUND = "ResourceNotFound";

    @Override
    public boolean complains(HttpMethod method, int status, String reason, MultiMap responseHeaders) {
      if (status == 0) {
        return "BackendConnectionFailure".equals(reason) || "Timeout".equals(reason);
      }
      if (method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS) {
        return false;
      }
      if (status == 503 || status == 410) {
        return true;
      }
      return status == 404 && !RESOURCE_NOT_FOUND.equalsIgnoreCase(responseHeaders.get(SERVICE_FABRIC_HEADER));
    }

    @Override
    public boolean resendsToSameEndpoint(int status) {
      return status != 404;
    }

    @Override
    public long backoffMillis(int resend, RandomGenerator random) {
      return random.nextLong(backoffMaxMillis + 1);
    }
  }
}
