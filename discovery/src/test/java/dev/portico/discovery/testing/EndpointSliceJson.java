package dev.portico.discovery.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * EndpointSlices ({@code discovery.k8s.io/v1}) shaped as the API server returns them (fields and
 * nesting from the Kubernetes API reference: metadata with the endpointslice controller's labels,
 * annotation and owner reference; addressType; endpoints with addresses, conditions, nodeName,
 * targetRef and zone; named TCP ports). The server sets {@code metadata.resourceVersion}.
 */
public final class EndpointSliceJson {

  private EndpointSliceJson() {}

  public static JsonObject slice(
      String namespace,
      String service,
      String name,
      String addressType,
      List<JsonObject> endpoints,
      List<JsonObject> ports) {
    JsonObject metadata =
        new JsonObject()
            .put("name", name)
            .put("generateName", service + "-")
            .put("namespace", namespace)
            .put("uid", UUID.randomUUID().toString())
            .put("generation", 1)
            .put("creationTimestamp", "2025-06-02T09:14:07Z")
            .put(
                "labels",
                new JsonObject()
                    .put(
                        "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
                    .put("kubernetes.io/service-name", service))
            .put(
                "annotations",
                new JsonObject()
                    .put(
                        "endpoints.kubernetes.io/last-change-trigger-time", "2025-06-02T09:14:07Z"))
            .put(
                "ownerReferences",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("apiVersion", "v1")
                            .put("kind", "Service")
                            .put("name", service)
                            .put("uid", UUID.randomUUID().toString())
                            .put("controller", true)
                            .put("blockOwnerDeletion", true)));
    return new JsonObject()
        .put("kind", "EndpointSlice")
        .put("apiVersion", "discovery.k8s.io/v1")
        .put("metadata", metadata)
        .put("addressType", addressType)
        .put("endpoints", new JsonArray(List.copyOf(endpoints)))
        .put("ports", new JsonArray(List.copyOf(ports)));
  }

  /** An endpoint backed by a pod; a null condition is left out (the API's "unknown"). */
  public static JsonObject endpoint(
      String address,
      Boolean ready,
      Boolean serving,
      Boolean terminating,
      String pod,
      String zone) {
    JsonObject conditions = new JsonObject();
    if (ready != null) {
      conditions.put("ready", ready);
    }
    if (serving != null) {
      conditions.put("serving", serving);
    }
    if (terminating != null) {
      conditions.put("terminating", terminating);
    }
    JsonObject e =
        new JsonObject()
            .put("addresses", new JsonArray().add(address))
            .put("conditions", conditions)
            .put("nodeName", "node-" + zone)
            .put(
                "targetRef",
                new JsonObject()
                    .put("kind", "Pod")
                    .put("namespace", "shop")
                    .put("name", pod)
                    .put("uid", UUID.randomUUID().toString()));
    if (zone != null) {
      e.put("zone", zone);
    }
    return e;
  }

  /**
   * A ready endpoint, as the controller writes it for a running pod that passes its readiness
   * probe.
   */
  public static JsonObject ready(String address, String pod, String zone) {
    return endpoint(address, true, true, false, pod, zone);
  }

  /** A pod being deleted that still serves (ready is false for terminating endpoints). */
  public static JsonObject terminating(String address, String pod, String zone) {
    return endpoint(address, false, true, true, pod, zone);
  }

  public static JsonObject port(String name, int port) {
    return new JsonObject().put("name", name).put("protocol", "TCP").put("port", port);
  }
}
