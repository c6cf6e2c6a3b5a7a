package dev.portico.gateway.policy.internal;

import dev.portico.gateway.policy.Policy;
import dev.portico.gateway.policy.PolicyOutcome;
import dev.portico.gateway.policy.PolicyRequest;
import dev.portico.gateway.policy.UriRewrite;
import dev.portico.gateway.policy.config.RewriteUriConfig;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/**
 * {@code rewrite-uri}: the backend request target from a template. The path part's substituted
 * values are escaped as path segments (a path parameter goes as received, already escaped; any
 * other value cannot add a {@code /} or climb with {@code ..}); the query part is {@code
 * name=template} pairs, each value escaped as a query component, a pair whose value evaluates empty
 * left out. With {@code copy-unmatched-params}, the client's query parameters that the template
 * neither sets nor reads ({@code {query.name}}) follow, as received.
 */
public final class RewriteUriPolicy implements Policy {

  /** One query pair of the template: a literal name and a value template. */
  public record QueryPair(String name, Template value) {}

  private final String location;
  private final Template path;
  private final QueryPair[] query;
  private final Set<String> setNames;
  private final boolean copyUnmatched;

  public RewriteUriPolicy(
      String location, RewriteUriConfig config, Template path, List<QueryPair> query) {
    this.location = location;
    this.path = path;
    this.query = query.toArray(new QueryPair[0]);
    // a client's parameter the template sets, or reads into the target, is matched: it is not
    // copied again
    Set<String> matched = new java.util.HashSet<>(path.queryParameters());
    for (QueryPair p : query) {
      matched.add(p.name);
      matched.addAll(p.value.queryParameters());
    }
    this.setNames = Set.copyOf(matched);
    this.copyUnmatched = config.copyUnmatchedParams();
  }

  @Override
  public String name() {
    return RewriteUriConfig.NAME;
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Future<PolicyOutcome> apply(PolicyRequest request) {
    String p = path.evaluate(request, Template.Encoding.PATH);
    StringBuilder q = new StringBuilder();
    for (QueryPair pair : query) {
      int mark = q.length();
      if (q.length() > 0) {
        q.append('&');
      }
      QueryStrings.encodeComponent(pair.name, q);
      q.append('=');
      int valueStart = q.length();
      pair.value.appendTo(request, Template.Encoding.QUERY, q);
      if (q.length() == valueStart && !pair.value.isConstant()) {
        q.setLength(mark); // nothing to say: leave the pair out
      }
    }
    if (copyUnmatched) {
      for (String[] pair : QueryStrings.pairs(request.rawQuery())) {
        String name = QueryStrings.decode(pair[0], 0, pair[0].length());
        if (setNames.contains(name)) {
          continue;
        }
        if (q.length() > 0) {
          q.append('&');
        }
        q.append(pair[0]);
        if (pair[1] != null) {
          q.append('=').append(pair[1]);
        }
      }
    }
    UriRewrite rewrite = new UriRewrite(p, q.length() == 0 ? null : q.toString());
    return Future.succeededFuture(new PolicyOutcome.Continue(null, null, null, rewrite));
  }

  @Override
  public String toString() {
    return name() + " at " + location + " (" + path + ")";
  }
}
