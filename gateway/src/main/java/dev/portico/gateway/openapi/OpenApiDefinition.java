package dev.portico.gateway.openapi;

import io.vertx.openapi.contract.OpenAPIContract;
import java.util.List;
import java.util.Objects;

/**
 * What an API imported from its OpenAPI document: the operations, the backend URL the document's
 * first server names, and (when the API validates requests) the parsed contract.
 *
 * <p>Two definitions are equal when they come from the same document with the same content and
 * settings: a reload that re-reads an unchanged document changes nothing, one whose document
 * changed swaps the API.
 *
 * @param document the document as configured (file path or URL), for messages
 * @param digest SHA-256 of the document and every file it refers to, as read
 * @param operations one per path and method, in document order
 * @param serverUrl {@code servers[0].url} with its variables substituted and resolved, or {@code
 *     null}
 * @param serverProblem why there is no usable server URL (a problem only for an API that names no
 *     backend), or {@code null}
 * @param contract the resolved contract, for request validation; {@code null} when the API
 *     validates nothing
 */
public record OpenApiDefinition(
    String document,
    String digest,
    List<Operation> operations,
    String serverUrl,
    String serverProblem,
    OpenApiSource.Validation validation,
    OpenAPIContract contract) {

  public OpenApiDefinition {
    operations = List.copyOf(operations);
  }

  /**
   * One operation of the document.
   *
   * @param id the document's {@code operationId}, else {@code METHOD path} (as for configured
   *     operations)
   * @param method upper case, e.g. {@code GET}
   * @param path the path template, e.g. {@code /orders/{id}}
   */
  public record Operation(String id, String method, String path) {}

  @Override
  public boolean equals(Object o) {
    // the contract is derived from the document: comparing the digest compares it
    return o instanceof OpenApiDefinition d
        && document.equals(d.document)
        && digest.equals(d.digest)
        && operations.equals(d.operations)
        && Objects.equals(serverUrl, d.serverUrl)
        && Objects.equals(serverProblem, d.serverProblem)
        && validation.equals(d.validation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(document, digest, validation);
  }
}
