package dev.portico.gateway.pipeline;

import dev.portico.gateway.edge.RequestRefused;
import dev.portico.gateway.openapi.OperationValidation;
import dev.portico.gateway.routing.Route;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.RequestBody;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * APIM's {@code validate-parameters} and {@code validate-content} for an API imported from OpenAPI
 * ({@code apis[].openapi.validate}): after the route match, before anything reaches the backend,
 * the request's parameters and JSON body are checked against the operation with Vert.x OpenAPI. A
 * violation is answered 400 ({@code RequestValidationFailed}); a body over the cap 413. The request
 * stays paused meanwhile; a body is read only when content validation is on and the operation takes
 * one, bounded by the cap, and that buffered body is what is forwarded.
 *
 * <p>Schema validation runs on a worker thread (as Vert.x OpenAPI's own validator does): a large
 * JSON body must not hold up the event loop's other connections.
 */
final class RequestValidation implements Stage {

  @Override
  public void apply(RequestContext rc) {
    // a preflight only the policies answer is not validated
    if (rc.route.validation() == null || rc.unlessLetThrough != null) {
      rc.next();
      return;
    }
    check(rc, rc.path.substring(rc.route.prefixLength()));
  }

  /**
   * Checks the request against its route's validation; then goes on (on the request's event loop)
   * with the body read, or {@code null} when the body was left to stream; or refuses it.
   *
   * @param rest the request path after the API prefix (where the path parameters are)
   */
  private static void check(RequestContext rc, String rest) {
    HttpServerRequest req = rc.req;
    Route route = rc.route;
    OperationValidation v = route.validation();
    rc.pause();
    if (!v.readsBody()) {
      validate(rc, v, rest, null);
      return;
    }
    long max = v.settings().maxBodySize();
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && (length.length() > 18 || Long.parseLong(length) > max)) {
      tooLarge(rc, max);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] over = {false};
    req.handler(
        chunk -> {
          if (over[0]) {
            return;
          }
          if (body.length() + chunk.length() > max) {
            over[0] = true;
            tooLarge(rc, max);
            return;
          }
          body.appendBuffer(chunk);
        });
    // a body that breaks off (the client left, a malformed chunk, a pause past requestBodyIdle) is
    // not forwarded
    req.exceptionHandler(
        e -> {
          if (!over[0]) {
            over[0] = true;
            rc.reject(
                e instanceof RequestRefused r
                    ? Failure.of(r)
                    : new Failure.ClientConnectionFailure(
                        "the request body broke off while it was read for validation: "
                            + e.getMessage()));
          }
        });
    req.endHandler(
        end -> {
          if (!over[0]) {
            req.handler(null);
            validate(rc, v, rest, body);
          }
        });
    req.resume();
  }

  private static void tooLarge(RequestContext rc, long max) {
    rc.reject(
        new Failure.RequestTooLarge(
            413,
            "the request body is larger than "
                + max
                + " bytes, the most API '"
                + rc.route.apiId()
                + "' validates (apis[].openapi.validate.maxBodySize)"));
  }

  private static void validate(RequestContext rc, OperationValidation v, String rest, Buffer body) {
    HttpServerRequest req = rc.req;
    Route route = rc.route;
    Vertx vertx = rc.listener.vertx();
    // query, header and cookie values as Vert.x OpenAPI reads them (styles, explode); the path
    // parameters from the gateway's own match, since the API's prefix is the gateway's, not the
    // document's
    RequestUtils.extract(req, v.operation(), () -> Future.succeededFuture(body))
        .compose(
            extracted ->
                vertx.executeBlocking(
                    () -> {
                      run(vertx, v, req.getHeader(HttpHeaders.CONTENT_TYPE), extracted, rest, body);
                      return null;
                    },
                    false))
        .onComplete(
            ar -> {
              if (req.response().closed()) {
                rc.reject(
                    new Failure.ClientConnectionFailure(
                        "the client went away while its request was validated"));
              } else if (ar.succeeded()) {
                rc.body = body;
                rc.next();
              } else {
                String detail =
                    ar.cause() instanceof ValidatorException e
                        ? detail(e)
                        : "cannot validate the request: " + ar.cause().getMessage();
                rc.reject(
                    new Failure.RequestValidationFailed(
                        detail
                            + " (operation '"
                            + route.operationId()
                            + "' of API '"
                            + route.apiId()
                            + "')"));
              }
            });
  }

  /** Keywords that only apply other schemas: their complaint repeats a more precise one. */
  private static final java.util.Set<String> APPLICATORS =
      java.util.Set.of(
          "properties",
          "additionalProperties",
          "patternProperties",
          "items",
          "prefixItems",
          "allOf",
          "anyOf",
          "oneOf",
          "not",
          "$ref",
          "unevaluatedProperties",
          "unevaluatedItems",
          "dependentSchemas",
          "if",
          "then",
          "else",
          "contains");

  /**
   * The detail of a violation: what is wrong with which value (JSON pointer into the body, or the
   * parameter), and the schema keyword it broke ({@code minimum}, {@code pattern}, {@code required}
   * ...). Vert.x OpenAPI reports the last complaint, which for a nested value is often an
   * applicator's ("does not match additional properties schema"); the most precise one is chosen.
   */
  private static String detail(ValidatorException e) {
    if (!(e instanceof SchemaValidationException s)
        || s.getOutputUnit() == null
        || s.getOutputUnit().getErrors() == null
        || s.getOutputUnit().getErrors().isEmpty()) {
      return e.getMessage();
    }
    List<OutputUnit> errors = s.getOutputUnit().getErrors();
    OutputUnit best = null;
    int bestDepth = -1;
    for (OutputUnit u : errors) {
      String keyword = keyword(u);
      int depth =
          u.getInstanceLocation() == null ? 0 : u.getInstanceLocation().split("/", -1).length;
      if (!APPLICATORS.contains(keyword) && depth > bestDepth) {
        best = u;
        bestDepth = depth;
      }
    }
    if (best == null) {
      best = errors.get(errors.size() - 1);
    }
    String message = e.getMessage();
    int reason = message.indexOf(" Reason: ");
    String what = reason < 0 ? message : message.substring(0, reason);
    String location = best.getInstanceLocation();
    return what
        + " Reason: "
        + best.getError()
        + (location != null && location.length() > 1 ? " at " + location : "")
        + " [schema rule: "
        + keyword(best)
        + "]";
  }

  private static String keyword(OutputUnit u) {
    String k = u.getKeywordLocation();
    return k == null ? "" : k.substring(k.lastIndexOf('/') + 1);
  }

  /** On a worker thread: throws {@link ValidatorException} at the first violation. */
  private static void run(
      Vertx vertx,
      OperationValidation v,
      String contentType,
      ValidatableRequest extracted,
      String rest,
      Buffer body) {
    RequestValidatorImpl validator = new RequestValidatorImpl(vertx, v.contract());
    if (v.settings().parameters()) {
      String[] segments = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
      for (Parameter p : v.operation().getParameters()) {
        RequestParameter value =
            switch (p.getIn()) {
              case PATH -> {
                Integer i = v.pathSegments().get(p.getName());
                yield new RequestParameterImpl(
                    i == null || i < 0 || i >= segments.length
                        ? null
                        : URLDecoder.decode(
                            segments[i].replace("+", "%2B"), StandardCharsets.UTF_8));
              }
              case QUERY -> extracted.getQuery().get(p.getName());
              case HEADER -> extracted.getHeaders().get(p.getName());
              case COOKIE -> extracted.getCookies().get(p.getName());
            };
        validator.validateParameter(p, value);
      }
    }
    if (v.settings().content() && v.operation().getRequestBody() != null) {
      validateBody(validator, v.operation().getRequestBody(), contentType, body);
    }
  }

  /**
   * JSON bodies are checked against their schema; a body of a type the operation does not declare
   * is refused; one of a declared non-JSON type (a file upload, a form) is forwarded as is.
   */
  private static void validateBody(
      RequestValidatorImpl validator, RequestBody rb, String contentType, Buffer body) {
    boolean empty = body == null || body.length() == 0;
    if (empty) {
      if (rb.isRequired()) {
        throw new ValidatorException(
            "the request body is required and missing",
            io.vertx.openapi.validation.ValidatorErrorType.MISSING_REQUIRED_PARAMETER);
      }
      return;
    }
    MediaType media = contentType == null ? null : rb.determineContentType(contentType);
    if (media == null) {
      throw new ValidatorException(
          "the request body's Content-Type "
              + (contentType == null
                  ? "is missing"
                  : "'" + contentType + "' is not one the operation takes")
              + " (it takes: "
              + String.join(", ", rb.getContent().keySet())
              + ")",
          io.vertx.openapi.validation.ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT);
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    int semi = type.indexOf(';');
    String essence = (semi < 0 ? type : type.substring(0, semi)).strip();
    if (!essence.equals("application/json") && !essence.endsWith("+json")) {
      return;
    }
    Map<String, RequestParameter> none = new HashMap<>();
    validator.validateBody(
        rb,
        new ValidatableRequestImpl(
            none, none, none, none, new RequestParameterImpl(body), contentType));
  }
}
