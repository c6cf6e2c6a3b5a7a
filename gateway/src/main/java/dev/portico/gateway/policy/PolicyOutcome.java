package dev.portico.gateway.policy;

import io.vertx.core.Future;
import java.util.Map;

/**
 * What a policy decided for a request: go on (possibly with edits), refuse with an error, or answer
 * directly. Closed set: the request path handles each.
 */
public sealed interface PolicyOutcome {

  /** Go on with nothing changed. */
  Continue CONTINUE = new Continue(null, HeaderEdits.NONE, HeaderEdits.NONE, null);

  /**
   * {@link #CONTINUE}, already completed: what synchronous policies return on their common path.
   */
  Future<PolicyOutcome> CONTINUE_NOW = Future.succeededFuture(CONTINUE);

  static Future<PolicyOutcome> now(PolicyOutcome outcome) {
    return outcome == CONTINUE ? CONTINUE_NOW : Future.succeededFuture(outcome);
  }

  /**
   * Go on to the next policy and then the backend.
   *
   * @param claims claims of a validated token for the policies after this one, or {@code null} for
   *     unchanged
   * @param requestHeaders edits of the request headers sent to the backend
   * @param responseHeaders edits of the response headers sent to the client (the backend's
   *     response, or the gateway's own answer when a later stage refuses the request)
   * @param rewrite the backend request target replacing the client's path and query, or {@code
   *     null}
   */
  record Continue(
      Map<String, Object> claims,
      HeaderEdits requestHeaders,
      HeaderEdits responseHeaders,
      UriRewrite rewrite)
      implements PolicyOutcome {
    public Continue {
      requestHeaders = requestHeaders == null ? HeaderEdits.NONE : requestHeaders;
      responseHeaders = responseHeaders == null ? HeaderEdits.NONE : responseHeaders;
    }

    public static Continue withResponseHeaders(HeaderEdits responseHeaders) {
      return responseHeaders.isEmpty()
          ? CONTINUE
          : new Continue(null, HeaderEdits.NONE, responseHeaders, null);
    }

    public static Continue withRequestHeaders(HeaderEdits requestHeaders) {
      return requestHeaders.isEmpty()
          ? CONTINUE
          : new Continue(null, requestHeaders, HeaderEdits.NONE, null);
    }
  }

  /**
   * Refuse the request with an RFC 9457 problem: the request path writes {@code
   * application/problem+json} with {@code status}, {@code title}, {@code detail} and {@code
   * reason}, plus {@code responseHeaders}.
   *
   * @param reason error reason as in the error model ({@code RateLimited}, {@code QuotaExceeded},
   *     {@code Unauthorized}, {@code Forbidden}, {@code RateLimiterUnavailable}, ...)
   * @param detail human-readable; never contains a token, a secret or a named value
   */
  record Reject(int status, String reason, String title, String detail, HeaderEdits responseHeaders)
      implements PolicyOutcome {
    public Reject {
      responseHeaders = responseHeaders == null ? HeaderEdits.NONE : responseHeaders;
    }

    Reject withHeadersBefore(HeaderEdits earlier) {
      return earlier.isEmpty()
          ? this
          : new Reject(status, reason, title, detail, earlier.then(responseHeaders));
    }
  }

  /**
   * Answer the client directly, without a body and without calling the backend (a CORS preflight).
   */
  record Respond(int status, HeaderEdits responseHeaders) implements PolicyOutcome {
    public Respond {
      responseHeaders = responseHeaders == null ? HeaderEdits.NONE : responseHeaders;
    }

    Respond withHeadersBefore(HeaderEdits earlier) {
      return earlier.isEmpty() ? this : new Respond(status, earlier.then(responseHeaders));
    }
  }
}
