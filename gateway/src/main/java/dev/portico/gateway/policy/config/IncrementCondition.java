package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * When a request counts against a limit: its final status is in one of the ranges. APIM writes the
 * condition as a C# expression; the common use is on the status ({@code context.Response.StatusCode
 * >= 200 && < 400}), which this is. Counted when the response is known.
 */
public record IncrementCondition(
    @JsonProperty("status-code-ranges") List<StatusCodeRange> statusCodeRanges) {

  public IncrementCondition {
    statusCodeRanges = statusCodeRanges == null ? List.of() : List.copyOf(statusCodeRanges);
  }

  public boolean matches(int status) {
    for (StatusCodeRange r : statusCodeRanges) {
      if (r.contains(status)) {
        return true;
      }
    }
    return false;
  }
}
