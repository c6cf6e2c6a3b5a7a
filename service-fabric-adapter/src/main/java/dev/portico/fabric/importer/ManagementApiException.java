package dev.portico.fabric.importer;

import dev.portico.fabric.rest.FabricError;
import java.util.Objects;
import java.util.Set;

/** A failed call to a cluster's management endpoint, by what went wrong. */
public abstract sealed class ManagementApiException extends RuntimeException
    permits ManagementApiException.Unreachable,
        ManagementApiException.TimedOut,
        ManagementApiException.ErrorResponse,
        ManagementApiException.MalformedResponse {

  private static final long serialVersionUID = 1L;

  /** Codes saying the thing asked about does not exist (any more). */
  private static final Set<String> GONE =
      Set.of(
          FabricError.SERVICE_DOES_NOT_EXIST,
          FabricError.APPLICATION_NOT_FOUND,
          FabricError.PARTITION_NOT_FOUND);

  private final String endpoint;
  private final String path;

  ManagementApiException(String endpoint, String path, String message, Throwable cause) {
    super(message + " (GET " + endpoint + path + ")", cause);
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.path = Objects.requireNonNull(path, "path");
  }

  /** The management endpoint called. */
  public String endpoint() {
    return endpoint;
  }

  /** The path and query called. */
  public String path() {
    return path;
  }

  /**
   * No connection could be made, or it broke before a full answer (refused, reset, TLS failure).
   */
  public static final class Unreachable extends ManagementApiException {
    private static final long serialVersionUID = 1L;

    public Unreachable(String endpoint, String path, Throwable cause) {
      super(endpoint, path, "Management endpoint unreachable: " + cause + rootReason(cause), cause);
    }

    /**
     * TLS failures say why only deep down (a certificate check's message); an operator needs that
     * line.
     */
    private static String rootReason(Throwable cause) {
      Throwable root = cause;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String m = root.getMessage();
      return root == cause || m == null || String.valueOf(cause.getMessage()).contains(m)
          ? ""
          : ": " + m;
    }
  }

  /** No full answer within the request timeout. */
  public static final class TimedOut extends ManagementApiException {
    private static final long serialVersionUID = 1L;

    public TimedOut(String endpoint, String path, long timeoutMillis) {
      super(endpoint, path, "No answer within " + timeoutMillis + " ms", null);
    }
  }

  /**
   * A non-2xx answer. {@link #error()} is the parsed FabricError body; its code is empty when the
   * body was not one (a proxy's error page, say).
   */
  public static final class ErrorResponse extends ManagementApiException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient FabricError error;

    public ErrorResponse(String endpoint, String path, int status, FabricError error) {
      super(endpoint, path, "HTTP " + status + describe(error), null);
      this.status = status;
      this.error = error;
    }

    public int status() {
      return status;
    }

    public FabricError error() {
      return error;
    }

    private static String describe(FabricError error) {
      if (!error.code().isEmpty()) {
        return ": " + error;
      }
      if (error.message().isEmpty()) {
        return "";
      }
      String body = error.message().replaceAll("\\s+", " ");
      return " (not a FabricError): "
          + (body.length() > 200 ? body.substring(0, 200) + "..." : body);
    }

    /** Whether the cluster answered with a FabricError code (its own, definite answer). */
    public boolean isFabricError() {
      return !error.code().isEmpty();
    }

    /** The application, service or partition asked about does not exist. */
    public boolean isGone() {
      return GONE.contains(error.code());
    }
  }

  /** A 2xx answer whose body is not the documented JSON (or is larger than allowed). */
  public static final class MalformedResponse extends ManagementApiException {
    private static final long serialVersionUID = 1L;

    public MalformedResponse(String endpoint, String path, String problem, Throwable cause) {
      super(endpoint, path, "Malformed answer: " + problem, cause);
    }
  }
}
