package dev.portico.fabric.rest;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;

/**
 * A Service Fabric REST error, {@code {"Error":{"Code":"FABRIC_E_…","Message":"…"}}}. Parsing never
 * fails: an error body is read while something else already went wrong, so a missing field becomes
 * an empty string and a body that is not JSON becomes the message.
 */
public record FabricError(String code, String message) {

  public static final String INVALID_PARTITION_KEY = "FABRIC_E_INVALID_PARTITION_KEY";
  public static final String INVALID_NAME_URI = "FABRIC_E_INVALID_NAME_URI";
  public static final String SERVICE_DOES_NOT_EXIST = "FABRIC_E_SERVICE_DOES_NOT_EXIST";
  public static final String APPLICATION_NOT_FOUND = "FABRIC_E_APPLICATION_NOT_FOUND";
  public static final String PARTITION_NOT_FOUND = "FABRIC_E_PARTITION_NOT_FOUND";
  public static final String SERVICE_OFFLINE = "FABRIC_E_SERVICE_OFFLINE";
  public static final String NOT_PRIMARY = "FABRIC_E_NOT_PRIMARY";
  public static final String NOT_READY = "FABRIC_E_NOT_READY";
  public static final String RECONFIGURATION_PENDING = "FABRIC_E_RECONFIGURATION_PENDING";
  public static final String COMMUNICATION_ERROR = "FABRIC_E_COMMUNICATION_ERROR";
  public static final String OPERATION_NOT_COMPLETE = "FABRIC_E_OPERATION_NOT_COMPLETE";
  public static final String TIMEOUT = "FABRIC_E_TIMEOUT";

  /** The status for a code Portico does not know. */
  public static final int UNKNOWN_STATUS = 500;

  private static final Map<String, Integer> STATUS =
      Map.ofEntries(
          Map.entry(INVALID_PARTITION_KEY, 400),
          Map.entry(INVALID_NAME_URI, 400),
          Map.entry(SERVICE_DOES_NOT_EXIST, 404),
          Map.entry(APPLICATION_NOT_FOUND, 404),
          Map.entry(PARTITION_NOT_FOUND, 404),
          Map.entry(SERVICE_OFFLINE, 503),
          Map.entry(NOT_PRIMARY, 503),
          Map.entry(NOT_READY, 503),
          Map.entry(RECONFIGURATION_PENDING, 503),
          Map.entry(COMMUNICATION_ERROR, 504),
          Map.entry(OPERATION_NOT_COMPLETE, 504),
          Map.entry(TIMEOUT, 504));

  public FabricError {
    code = Objects.requireNonNullElse(code, "");
    message = Objects.requireNonNullElse(message, "");
  }

  /** Reads an error body; anything that is not the expected JSON is kept as the message. */
  public static FabricError parse(String body) {
    if (body == null || body.isBlank()) {
      return new FabricError("", "");
    }
    try {
      return fromJson(new JsonObject(body));
    } catch (DecodeException e) {
      return new FabricError("", body.strip());
    }
  }

  /** Reads {@code {"Error":{...}}}, or a bare {@code {"Code":..,"Message":..}}. */
  public static FabricError fromJson(JsonObject json) {
    if (json == null) {
      return new FabricError("", "");
    }
    Object error = json.getValue("Error");
    JsonObject fields = error instanceof JsonObject ? (JsonObject) error : json;
    return new FabricError(text(fields.getValue("Code")), text(fields.getValue("Message")));
  }

  private static String text(Object v) {
    // Codes are strings in today's API; anything else is shown, not dropped.
    return v == null ? "" : v instanceof String ? (String) v : String.valueOf(v);
  }

  /** The HTTP status Service Fabric gives the code: 400, 404, 503, 504, or 500 when unknown. */
  public static int httpStatusOf(String code) {
    Integer status = code == null ? null : STATUS.get(code);
    return status == null ? UNKNOWN_STATUS : status;
  }

  public int httpStatus() {
    return httpStatusOf(code);
  }

  /** Whether the code is one of those mapped above. */
  public boolean isKnown() {
    return STATUS.containsKey(code);
  }

  /**
   * 503 and 504 codes: the partition is moving or the cluster is slow; resolving again may help.
   */
  public boolean isTransient() {
    int status = httpStatus();
    return status == 503 || status == 504;
  }

  @Override
  public String toString() {
    return (code.isEmpty() ? "FabricError" : code) + (message.isEmpty() ? "" : ": " + message);
  }
}
