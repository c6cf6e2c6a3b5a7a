package dev.portico.discovery.sources.internal;

import dev.portico.discovery.InstanceStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the endpoints of one EndpointSlice ({@code discovery.k8s.io/v1}) as the API reference
 * defines it: an endpoint's first address (the others are fungible), the port chosen by name, and
 * the conditions with their documented defaults (ready unknown = ready, serving unknown = ready,
 * terminating unknown = not terminating).
 */
final class EndpointSlices {

  private EndpointSlices() {}

  /**
   * One endpoint of a slice at one port.
   *
   * @param status UP when ready; OUT_OF_SERVICE when terminating (draining: no new requests, kept
   *     visible until it leaves the slice); DOWN when not ready for another reason
   */
  record SliceEndpoint(
      String address,
      int port,
      InstanceStatus status,
      boolean ready,
      boolean serving,
      boolean terminating,
      String zone,
      String nodeName,
      String pod,
      String hostname) {}

  /**
   * What one slice contributes; {@code problem} says why it contributes nothing (e.g. no such
   * port).
   */
  record Contribution(List<SliceEndpoint> endpoints, String problem) {}

  static String name(JsonObject slice) {
    JsonObject metadata = slice.getJsonObject("metadata");
    return metadata == null ? null : metadata.getString("name");
  }

  static String resourceVersion(JsonObject object) {
    JsonObject metadata = object.getJsonObject("metadata");
    return metadata == null ? null : metadata.getString("resourceVersion");
  }

  static Contribution read(JsonObject slice, String addressType, String portName) {
    if (!addressType.equals(slice.getString("addressType"))) {
      return new Contribution(List.of(), null); // the other IP family of a dual-stack Service
    }
    JsonArray ports = slice.getJsonArray("ports", new JsonArray());
    Integer port = null;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      JsonObject p = ports.getJsonObject(i);
      String name = p.getString("name", "");
      names.add(name.isEmpty() ? "(unnamed)" : name);
      boolean matches = portName == null ? ports.size() == 1 : portName.equals(name);
      if (matches
          && "TCP".equals(p.getString("protocol", "TCP"))
          && p.getValue("port") instanceof Number n) {
        port = n.intValue();
      }
    }
    JsonArray endpoints = slice.getJsonArray("endpoints", new JsonArray());
    if (port == null || port < 1 || port > 65535) {
      return new Contribution(
          List.of(),
          endpoints.isEmpty()
              ? null
              : (portName == null
                  ? "has ports " + names + ": name the one to use (port)"
                  : "has no TCP port named '" + portName + "' (ports: " + names + ")"));
    }
    List<SliceEndpoint> out = new ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      JsonObject e = endpoints.getJsonObject(i);
      JsonArray addresses = e.getJsonArray("addresses", new JsonArray());
      if (addresses.isEmpty()) {
        continue;
      }
      JsonObject c = e.getJsonObject("conditions", new JsonObject());
      boolean ready = c.getBoolean("ready", true);
      boolean serving = c.getBoolean("serving", ready);
      boolean terminating = c.getBoolean("terminating", false);
      InstanceStatus status =
          terminating
              ? InstanceStatus.OUT_OF_SERVICE
              : ready ? InstanceStatus.UP : InstanceStatus.DOWN;
      JsonObject target = e.getJsonObject("targetRef");
      out.add(
          new SliceEndpoint(
              addresses.getString(0),
              port,
              status,
              ready,
              serving,
              terminating,
              e.getString("zone"),
              e.getString("nodeName"),
              target == null ? null : target.getString("name"),
              e.getString("hostname")));
    }
    return new Contribution(out, null);
  }
}
