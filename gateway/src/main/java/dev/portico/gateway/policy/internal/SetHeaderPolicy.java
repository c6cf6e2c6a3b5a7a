package dev.portico.gateway.policy.internal;

import dev.portico.gateway.policy.HeaderEdits;
import dev.portico.gateway.policy.Policy;
import dev.portico.gateway.policy.PolicyOutcome;
import dev.portico.gateway.policy.PolicyRequest;
import dev.portico.gateway.policy.config.SetHeaderConfig;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code set-header}: one header edit of the request to the backend or of the response to the
 * client. Values are templates evaluated per request; constant values make one edit at compile
 * time, shared by every request. A value that evaluates empty, or to text with control characters
 * (a claim or query value carrying a line break), is left out rather than sent; when every value is
 * left out, the header is not touched.
 */
public final class SetHeaderPolicy implements Policy {

  private final String location;
  private final String header;
  private final HeaderEdits.Op op;
  private final Template[] values;
  private final boolean response;
  private final PolicyOutcome constant;

  public SetHeaderPolicy(String location, SetHeaderConfig config, List<Template> values) {
    this.location = location;
    this.header = config.name();
    this.op =
        switch (config.existsAction()) {
          case "skip" -> HeaderEdits.Op.SET_IF_ABSENT;
          case "append" -> HeaderEdits.Op.APPEND;
          case "delete" -> HeaderEdits.Op.REMOVE;
          default -> HeaderEdits.Op.SET;
        };
    this.values = values.toArray(new Template[0]);
    this.response = "response".equals(config.direction());
    boolean allConstant = true;
    for (Template t : this.values) {
      allConstant &= t.isConstant();
    }
    this.constant = allConstant ? outcome(edit(null)) : null;
  }

  @Override
  public String name() {
    return SetHeaderConfig.NAME;
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Future<PolicyOutcome> apply(PolicyRequest request) {
    if (constant != null) {
      return PolicyOutcome.now(constant);
    }
    return PolicyOutcome.now(outcome(edit(request)));
  }

  private HeaderEdits edit(PolicyRequest request) {
    if (op == HeaderEdits.Op.REMOVE) {
      return HeaderEdits.of(new HeaderEdits.Edit(op, header, List.of()));
    }
    List<String> out = new ArrayList<>(values.length);
    for (Template t : values) {
      String v = request == null ? t.constant() : t.evaluate(request);
      if (!v.isEmpty() && clean(v)) {
        out.add(v);
      }
    }
    return out.isEmpty() ? HeaderEdits.NONE : HeaderEdits.of(new HeaderEdits.Edit(op, header, out));
  }

  private PolicyOutcome outcome(HeaderEdits edits) {
    return response
        ? PolicyOutcome.Continue.withResponseHeaders(edits)
        : PolicyOutcome.Continue.withRequestHeaders(edits);
  }

  private static boolean clean(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return name()
        + " at "
        + location
        + " ("
        + header
        + ", "
        + op
        + ", "
        + (response ? "response" : "request")
        + ")";
  }
}
