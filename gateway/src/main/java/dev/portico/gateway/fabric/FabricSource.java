package dev.portico.gateway.fabric;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.PartitionVersion;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.resolve.FabricIndex;
import dev.portico.fabric.resolve.IndexedService;
import dev.portico.fabric.resolve.ReplicaSelector;
import dev.portico.fabric.resolve.Resolution;
import dev.portico.fabric.resolve.ResolutionFailure;
import dev.portico.fabric.resolve.ResolvedPartition;
import dev.portico.fabric.resolve.ResolvedReplica;
import dev.portico.gateway.backend.Selection;
import dev.portico.gateway.backend.Target;
import dev.portico.gateway.backend.Upstream;
import dev.portico.gateway.target.AttemptContext;
import dev.portico.gateway.target.ResolutionObserver;
import dev.portico.gateway.target.TargetSource;
import dev.portico.gateway.tracing.FabricPlace;
import dev.portico.gateway.tracing.RequestSpan;
import dev.portico.metrics.FabricResolution;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Targets of one request to a Service Fabric service. The first is resolved synchronously from the
 * resolver's immutable index: the partition owning the key, a replica of the type asked for, its
 * listener, an endpoint whose breaker grants a permit. A complaint ({@link ResendPolicy})
 * re-resolves, passing the partition used (complaint-based, as Service Fabric clients do), and
 * resends up to {@code maxResends} times:
 *
 * <ul>
 *   <li>after a failure (connection, timeout): at once when the partition has moved (a newer
 *       version), else after the policy's back-off, re-resolving again;
 *   <li>after a response: only to an endpoint not tried yet, which only a move can offer; else the
 *       response is the answer (for the reverse proxy's 503 and 410, also the same endpoint after
 *       the back-off, as the reference does).
 * </ul>
 *
 * Every resolution is reported to the observer ({@code portico_sf_resolutions_total}).
 *
 * <p>One instance per exchange, confined to its event loop.
 */
public final class FabricSource implements TargetSource {

  private static final ResolutionObserver NO_OBSERVER = new ResolutionObserver() {};

  private final FabricRuntime fabric;
  private final Upstream upstream;
  private final FabricName service;
  private final String serviceLabel;
  private final String keyText;
  private final String keyKind;
  private final String keyAbsence;
  private final ReplicaSelector selector;
  private final boolean selectorForStatefulOnly;
  private final Optional<String> listener;
  private final ResendPolicy policy;
  private final int maxResends;
  private final long bufferLimit;
  private final long deadlineMillis;

  private Context context;
  private ResolutionObserver observer = NO_OBSERVER;

  /** The request's spans, or {@code null} (tracing off). */
  private RequestSpan trace;

  private PartitionKey key;
  private ResolvedPartition partition;
  private int resends;
  private int notFoundResends;
  private boolean moved;

  /**
   * The outcome complained about says the endpoint is stale (set by {@link #complains}, read by
   * {@link #reconsider}).
   */
  private boolean stale;

  private Selection pending;
  private long startedNanos;

  /**
   * The back-off already drawn for the next resend (a 404's, checked against the time bound), -1
   * for none.
   */
  private long nextBackoff = -1;

  /**
   * @param keyText the key the request carries, {@code null} for none
   * @param keyKind the partition kind the request names, {@code null}: the service's own
   * @param keyAbsence why there is no key, for the error detail
   * @param selectorForStatefulOnly APIM's {@code sf-replica-type} applies to stateful services only
   *     (a stateless one takes any instance); the reverse proxy's selector applies to both
   * @param bufferLimit bodies up to this many bytes are buffered to be resendable (-1: never)
   * @param deadline bound on the whole exchange in milliseconds, 0 for none
   */
  public FabricSource(
      FabricRuntime fabric,
      Upstream upstream,
      FabricName service,
      String keyText,
      String keyKind,
      String keyAbsence,
      ReplicaSelector selector,
      boolean selectorForStatefulOnly,
      Optional<String> listener,
      ResendPolicy policy,
      int maxResends,
      long bufferLimit,
      long deadline) {
    this.fabric = fabric;
    this.upstream = upstream;
    this.service = service;
    this.serviceLabel = service.toString();
    this.keyText = keyText;
    this.keyKind = keyKind;
    this.keyAbsence = keyAbsence;
    this.selector = selector;
    this.selectorForStatefulOnly = selectorForStatefulOnly;
    this.listener = listener;
    this.policy = policy;
    this.maxResends = maxResends;
    this.bufferLimit = bufferLimit;
    this.deadlineMillis = deadline;
  }

  @Override
  public boolean buffers(AttemptContext x, HttpMethod method, long contentLength) {
    return maxResends > 0 && contentLength >= 0 && contentLength <= bufferLimit;
  }

  @Override
  public long deadlineMillis() {
    return deadlineMillis;
  }

  @Override
  public Selection first(AttemptContext x, long nowNanos) {
    context = Vertx.currentContext();
    startedNanos = nowNanos;
    observer = x.observer();
    trace = x.trace();
    long started = System.nanoTime();
    FabricIndex index = fabric.index();
    IndexedService s = index.service(service).orElse(null);
    if (s == null) {
      return unresolved(
          new ResolutionFailure.ServiceNotFound(
              service,
              PartitionKey.none(),
              "Service "
                  + service
                  + " is not registered (partition key "
                  + (keyText == null ? "none" : "\"" + keyText + "\"")
                  + "); Service Fabric names are case-sensitive"),
          started);
    }
    Object k = FabricKeys.key(s, keyText, keyKind, keyAbsence);
    if (k instanceof ResolutionFailure f) {
      return unresolved(f, started);
    }
    key = (PartitionKey) k;
    Resolution r = s.resolve(key);
    if (r instanceof ResolutionFailure f) {
      return unresolved(f, started);
    }
    partition = (ResolvedPartition) r;
    Selection selection = pick(nowNanos, x);
    record(
        selection instanceof Selection.Unresolved u
            ? FabricResults.of(u.failure())
            : FabricResolution.OK,
        started);
    return selection;
  }

  @Override
  public boolean complains(AttemptContext x, int status, String reason, MultiMap headers) {
    boolean complains =
        partition != null
            && resends < maxResends
            && policy.complains(x.method(), status, reason, headers);
    stale = complains && ResendPolicy.signalsStaleEndpoint(status, reason, headers);
    return complains;
  }

  @Override
  public Future<Boolean> reconsider(AttemptContext x, int status, String reason) {
    if (status > 0 && !stale) {
      // the service answered, and nothing says the endpoint is stale: a resend is worth it only
      // towards an endpoint not tried yet, which only a change the gateway already knows of can
      // offer (no registry read, no management call for this)
      long started = System.nanoTime();
      Resolution r = fabric.current(partition, key);
      if (!(r instanceof ResolvedPartition p)) {
        record(FabricResults.of((ResolutionFailure) r), started);
        return Future.succeededFuture(false);
      }
      boolean newer = isNewer(p);
      record(newer ? FabricResolution.REFRESHED : FabricResolution.OK, started);
      partition = p;
      return Future.succeededFuture(newer && resendElsewhere(x));
    }
    // a connection failure, a timeout, 410, 503 or a 404 not marked as the service's own: the
    // endpoint may be stale, so the partition is re-resolved now (complaint-driven, from the
    // cluster when an importer imported it)
    long started = System.nanoTime();
    return onLoop(fabric.complain(partition, key))
        .map(
            r -> {
              if (r instanceof ResolvedPartition p) {
                moved = isNewer(p);
                record(moved ? FabricResolution.REFRESHED : FabricResolution.OK, started);
                partition = p;
                if (status == 0) {
                  return true;
                }
                if (moved) {
                  // a response from a replica that is no longer where the partition lives: resend
                  // where it is
                  moved = false;
                  if (status == 404 && notFoundResends >= policy.notFoundResends()) {
                    return false;
                  }
                  boolean resend = resendElsewhere(x) || policy.resendsToSameEndpoint(status);
                  if (resend && status == 404) {
                    notFoundResends++;
                  }
                  return resend;
                }
                return resendToSame(status);
              }
              ResolutionFailure f = (ResolutionFailure) r;
              record(FabricResults.of(f), started);
              moved = false;
              // a partition between primaries (failing over) gets replicas again soon: wait and
              // look again
              return status == 0
                  && (f instanceof ResolutionFailure.NoReplica
                      || f instanceof ResolutionFailure.NoListener);
            });
  }

  /** Picks a target this request has not tried; true (the resend is pending) when there is one. */
  private boolean resendElsewhere(AttemptContext x) {
    Selection s = pick(System.nanoTime(), x);
    if (s instanceof Selection.Chosen c && !x.tried().contains(c.target())) {
      pending = s;
      return true;
    }
    release(s);
    return false;
  }

  /**
   * The partition has not moved, yet the endpoint answered a status that says it may be stale: the
   * reverse proxy resends 503 and 410 after its back-off (as the reference does), and a 404 a
   * bounded number of times, and only when the back-off ends within the request's time bound, so
   * that it is answered as the 404 it is rather than held until a 504.
   */
  private boolean resendToSame(int status) {
    if (!policy.resendsToSameEndpoint(status)) {
      return false;
    }
    if (status != 404) {
      return true;
    }
    if (notFoundResends >= policy.notFoundResends()) {
      return false;
    }
    long backoff = policy.backoffMillis(resends, ThreadLocalRandom.current());
    long elapsed = (System.nanoTime() - startedNanos) / 1_000_000;
    if (deadlineMillis > 0 && elapsed + backoff >= deadlineMillis) {
      return false;
    }
    notFoundResends++;
    nextBackoff = backoff;
    return true;
  }

  @Override
  public Future<Selection> next(AttemptContext x) {
    resends++;
    if (pending != null) {
      Selection s = pending;
      pending = null;
      return Future.succeededFuture(s);
    }
    if (moved) {
      moved = false;
      Selection s = pick(System.nanoTime(), x);
      if (s instanceof Selection.Chosen || resends >= maxResends) {
        return Future.succeededFuture(s);
      }
    }
    Promise<Selection> next = Promise.promise();
    later(x, next);
    return next.future();
  }

  /** Back off, re-resolve, pick; again while nothing can take the request and resends remain. */
  private void later(AttemptContext x, Promise<Selection> next) {
    long delay =
        Math.max(
            1,
            nextBackoff >= 0
                ? nextBackoff
                : policy.backoffMillis(resends - 1, ThreadLocalRandom.current()));
    nextBackoff = -1;
    x.vertx()
        .setTimer(
            delay,
            t -> {
              long started = System.nanoTime();
              onLoop(fabric.complain(partition, key))
                  .onComplete(
                      ar -> {
                        if (ar.failed()) {
                          next.complete(
                              new Selection.Unavailable("re-resolving " + service + " failed", -1));
                          return;
                        }
                        Resolution r = ar.result();
                        if (r instanceof ResolutionFailure f) {
                          record(FabricResults.of(f), started);
                          if (resends < maxResends
                              && (f instanceof ResolutionFailure.NoReplica
                                  || f instanceof ResolutionFailure.NoListener)) {
                            resends++;
                            later(x, next);
                          } else {
                            next.complete(new Selection.Unresolved(f));
                          }
                          return;
                        }
                        ResolvedPartition p = (ResolvedPartition) r;
                        record(
                            isNewer(p) ? FabricResolution.REFRESHED : FabricResolution.OK, started);
                        partition = p;
                        Selection s = pick(System.nanoTime(), x);
                        if (!(s instanceof Selection.Chosen) && resends < maxResends) {
                          resends++;
                          later(x, next);
                        } else {
                          next.complete(s);
                        }
                      });
            });
  }

  @Override
  public void abandon() {
    release(pending);
    pending = null;
  }

  private Selection pick(long now, AttemptContext x) {
    ReplicaSelector s =
        selectorForStatefulOnly && partition.serviceKind() == ServiceKind.STATELESS
            ? null
            : selector;
    return FabricPicker.pick(fabric, upstream, partition, s, listener, now, x.tried());
  }

  private boolean isNewer(ResolvedPartition p) {
    PartitionVersion.Order o = p.version().compareWith(partition.version());
    return o == PartitionVersion.Order.NEWER || o == PartitionVersion.Order.NOT_COMPARABLE;
  }

  private Selection unresolved(ResolutionFailure f, long started) {
    record(FabricResults.of(f), started);
    return new Selection.Unresolved(f);
  }

  private void record(FabricResolution result, long started) {
    long nanos = System.nanoTime() - started;
    observer.fabricResolution(serviceLabel, result, nanos);
    if (trace != null) {
      trace.fabricResolution(
          serviceLabel,
          partition == null ? null : partition.partition().id(),
          result.label(),
          nanos);
    }
  }

  @Override
  public FabricPlace place(Target target) {
    if (partition == null) {
      return null;
    }
    String role = null;
    for (ResolvedReplica r : partition.replicas()) {
      if (r.recordId().equals(target.endpoint().instanceId())) {
        role = r.role().restName();
        break;
      }
    }
    return new FabricPlace(serviceLabel, partition.partition().id(), role);
  }

  private static void release(Selection s) {
    if (s instanceof Selection.Chosen c) {
      c.target().state().breaker().release(c.permit());
    }
  }

  /**
   * {@code f}'s outcome, delivered on this exchange's event loop (re-resolution may complete on the
   * registry's).
   */
  private <T> Future<T> onLoop(Future<T> f) {
    Context ctx = context;
    Promise<T> p = Promise.promise();
    f.onComplete(
        ar -> {
          if (ctx == null || Vertx.currentContext() == ctx) {
            p.handle(ar);
          } else {
            ctx.runOnContext(v -> p.handle(ar));
          }
        });
    return p.future();
  }
}
