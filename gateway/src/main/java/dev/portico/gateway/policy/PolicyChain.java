package dev.portico.gateway.policy;

import dev.portico.gateway.problem.ErrorReason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The ordered policies of one route (global, then API, then operation, by the scopes' {@code base}
 * rules), immutable, and the runner of one request through them: {@link #start} applies them in
 * order until one refuses or answers, passing the claims a {@code validate-jwt} found to the
 * policies after it, and merges what the others asked for:
 *
 * <ul>
 *   <li>request header edits and response header edits, concatenated in policy order;
 *   <li>the last {@link UriRewrite};
 *   <li>on a refusal or direct answer, the response header edits of the policies before it come
 *       first (so a 429 still carries the CORS headers a browser needs to read it).
 * </ul>
 *
 * Synchronous policies run in one loop without allocation beyond the edits; the outcome of a run
 * that had to wait (Redis, a JWKS fetch) completes on the context that started it.
 */
public final class PolicyChain {

  public static final PolicyChain EMPTY = new PolicyChain(new Policy[0]);

  private final Policy[] policies;
  private final boolean needsCompletion;

  private PolicyChain(Policy[] policies) {
    this.policies = policies;
    boolean c = false;
    for (Policy p : policies) {
      c |= p.needsCompletion();
    }
    this.needsCompletion = c;
  }

  /**
   * The chain of a route from its scopes, outermost first: global, API, operation (a {@code null}
   * scope inherits).
   */
  public static PolicyChain of(CompiledScope... scopes) {
    List<Policy> list = List.of();
    for (CompiledScope s : scopes) {
      list = (s == null ? CompiledScope.INHERIT : s).resolve(list);
    }
    return list.isEmpty() ? EMPTY : new PolicyChain(list.toArray(new Policy[0]));
  }

  public static PolicyChain of(List<Policy> policies) {
    return policies.isEmpty() ? EMPTY : new PolicyChain(policies.toArray(new Policy[0]));
  }

  public List<Policy> policies() {
    return List.of(policies);
  }

  public boolean isEmpty() {
    return policies.length == 0;
  }

  /** Whether {@link Run#completed} does anything (a policy counts after the fact). */
  public boolean needsCompletion() {
    return needsCompletion;
  }

  /** Runs {@code request} through the policies. */
  public Run start(PolicyRequest request) {
    if (policies.length == 0) {
      return EMPTY_RUN;
    }
    Run run = new Run(this, request);
    run.advance();
    return run;
  }

  private static final Run EMPTY_RUN =
      new Run(EMPTY, null) {
        @Override
        public void completed(Completion completion) {}
      };

  @Override
  public String toString() {
    return Arrays.toString(policies);
  }

  /**
   * One request's way through the chain: {@link #outcome()} is the merged decision; call {@link
   * #completed} once the exchange has ended (whatever the outcome), so policies that count after
   * the fact can.
   */
  public static class Run {
    private final PolicyChain chain;
    private PolicyRequest view;
    private final Context context;
    private int next;
    private int continued;
    private Map<String, Object> claims;
    private HeaderEdits requestHeaders = HeaderEdits.NONE;
    private HeaderEdits responseHeaders = HeaderEdits.NONE;
    private UriRewrite rewrite;
    private Future<PolicyOutcome> outcome;
    private Promise<PolicyOutcome> promise;

    private Run(PolicyChain chain, PolicyRequest request) {
      this.chain = chain;
      this.view = request;
      this.context = request == null ? null : Vertx.currentContext();
      this.outcome = request == null ? PolicyOutcome.CONTINUE_NOW : null;
    }

    public Future<PolicyOutcome> outcome() {
      return outcome;
    }

    private void advance() {
      Policy[] ps = chain.policies;
      while (next < ps.length) {
        Future<PolicyOutcome> f;
        try {
          f = ps[next].apply(view);
        } catch (RuntimeException e) {
          f = Future.failedFuture(e);
        }
        if (!f.isComplete()) {
          if (promise == null) {
            promise = Promise.promise();
            outcome = promise.future();
          }
          f.onComplete(
              ar -> {
                if (context == null || Vertx.currentContext() == context) {
                  resume(ar.succeeded() ? ar.result() : failed(ar.cause()));
                } else {
                  context.runOnContext(
                      v -> resume(ar.succeeded() ? ar.result() : failed(ar.cause())));
                }
              });
          return;
        }
        PolicyOutcome o = f.succeeded() ? f.result() : failed(f.cause());
        if (!take(o)) {
          return;
        }
      }
      finish(merged());
    }

    private void resume(PolicyOutcome o) {
      if (take(o)) {
        advance();
      }
    }

    /** Takes one policy's outcome; false when the run ends with it. */
    private boolean take(PolicyOutcome o) {
      Policy p = chain.policies[next++];
      if (o instanceof PolicyOutcome.Continue c) {
        continued = next;
        if (c != PolicyOutcome.CONTINUE) {
          requestHeaders = requestHeaders.then(c.requestHeaders());
          responseHeaders = responseHeaders.then(c.responseHeaders());
          if (c.rewrite() != null) {
            rewrite = c.rewrite();
          }
          if (c.claims() != null) {
            claims = c.claims();
            view = new WithClaims(view, claims);
          }
        }
        return true;
      }
      if (o instanceof PolicyOutcome.Reject r) {
        finish(r.withHeadersBefore(responseHeaders));
      } else if (o instanceof PolicyOutcome.Respond r) {
        finish(r.withHeadersBefore(responseHeaders));
      } else {
        finish(
            failed(
                new IllegalStateException(p.name() + " at " + p.location() + " gave no outcome")));
      }
      return false;
    }

    private PolicyOutcome merged() {
      if (claims == null
          && requestHeaders.isEmpty()
          && responseHeaders.isEmpty()
          && rewrite == null) {
        return PolicyOutcome.CONTINUE;
      }
      return new PolicyOutcome.Continue(claims, requestHeaders, responseHeaders, rewrite);
    }

    private void finish(PolicyOutcome o) {
      if (promise != null) {
        promise.complete(o);
      } else {
        outcome = PolicyOutcome.now(o);
      }
    }

    private static PolicyOutcome failed(Throwable cause) {
      return new PolicyOutcome.Reject(
          500,
          ErrorReason.POLICY_FAILURE.label(),
          "Policy failure",
          "a policy failed while deciding on this request",
          HeaderEdits.NONE);
    }

    /**
     * Tells the policies that let the request through how it ended (call once, also when the
     * outcome was a refusal: those before the refusing policy had let it through).
     */
    public void completed(Completion completion) {
      if (!chain.needsCompletion) {
        return;
      }
      for (int i = 0; i < continued; i++) {
        Policy p = chain.policies[i];
        if (p.needsCompletion()) {
          try {
            p.completed(view, completion);
          } catch (RuntimeException e) {
            // counting after the fact must never break the exchange
          }
        }
      }
    }

    /**
     * The claims merged so far ({@code null} when none): what the backend's header templates see.
     */
    public Map<String, Object> claims() {
      return claims;
    }
  }

  /** The request as later policies see it: with the claims of a validated token. */
  private record WithClaims(PolicyRequest request, Map<String, Object> claims)
      implements PolicyRequest {
    public HttpMethod method() {
      return request.method();
    }

    public String path() {
      return request.path();
    }

    public String rawQuery() {
      return request.rawQuery();
    }

    public String queryParam(String name) {
      return request.queryParam(name);
    }

    public String header(String name) {
      return request.header(name);
    }

    public List<String> headers(String name) {
      return request.headers(name);
    }

    public SocketAddress remoteAddress() {
      return request.remoteAddress();
    }

    public boolean isSsl() {
      return request.isSsl();
    }

    public String apiId() {
      return request.apiId();
    }

    public String operationId() {
      return request.operationId();
    }

    public String pathParam(String name) {
      return request.pathParam(name);
    }
  }
}
