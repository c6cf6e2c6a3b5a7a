package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * APIM's {@code set-header}: sets, appends, keeps or deletes a header of the request to the backend
 * (APIM's inbound section) or of the response to the client (outbound).
 *
 * @param name the header's name (required)
 * @param existsAction {@code override} (default), {@code skip} (only when absent), {@code append},
 *     {@code delete}
 * @param value one value or a list (one field line each); templates ({@code {{named-value}}},
 *     {@code {claim.sub}}, {@code {header.X}}, {@code {path.id}}, ...); required except for delete
 * @param direction {@code request} (default) or {@code response}
 */
public record SetHeaderConfig(
    String name,
    @JsonProperty("exists-action") String existsAction,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> value,
    String direction)
    implements PolicyConfig {

  public static final String NAME = "set-header";

  public SetHeaderConfig {
    existsAction = existsAction == null ? "override" : existsAction;
    value = value == null ? List.of() : List.copyOf(value);
    direction = direction == null ? "request" : direction;
  }

  @Override
  public String policyName() {
    return NAME;
  }

  @Override
  public void validate(String at, Problems problems) {
    if (name == null) {
      problems.add(at + ".name", "required field is missing");
    } else if (!Validation.isToken(name)) {
      problems.add(
          at + ".name",
          "'" + name + "' is not a valid header name (RFC 9110 token characters only)");
    } else if (Validation.isProtected(name)) {
      problems.add(
          at + ".name",
          "'"
              + name
              + "' belongs to the gateway (framing and connection headers"
              + " cannot be set or removed by a policy)");
    }
    Validation.oneOf(
        at + ".exists-action", existsAction, problems, "override", "skip", "append", "delete");
    Validation.oneOf(at + ".direction", direction, problems, "request", "response");
    if (!"delete".equals(existsAction) && value.isEmpty()) {
      problems.add(at + ".value", "required unless exists-action is delete");
    }
    if ("delete".equals(existsAction) && !value.isEmpty()) {
      problems.add(at + ".value", "a delete takes no value");
    }
    for (int i = 0; i < value.size(); i++) {
      String v = value.get(i);
      for (int j = 0; j < v.length(); j++) {
        char c = v.charAt(j);
        if (c < 0x20 && c != '\t' || c == 0x7f) {
          problems.add(
              at + ".value[" + i + "]",
              "control characters (such as a line break) are not allowed in a header value");
          break;
        }
      }
    }
  }
}
