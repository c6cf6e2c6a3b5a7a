package dev.portico.gateway.policy;

import dev.portico.gateway.policy.config.CorsConfig;
import dev.portico.gateway.policy.config.IpFilterConfig;
import dev.portico.gateway.policy.config.PolicyConfig;
import dev.portico.gateway.policy.config.PolicyProblem;
import dev.portico.gateway.policy.config.PolicyScopeConfig;
import dev.portico.gateway.policy.config.QuotaByKeyConfig;
import dev.portico.gateway.policy.config.RateLimitByKeyConfig;
import dev.portico.gateway.policy.config.RewriteUriConfig;
import dev.portico.gateway.policy.config.SetHeaderConfig;
import dev.portico.gateway.policy.config.ValidateJwtConfig;
import dev.portico.gateway.policy.internal.CorsPolicy;
import dev.portico.gateway.policy.internal.IpFilterPolicy;
import dev.portico.gateway.policy.internal.IpRanges;
import dev.portico.gateway.policy.internal.JwksSource;
import dev.portico.gateway.policy.internal.JwtPolicy;
import dev.portico.gateway.policy.internal.QuotaPolicy;
import dev.portico.gateway.policy.internal.RateLimitPolicy;
import dev.portico.gateway.policy.internal.RewriteUriPolicy;
import dev.portico.gateway.policy.internal.SetHeaderPolicy;
import dev.portico.gateway.policy.internal.Template;
import dev.portico.gateway.policy.internal.TemplateException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.impl.jose.JWK;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns bound policy configurations into compiled {@link Policy} objects: templates parsed, address
 * ranges built, keys loaded, named values substituted. Whatever cannot be compiled is a {@link
 * PolicyProblem} at the field that holds it (a bad CIDR at {@code ...addresses[2]}, a bad template
 * at {@code ...value[0]}); a policy with a problem is left out.
 */
public final class PolicyCompiler {

  private final PolicyEnvironment env;

  public PolicyCompiler(PolicyEnvironment env) {
    this.env = env;
  }

  /**
   * Compiles one scope's policies.
   *
   * @param pathParameters the operation's path parameters when this is an operation's scope
   *     (templates naming others are problems), or {@code null} when unknown (global, API)
   */
  public CompiledScope compile(
      PolicyScopeConfig scope, Set<String> pathParameters, List<PolicyProblem> problems) {
    List<Object> entries = new ArrayList<>();
    for (PolicyScopeConfig.Entry e : scope.entries()) {
      if (e instanceof PolicyScopeConfig.Base) {
        entries.add(CompiledScope.BASE);
      } else if (e instanceof PolicyScopeConfig.Configured c) {
        Policy p = compile(c.path(), c.config(), pathParameters, problems);
        if (p != null) {
          entries.add(p);
        }
      }
    }
    return new CompiledScope(scope.inherit(), entries);
  }

  /** Compiles one policy; {@code null} when it has problems (added to {@code problems}). */
  public Policy compile(
      String at, PolicyConfig config, Set<String> pathParameters, List<PolicyProblem> problems) {
    int before = problems.size();
    Policy p;
    if (config instanceof RateLimitByKeyConfig c) {
      Template key = template(at + ".counter-key", c.counterKey(), pathParameters, problems);
      storeAvailable(at, c.store().redis(), problems);
      p = key == null ? null : new RateLimitPolicy(at, c, key, env);
    } else if (config instanceof QuotaByKeyConfig c) {
      Template key = template(at + ".counter-key", c.counterKey(), pathParameters, problems);
      storeAvailable(at, c.store().redis(), problems);
      p = key == null ? null : new QuotaPolicy(at, c, key, env);
    } else if (config instanceof ValidateJwtConfig c) {
      p = jwt(at, c, problems);
    } else if (config instanceof CorsConfig c) {
      p = new CorsPolicy(at, c);
    } else if (config instanceof SetHeaderConfig c) {
      List<Template> values = new ArrayList<>();
      for (int i = 0; i < c.value().size(); i++) {
        values.add(template(at + ".value[" + i + "]", c.value().get(i), pathParameters, problems));
      }
      p = values.contains(null) ? null : new SetHeaderPolicy(at, c, values);
    } else if (config instanceof RewriteUriConfig c) {
      p = rewrite(at, c, pathParameters, problems);
    } else if (config instanceof IpFilterConfig c) {
      p = ipFilter(at, c, problems);
    } else {
      throw new IllegalArgumentException("unknown policy configuration " + config);
    }
    return problems.size() == before ? p : null;
  }

  private void storeAvailable(String at, boolean redis, List<PolicyProblem> problems) {
    if (redis && !env.hasRedis()) {
      problems.add(
          new PolicyProblem(
              at + ".store.type",
              "'redis' needs a Redis server: the fleet-wide store is the"
                  + " shared registry's Redis (registry.backend: redis)"));
    }
  }

  private Template template(
      String at, String source, Set<String> pathParameters, List<PolicyProblem> problems) {
    try {
      Template t = Template.compile(source, env.namedValues(), env.trustedProxyDepth());
      if (pathParameters != null) {
        for (String p : t.pathParameters()) {
          if (!pathParameters.contains(p)) {
            problems.add(
                new PolicyProblem(
                    at,
                    "path parameter {"
                        + p
                        + "} is not in the operation's template"
                        + (pathParameters.isEmpty()
                            ? " (it has none)"
                            : " (it has "
                                + String.join(", ", new TreeSet<>(pathParameters))
                                + ")")));
            return null;
          }
        }
      }
      return t;
    } catch (TemplateException e) {
      problems.add(new PolicyProblem(at, e.getMessage()));
      return null;
    }
  }

  private Policy rewrite(
      String at, RewriteUriConfig c, Set<String> pathParameters, List<PolicyProblem> problems) {
    String t = c.template();
    int q = t.indexOf('?');
    Template path =
        template(at + ".template", q < 0 ? t : t.substring(0, q), pathParameters, problems);
    List<RewriteUriPolicy.QueryPair> pairs = new ArrayList<>();
    if (q >= 0) {
      for (String part : t.substring(q + 1).split("&")) {
        if (part.isEmpty()) {
          continue;
        }
        int eq = part.indexOf('=');
        String name = eq < 0 ? part : part.substring(0, eq);
        if (name.isEmpty() || name.indexOf('{') >= 0 || name.indexOf('}') >= 0) {
          problems.add(
              new PolicyProblem(
                  at + ".template", "query parameter name '" + name + "' must be literal text"));
          continue;
        }
        Template value =
            template(
                at + ".template", eq < 0 ? "" : part.substring(eq + 1), pathParameters, problems);
        if (value != null) {
          pairs.add(new RewriteUriPolicy.QueryPair(name, value));
        }
      }
    }
    return path == null ? null : new RewriteUriPolicy(at, c, path, pairs);
  }

  private Policy ipFilter(String at, IpFilterConfig c, List<PolicyProblem> problems) {
    IpRanges.Builder b = IpRanges.builder();
    for (int i = 0; i < c.addresses().size(); i++) {
      try {
        b.add(c.addresses().get(i));
      } catch (IllegalArgumentException e) {
        problems.add(new PolicyProblem(at + ".addresses[" + i + "]", e.getMessage()));
      }
    }
    for (int i = 0; i < c.addressRanges().size(); i++) {
      IpFilterConfig.AddressRange r = c.addressRanges().get(i);
      String rat = at + ".address-ranges[" + i + "]";
      if (r.from() == null || r.to() == null) {
        problems.add(new PolicyProblem(rat, "give both from and to"));
        continue;
      }
      try {
        b.addRange(r.from(), r.to());
      } catch (IllegalArgumentException e) {
        problems.add(new PolicyProblem(rat, e.getMessage()));
      }
    }
    int depth = c.trustedProxyDepth() == null ? env.trustedProxyDepth() : c.trustedProxyDepth();
    return new IpFilterPolicy(at, c, b.build(), depth);
  }

  private Policy jwt(String at, ValidateJwtConfig c, List<PolicyProblem> problems) {
    List<JsonObject> jwks = new ArrayList<>();
    List<PubSecKeyOptions> pem = new ArrayList<>();
    for (int i = 0; i < c.issuerSigningKeys().size(); i++) {
      ValidateJwtConfig.SigningKey k = c.issuerSigningKeys().get(i);
      String kat = at + ".issuer-signing-keys[" + i + "]";
      try {
        if (k.value() != null) {
          String secret = constant(kat + ".value", k.value(), problems);
          if (secret == null) {
            continue;
          }
          byte[] bytes = base64(secret);
          if (bytes == null) {
            problems.add(
                new PolicyProblem(
                    kat + ".value",
                    "must be Base64 (as APIM's issuer-signing-keys); the value" + " is not shown"));
            continue;
          }
          String alg = k.alg() == null ? "HS256" : k.alg();
          if (!alg.startsWith("HS")) {
            problems.add(
                new PolicyProblem(
                    kat + ".alg", "a secret value signs with HS256, HS384 or HS512, not " + alg));
            continue;
          }
          int minBytes = alg.equals("HS256") ? 32 : alg.equals("HS384") ? 48 : 64;
          if (bytes.length < minBytes) {
            problems.add(
                new PolicyProblem(
                    kat + ".value",
                    "a "
                        + alg
                        + " secret must have at least "
                        + minBytes
                        + " bytes (RFC 7518 3.2), it has "
                        + bytes.length));
            continue;
          }
          JsonObject jwk =
              new JsonObject()
                  .put("kty", "oct")
                  .put("alg", alg)
                  .put("k", Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
          if (k.id() != null) {
            jwk.put("kid", k.id());
          }
          new JWK(jwk);
          jwks.add(jwk);
        } else if (k.n() != null) {
          JsonObject jwk =
              new JsonObject()
                  .put("kty", "RSA")
                  .put("alg", k.alg() == null ? "RS256" : k.alg())
                  .put("n", k.n())
                  .put("e", k.e());
          if (k.id() != null) {
            jwk.put("kid", k.id());
          }
          new JWK(jwk);
          jwks.add(jwk);
        } else if (k.pem() != null) {
          String text = constant(kat + ".pem", k.pem(), problems);
          if (text == null) {
            continue;
          }
          String alg = k.alg() != null ? k.alg() : text.contains("EC PRIVATE") ? "ES256" : "RS256";
          PubSecKeyOptions o =
              new PubSecKeyOptions().setAlgorithm(alg).setBuffer(Buffer.buffer(text));
          if (k.id() != null) {
            o.setId(k.id());
          }
          new JWK(o);
          pem.add(o);
        } else if (k.jwk() != null) {
          JsonObject jwk = new JsonObject(k.jwk());
          new JWK(jwk);
          jwks.add(jwk);
        }
      } catch (RuntimeException e) {
        problems.add(
            new PolicyProblem(kat, "the key cannot be loaded: " + String.valueOf(e.getMessage())));
      }
    }
    JwksSource source = null;
    String url = c.openidConfig() != null ? c.openidConfig().url() : c.jwksUrl();
    if (url != null) {
      boolean openId = c.openidConfig() != null;
      long refresh = c.jwksRefreshInterval().toNanos();
      long min = c.jwksMinRefreshInterval().toNanos();
      long timeout = c.jwksFetchTimeout().toMillis();
      String key = (openId ? "openid:" : "jwks:") + url + "|" + refresh + "|" + min + "|" + timeout;
      source = env.jwksSource(key, k -> new JwksSource(env, url, openId, refresh, min, timeout));
    }
    return new JwtPolicy(at, c, source, jwks, pem, env);
  }

  /**
   * A value that may only use named values (a secret, a key): resolved now; anything per-request is
   * a problem.
   */
  private String constant(String at, String source, List<PolicyProblem> problems) {
    try {
      Template t = Template.compile(source, env.namedValues(), env.trustedProxyDepth());
      if (!t.isConstant()) {
        problems.add(
            new PolicyProblem(
                at, "may use named values ({{name}}) only, nothing taken from the request"));
        return null;
      }
      return t.constant();
    } catch (TemplateException e) {
      problems.add(new PolicyProblem(at, e.getMessage()));
      return null;
    }
  }

  private static byte[] base64(String s) {
    String t = s.trim();
    try {
      return Base64.getDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      try {
        return Base64.getUrlDecoder().decode(t);
      } catch (IllegalArgumentException e2) {
        return null;
      }
    }
  }
}
