package dev.portico.gateway.config;

import dev.portico.fabric.importer.ImporterConfig;
import java.util.List;

/**
 * APIM's {@code serviceFabricCluster} block of a Service Fabric backend.
 *
 * @param managementEndpoints the cluster's HTTP management endpoints; empty: nothing is imported
 *     and the registry's Service Fabric records (from elsewhere) are the naming service
 * @param maxPartitionResolutionRetries re-resolutions (each followed by a resend) per request, 0-10
 * @param clientCertificateId id of the {@code certificates[]} entry shown to the management
 *     endpoints
 * @param serverCertificateThumbprints the management endpoints' certificate is recognised by these
 *     thumbprints
 * @param serverX509Names ... or by these names (and issuers); the importer's TLS carries all three
 * @param importer the importer reading {@code managementEndpoints}, validated; {@code null} when
 *     there are none. Backends naming the same cluster share one importer.
 */
public record ServiceFabricCluster(
    List<String> managementEndpoints,
    int maxPartitionResolutionRetries,
    String clientCertificateId,
    List<String> serverCertificateThumbprints,
    List<ImporterConfig.ServerName> serverX509Names,
    ImporterConfig importer) {

  /**
   * Default when a backend has no APIM setting for it (the .NET client retries 10 times; a gateway
   * request waits less).
   */
  public static final int DEFAULT_MAX_PARTITION_RESOLUTION_RETRIES = 3;

  /** No management endpoints (registry only), default retries. */
  public static final ServiceFabricCluster DEFAULT =
      new ServiceFabricCluster(
          List.of(), DEFAULT_MAX_PARTITION_RESOLUTION_RETRIES, null, List.of(), List.of(), null);

  public ServiceFabricCluster {
    managementEndpoints = List.copyOf(managementEndpoints);
    serverCertificateThumbprints = List.copyOf(serverCertificateThumbprints);
    serverX509Names = List.copyOf(serverX509Names);
  }
}
