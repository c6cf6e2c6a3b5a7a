package dev.portico.gateway.policy.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds a scope's {@code policies} list from the configuration tree onto {@link PolicyScopeConfig}
 * with Jackson, then checks each policy's configuration. Every problem is collected as (field path,
 * reason), one run reporting them all, for the configuration loader's "FILE: field.path: reason".
 *
 * <pre>
 * policies:                      # a list; each entry is one policy, or the word base
 *   - base                       # the enclosing scope's policies run here (else: first)
 *   - rate-limit-by-key:         # policy name: its configuration
 *       calls: 100
 *       renewal-period: 60
 * inheritPolicies: false         # beside policies, on an API or operation: the enclosing scope's do not run
 * </pre>
 */
public final class PolicyConfigBinder {

  /** The policies by their configuration name. */
  public static final Map<String, Class<? extends PolicyConfig>> POLICIES;

  static {
    Map<String, Class<? extends PolicyConfig>> m = new LinkedHashMap<>();
    m.put(RateLimitByKeyConfig.NAME, RateLimitByKeyConfig.class);
    m.put(QuotaByKeyConfig.NAME, QuotaByKeyConfig.class);
    m.put(ValidateJwtConfig.NAME, ValidateJwtConfig.class);
    m.put(CorsConfig.NAME, CorsConfig.class);
    m.put(SetHeaderConfig.NAME, SetHeaderConfig.class);
    m.put(RewriteUriConfig.NAME, RewriteUriConfig.class);
    m.put(IpFilterConfig.NAME, IpFilterConfig.class);
    POLICIES = java.util.Collections.unmodifiableMap(m);
  }

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private PolicyConfigBinder() {}

  /**
   * Binds one scope.
   *
   * @param at field path of the list ({@code policies}, {@code apis[0].policies}, ...)
   * @param policies the list as parsed: a Vert.x {@link JsonArray}, a {@link List}, a Jackson
   *     {@link JsonNode}, or {@code null} when the scope has none
   * @param inherit the scope's {@code inheritPolicies} ({@code null}: true); the global scope
   *     passes {@code null}
   * @param global whether this is the global scope (which has nothing to inherit: {@code base} is a
   *     problem there)
   * @param problems where problems are added
   */
  public static PolicyScopeConfig bindScope(
      String at, Object policies, Boolean inherit, boolean global, List<PolicyProblem> problems) {
    JsonNode list = tree(policies);
    boolean inherits = inherit == null || inherit;
    if (list == null || list.isNull()) {
      return inherits ? PolicyScopeConfig.INHERIT : new PolicyScopeConfig(false, List.of());
    }
    if (!list.isArray()) {
      problems.add(new PolicyProblem(at, "must be a list of policies"));
      return PolicyScopeConfig.INHERIT;
    }
    List<PolicyScopeConfig.Entry> entries = new ArrayList<>();
    boolean base = false;
    for (int i = 0; i < list.size(); i++) {
      String eat = at + "[" + i + "]";
      JsonNode item = list.get(i);
      if (item.isTextual() && item.asText().equals("base")) {
        if (global) {
          problems.add(
              new PolicyProblem(
                  eat,
                  "the global scope has no enclosing scope: 'base' belongs in an API's"
                      + " or an operation's policies"));
        } else if (!inherits) {
          problems.add(
              new PolicyProblem(eat, "'base' contradicts inheritPolicies: false; drop one"));
        } else if (base) {
          problems.add(new PolicyProblem(eat, "'base' may appear once"));
        } else {
          entries.add(new PolicyScopeConfig.Base());
        }
        base = true;
        continue;
      }
      if (!(item instanceof ObjectNode obj) || obj.size() != 1) {
        problems.add(
            new PolicyProblem(
                eat,
                "each entry is 'base' or one policy as {name: configuration}; policies are "
                    + String.join(", ", POLICIES.keySet())));
        continue;
      }
      Map.Entry<String, JsonNode> only = obj.fields().next();
      String name = only.getKey();
      Class<? extends PolicyConfig> type = POLICIES.get(name);
      if (type == null) {
        problems.add(
            new PolicyProblem(
                eat + "." + name,
                "unknown policy '"
                    + name
                    + "'; policies are "
                    + String.join(", ", POLICIES.keySet())));
        continue;
      }
      String pat = eat + "." + name;
      PolicyConfig config = bind(pat, only.getValue(), type, problems);
      if (config != null) {
        int before = problems.size();
        config.validate(pat, (path, reason) -> problems.add(new PolicyProblem(path, reason)));
        if (problems.size() == before) {
          entries.add(new PolicyScopeConfig.Configured(pat, config));
        }
      }
    }
    return new PolicyScopeConfig(inherits, entries);
  }

  /**
   * Binds one policy's configuration; {@code null} (and a problem) when it does not fit the record.
   */
  public static <T extends PolicyConfig> T bind(
      String at, JsonNode value, Class<T> type, List<PolicyProblem> problems) {
    JsonNode v = value == null || value.isNull() ? MAPPER.createObjectNode() : value;
    if (!v.isObject()) {
      problems.add(new PolicyProblem(at, "must be an object with the policy's fields"));
      return null;
    }
    try {
      return MAPPER.treeToValue(v, type);
    } catch (UnrecognizedPropertyException e) {
      problems.add(new PolicyProblem(path(at, e), "unknown field (allowed: " + known(e) + ")"));
    } catch (JsonMappingException e) {
      problems.add(new PolicyProblem(path(at, e), reason(e)));
    } catch (Exception e) {
      problems.add(new PolicyProblem(at, String.valueOf(e.getMessage())));
    }
    return null;
  }

  private static String known(UnrecognizedPropertyException e) {
    List<String> names = new ArrayList<>();
    if (e.getKnownPropertyIds() != null) {
      e.getKnownPropertyIds().forEach(o -> names.add(String.valueOf(o)));
    }
    names.sort(null);
    return String.join(", ", names);
  }

  private static String path(String at, JsonMappingException e) {
    StringBuilder sb = new StringBuilder(at);
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        sb.append('.').append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String reason(JsonMappingException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      return "has the wrong type";
    }
    // Jackson's messages name Java types; keep the part a user can act on
    if (m.startsWith("Cannot deserialize value of type")) {
      int from = m.indexOf("from ");
      return "has the wrong type"
          + (from > 0
              ? " (got " + m.substring(from + 5).split(" ")[0].replace("`", "").toLowerCase() + ")"
              : "");
    }
    return m;
  }

  private static JsonNode tree(Object raw) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof JsonNode n) {
      return n;
    }
    try {
      if (raw instanceof JsonArray a) {
        return MAPPER.readTree(a.encode());
      }
      if (raw instanceof JsonObject o) {
        return MAPPER.readTree(o.encode());
      }
      if (raw instanceof String s) {
        return MAPPER.getNodeFactory().textNode(s);
      }
      return MAPPER.readTree(io.vertx.core.json.Json.encode(raw));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
