package dev.portico.fabric.importer.internal;

import dev.portico.fabric.FabricName;
import dev.portico.fabric.InvalidFabricNameException;
import dev.portico.fabric.PartitionInfo;
import dev.portico.fabric.PartitionKey;
import dev.portico.fabric.ServiceKind;
import dev.portico.fabric.importer.ImporterConfig;
import dev.portico.fabric.importer.ManagementApiException;
import dev.portico.fabric.rest.ApplicationInfo;
import dev.portico.fabric.rest.ResolvedEndpoint;
import dev.portico.fabric.rest.ResolvedServicePartition;
import dev.portico.fabric.rest.ServiceInfo;
import dev.portico.fabric.rest.ServicePartitionItem;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Walks a cluster: applications, their services, their partitions, and resolves each partition. A
 * part that cannot be read is recorded as unknown (its records stay as they are) and the walk goes
 * on; the whole walk fails only when the listing of applications fails or the management endpoints
 * stop answering at all.
 */
public final class ClusterReader {

  private final ManagementClient client;
  private final ImporterConfig config;

  public ClusterReader(ManagementClient client, ImporterConfig config) {
    this.client = client;
    this.config = config;
  }

  private record App(FabricName name, String id) {}

  /** What a part of the walk learnt; merged into one {@link ClusterObservation}. */
  private static final class Findings {
    final List<ClusterObservation.ObservedPartition> resolved = new ArrayList<>();
    final Set<FabricName> unknownApplications = new HashSet<>();
    final Set<FabricName> unknownServices = new HashSet<>();
    final Set<String> unknownPartitions = new HashSet<>();
    final List<String> problems = new ArrayList<>();
    int services;
    int gone;

    Findings add(Findings other) {
      resolved.addAll(other.resolved);
      unknownApplications.addAll(other.unknownApplications);
      unknownServices.addAll(other.unknownServices);
      unknownPartitions.addAll(other.unknownPartitions);
      problems.addAll(other.problems);
      services += other.services;
      gone += other.gone;
      return this;
    }
  }

  public Future<ClusterObservation> read() {
    Future<List<App>> apps;
    if (config.applications().isEmpty()) {
      apps =
          client
              .getAll("/Applications", "api-version=6.0", ApplicationInfo::page)
              .map(
                  list -> {
                    List<App> out = new ArrayList<>(list.size());
                    for (ApplicationInfo a : list) {
                      out.add(new App(a.name(), restId(a.id(), a.name())));
                    }
                    return out;
                  });
    } else {
      List<App> out = new ArrayList<>();
      for (FabricName name : config.applications()) {
        out.add(new App(name, name.toRestId()));
      }
      apps = Future.succeededFuture(out);
    }
    return apps.compose(
        list ->
            BoundedParallel.map(list, config.parallelism(), this::readApplication)
                .map(
                    parts -> {
                      Findings all = new Findings();
                      parts.forEach(all::add);
                      return new ClusterObservation(
                          all.resolved,
                          all.unknownApplications,
                          all.unknownServices,
                          all.unknownPartitions,
                          all.problems,
                          list.size(),
                          all.services,
                          all.gone);
                    }));
  }

  private Future<Findings> readApplication(App app) {
    String path = "/Applications/" + Uris.segment(app.id()) + "/$/GetServices";
    return client
        .getAll(path, "api-version=6.0", ServiceInfo::page)
        .compose(
            services ->
                BoundedParallel.map(services, config.parallelism(), s -> readService(app, s))
                    .map(
                        parts -> {
                          Findings f = new Findings();
                          parts.forEach(f::add);
                          f.services += services.size();
                          return f;
                        }))
        .recover(
            e ->
                partFailed(
                    e, "application " + app.name(), f -> f.unknownApplications.add(app.name())));
  }

  private Future<Findings> readService(App app, ServiceInfo service) {
    if (!app.name().isAncestorOf(service.name())) {
      Findings f = new Findings();
      f.problems.add(
          "Service "
              + service.name()
              + " listed under application "
              + app.name()
              + " is not named below it; skipped");
      f.unknownServices.add(service.name());
      return Future.succeededFuture(f);
    }
    String id = Uris.segment(restId(service.id(), service.name()));
    return client
        .getAll(
            "/Services/" + id + "/$/GetPartitions", "api-version=6.4", ServicePartitionItem::page)
        .compose(
            partitions ->
                BoundedParallel.map(
                        partitions, config.parallelism(), p -> resolve(app, service, id, p))
                    .map(
                        parts -> {
                          Findings f = new Findings();
                          parts.forEach(f::add);
                          return f;
                        }))
        .recover(
            e ->
                partFailed(
                    e, "service " + service.name(), f -> f.unknownServices.add(service.name())));
  }

  private Future<Findings> resolve(
      App app, ServiceInfo service, String serviceId, ServicePartitionItem item) {
    PartitionInfo info = item.partition();
    String pid = info.id().toLowerCase(Locale.ROOT);
    return resolvePartition(app.name(), service.name(), service.kind(), serviceId, info, null)
        .map(
            observed -> {
              Findings f = new Findings();
              f.resolved.add(observed.partition());
              f.problems.addAll(observed.problems());
              return f;
            })
        .recover(
            e -> {
              if (e instanceof UnexpectedAnswer) {
                Findings f = new Findings();
                f.problems.add(e.getMessage());
                f.unknownPartitions.add(pid);
                f.resolved.add(unresolved(app.name(), service, info));
                return Future.succeededFuture(f);
              }
              return partFailed(
                  e,
                  "partition " + info.id() + " of " + service.name(),
                  f -> {
                    f.unknownPartitions.add(pid);
                    // listed but not resolved: its range or name is known all the same
                    f.resolved.add(unresolved(app.name(), service, info));
                  });
            });
  }

  private static ClusterObservation.ObservedPartition unresolved(
      FabricName app, ServiceInfo service, PartitionInfo info) {
    return new ClusterObservation.ObservedPartition(
        app, service.name(), service.kind(), info, List.of(), "", false);
  }

  /**
   * A partition as ResolvePartition described it, and endpoints it described but that were left
   * out.
   */
  public record Resolved(ClusterObservation.ObservedPartition partition, List<String> problems) {}

  /** ResolvePartition answered, but for another partition or with a body that is no resolution. */
  public static final class UnexpectedAnswer extends RuntimeException {
    UnexpectedAnswer(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Resolves one partition. With {@code previousRspVersion} (the cluster's {@code Version} of the
   * result the caller complains about) the cluster refreshes its answer when it has nothing newer
   * cached, as Service Fabric clients' complaint-based re-resolution does. Fails with a {@link
   * ManagementApiException}, or {@link UnexpectedAnswer} when the answer does not fit.
   *
   * @param serviceId the service's REST id, already a path segment
   */
  public Future<Resolved> resolvePartition(
      FabricName application,
      FabricName service,
      ServiceKind kind,
      String serviceId,
      PartitionInfo info,
      String previousRspVersion) {
    PartitionKey key = keyInside(info);
    String query =
        "api-version=6.0&PartitionKeyType="
            + key.typeCode()
            + (key instanceof PartitionKey.None
                ? ""
                : "&PartitionKeyValue=" + Uris.query(key.queryValue()))
            + (previousRspVersion == null || previousRspVersion.isEmpty()
                ? ""
                : "&PreviousRspVersion=" + Uris.query(previousRspVersion));
    return client
        .get("/Services/" + serviceId + "/$/ResolvePartition?" + query)
        .compose(
            body -> {
              ResolvedServicePartition rsp;
              try {
                rsp = ResolvedServicePartition.parse(body);
              } catch (IllegalArgumentException e) {
                return Future.failedFuture(
                    new UnexpectedAnswer(
                        "Partition "
                            + info.id()
                            + " of "
                            + service
                            + ": malformed ResolvePartition answer: "
                            + e.getMessage()));
              }
              if (!rsp.name().equals(service)
                  || !rsp.partition().id().equalsIgnoreCase(info.id())) {
                return Future.failedFuture(
                    new UnexpectedAnswer(
                        "Partition "
                            + info.id()
                            + " of "
                            + service
                            + ": ResolvePartition answered for "
                            + rsp.name()
                            + " partition "
                            + rsp.partition().id()));
              }
              List<String> problems = new ArrayList<>(0);
              List<ClusterObservation.ObservedEndpoint> endpoints =
                  new ArrayList<>(rsp.endpoints().size());
              for (ResolvedEndpoint e : rsp.endpoints()) {
                if (e.role().serviceKind() != kind) {
                  problems.add(
                      "Partition "
                          + info.id()
                          + " of "
                          + service
                          + ": a "
                          + e.role()
                          + " endpoint in a "
                          + kind
                          + " service; ignored");
                  continue;
                }
                endpoints.add(new ClusterObservation.ObservedEndpoint(e.role(), e.address()));
              }
              // The partition as GetPartitions describes it: ResolvePartition repeats it, but the
              // listing is what the partition table is built from.
              return Future.succeededFuture(
                  new Resolved(
                      new ClusterObservation.ObservedPartition(
                          application, service, kind, info, endpoints, rsp.version()),
                      problems));
            });
  }

  /**
   * A failed part: gone when the cluster says it does not exist; unknown otherwise. Unreachable
   * endpoints fail the whole walk, since nothing more can be learnt.
   */
  private static Future<Findings> partFailed(
      Throwable e, String what, java.util.function.Consumer<Findings> unknown) {
    if (e instanceof ManagementApiException.Unreachable) {
      return Future.failedFuture(e);
    }
    Findings f = new Findings();
    if (e instanceof ManagementApiException.ErrorResponse
        && ((ManagementApiException.ErrorResponse) e).isGone()) {
      f.gone++;
      return Future.succeededFuture(f);
    }
    unknown.accept(f);
    f.problems.add(what + ": " + e.getMessage());
    return Future.succeededFuture(f);
  }

  /** The REST id of a service as a path segment ({@code Shop~Orders}). */
  public static String serviceSegment(FabricName service) {
    return Uris.segment(service.toRestId());
  }

  /** A key the partition owns, to resolve it by. */
  static PartitionKey keyInside(PartitionInfo info) {
    if (info instanceof PartitionInfo.Int64Range) {
      return PartitionKey.int64(((PartitionInfo.Int64Range) info).low());
    }
    if (info instanceof PartitionInfo.Named) {
      return PartitionKey.named(((PartitionInfo.Named) info).name());
    }
    return PartitionKey.none();
  }

  /** The id in the 6.0 {@code ~} form whatever form the cluster listed it in. */
  private static String restId(String id, FabricName name) {
    try {
      return FabricName.fromRestId(id).toRestId();
    } catch (InvalidFabricNameException e) {
      return name.toRestId();
    }
  }
}
