package dev.portico.gateway.openapi;

/**
 * An API's {@code openapi} block: where its OpenAPI document is (exactly one of {@code file} and
 * {@code url}) and what requests are checked against it.
 *
 * @param file a path, relative to the configuration file's directory unless absolute; or {@code
 *     null}
 * @param url an http(s) URL fetched with a timeout and a size cap; or {@code null}
 */
public record OpenApiSource(String file, String url, Validation validation) {

  /** The document as a user wrote it, for messages. */
  public String location() {
    return file != null ? file : url;
  }

  /**
   * APIM's {@code validate-parameters} and {@code validate-content}, from the same document.
   *
   * @param parameters path, query and header parameters against their schemas
   * @param content JSON request bodies against their schemas (the body is buffered, up to {@code
   *     maxBodySize})
   * @param maxBodySize the largest body accepted when {@code content} is on, in bytes; a larger one
   *     is answered 413
   */
  public record Validation(boolean parameters, boolean content, long maxBodySize) {
    public static final long DEFAULT_MAX_BODY_SIZE = 1024 * 1024;
    public static final Validation OFF = new Validation(false, false, DEFAULT_MAX_BODY_SIZE);

    public boolean any() {
      return parameters || content;
    }
  }
}
