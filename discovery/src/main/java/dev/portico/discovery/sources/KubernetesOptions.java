package dev.portico.discovery.sources;

import java.time.Duration;
import java.util.Objects;

/**
 * A Kubernetes source: the EndpointSlices ({@code discovery.k8s.io/v1}) of one Service, listed and
 * then watched.
 *
 * @param id the source's id
 * @param service the registry service the instances are published under
 * @param namespace the Service's namespace
 * @param name the Service's name (slices are selected by {@code kubernetes.io/service-name=<name>})
 * @param portName the slice port to publish, by name; {@code null} when the slices have exactly one
 *     port
 * @param ssl whether the instances speak TLS
 * @param addressType which slices to read: {@code IPv4}, {@code IPv6} or {@code FQDN} (a dual-stack
 *     Service has one set of slices per IP family)
 * @param apiServer base URL of the API server, e.g. {@code https://10.96.0.1:443}
 * @param tokenFile bearer token file, read again for every request (projected tokens rotate);
 *     {@code null} for none
 * @param caFile PEM file of the CA(s) that sign the API server's certificate; {@code null} for the
 *     JVM's trust store
 * @param timeout bound on connecting and on a LIST request
 * @param watchTimeout how long one WATCH may last before the server ends it and the source resumes
 *     from its last resourceVersion (Kubernetes' {@code timeoutSeconds})
 */
public record KubernetesOptions(
    String id,
    String service,
    String namespace,
    String name,
    String portName,
    boolean ssl,
    String addressType,
    String apiServer,
    String tokenFile,
    String caFile,
    Duration timeout,
    Duration watchTimeout)
    implements SourceOptions {

  public static final String TYPE = "kubernetes";
  public static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
  public static final String IN_CLUSTER_TOKEN = SERVICE_ACCOUNT_DIR + "/token";
  public static final String IN_CLUSTER_CA = SERVICE_ACCOUNT_DIR + "/ca.crt";
  public static final String IN_CLUSTER_NAMESPACE = SERVICE_ACCOUNT_DIR + "/namespace";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_WATCH_TIMEOUT = Duration.ofMinutes(5);

  public KubernetesOptions {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(apiServer, "apiServer");
    addressType = addressType == null ? "IPv4" : addressType;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    watchTimeout = watchTimeout == null ? DEFAULT_WATCH_TIMEOUT : watchTimeout;
  }

  @Override
  public String type() {
    return TYPE;
  }
}
