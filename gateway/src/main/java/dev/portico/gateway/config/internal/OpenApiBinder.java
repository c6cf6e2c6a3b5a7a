package dev.portico.gateway.config.internal;

import static dev.portico.discovery.json.LenientJson.object;
import static dev.portico.discovery.json.LenientJson.string;

import dev.portico.gateway.config.OperationConfig;
import dev.portico.gateway.document.RootCause;
import dev.portico.gateway.openapi.OpenApiDefinition;
import dev.portico.gateway.openapi.OpenApiException;
import dev.portico.gateway.openapi.OpenApiSource;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code apis[].openapi}: where the document is (a file or an http(s) URL), how requests are
 * validated against it (its fields with the schema's defaults; {@code maxBodySize} a size in bytes,
 * KiB or MiB), the document read and checked, and what an imported API takes from it: its backend
 * (the first server) when it names none, and its operations.
 */
final class OpenApiBinder extends Binding {

  private static final Pattern BODY_SIZE = Pattern.compile("^([0-9]{1,10})\\s*(B|KiB|MiB)?$");

  /** The largest body request validation holds: 64 MiB. */
  private static final long MAX_VALIDATED_BODY = 64L * 1024 * 1024;

  /** Where documents are read from; without it an API naming one is a problem. */
  private OpenApiLoading loading;

  OpenApiBinder(Binding parent) {
    super(parent);
  }

  /** {@code validate}: {@code maxBodySize} is a number of bytes or a size with its unit. */
  private record ValidateFields(boolean parameters, boolean content, Object maxBodySize) {}

  void loading(OpenApiLoading loading) {
    this.loading = loading;
  }

  /**
   * Reads and checks the API's OpenAPI document; its problems are reported at {@code at}, one per
   * line.
   */
  OpenApiDefinition document(String at, JsonObject o) {
    String file = string(o, "file", null);
    String url = string(o, "url", null);
    if ((file == null) == (url == null)) {
      problem(at, "needs exactly one of 'file' (a path) or 'url' (http or https)");
      return null;
    }
    if (url != null) {
      url = namedValues.substitute(at + ".url", url);
      if (!url.regionMatches(true, 0, "http://", 0, 7)
          && !url.regionMatches(true, 0, "https://", 0, 8)) {
        problem(
            at + ".url",
            "'" + url + "' is not an http:// or https:// URL (a local document is a 'file')");
        return null;
      }
    }
    ValidateFields v =
        sections.bindFields(object(o, "validate"), at + ".validate", ValidateFields.class);
    OpenApiSource source =
        new OpenApiSource(
            file,
            url,
            new OpenApiSource.Validation(
                v.parameters(),
                v.content(),
                maxBodySize(at + ".validate.maxBodySize", v.maxBodySize())));
    if (loading == null) {
      problem(at, "OpenAPI documents are not read here");
      return null;
    }
    try {
      return loading.load(source);
    } catch (OpenApiException e) {
      e.problems().forEach(p -> problem(at, p));
      return null;
    } catch (RuntimeException e) {
      // a document Vert.x OpenAPI chokes on in a way of its own: still a problem of this field, not
      // a crash
      problem(at, source.location() + ": cannot be imported: " + RootCause.message(e));
      return null;
    }
  }

  /** A body size: bytes, or a number with B, KiB or MiB; at most {@link #MAX_VALIDATED_BODY}. */
  private long maxBodySize(String at, Object size) {
    long maxBody = OpenApiSource.Validation.DEFAULT_MAX_BODY_SIZE;
    if (size instanceof Number n) {
      maxBody = n.longValue();
    } else if (size instanceof String text) {
      Matcher m = BODY_SIZE.matcher(text.strip());
      if (m.matches()) {
        long unit =
            m.group(2) == null || m.group(2).equals("B")
                ? 1
                : m.group(2).equals("KiB") ? 1024 : 1024 * 1024;
        maxBody = Long.parseLong(m.group(1)) * unit;
      } else {
        problem(at, "'" + text + "' is not a size: bytes, or a number with KiB or MiB (1MiB)");
      }
    }
    if (maxBody < 1 || maxBody > MAX_VALIDATED_BODY) {
      problem(
          at,
          "must be between 1 byte and "
              + MAX_VALIDATED_BODY / (1024 * 1024)
              + " MiB (the body is held in memory while it is checked), got "
              + maxBody);
      maxBody = OpenApiSource.Validation.DEFAULT_MAX_BODY_SIZE;
    }
    return maxBody;
  }

  /** An imported API without a backend of its own goes to the document's first server. */
  String backend(String at, OpenApiDefinition openapi, BackendReferences backends) {
    if (openapi == null) {
      return null; // the document's problem is reported
    }
    if (openapi.serverUrl() == null) {
      problem(at, openapi.serverProblem());
      return null;
    }
    return backends.implicit(at, openapi.serverUrl());
  }

  /**
   * The document's operations are the API's: an API that also lists {@code operations} is refused,
   * since two lists of the same thing would disagree sooner or later.
   */
  void operations(
      String at,
      OpenApiDefinition openapi,
      JsonArray configured,
      List<OperationConfig> operations) {
    if (!configured.isEmpty()) {
      problem(
          at + ".operations",
          "an API imported from OpenAPI (openapi) takes its operations from the document:"
              + " drop 'operations', or drop 'openapi' and list them all");
      return;
    }
    if (openapi != null) {
      openapi
          .operations()
          .forEach(
              op ->
                  operations.add(
                      new OperationConfig(
                          op.id(),
                          op.method(),
                          op.path(),
                          null,
                          null,
                          PolicyScopeConfig.INHERIT,
                          null,
                          false)));
    }
  }
}
