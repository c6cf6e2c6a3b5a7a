package dev.portico.gateway.support;

import dev.portico.gateway.GatewayVerticle;
import dev.portico.gateway.config.ConfigLoader;
import dev.portico.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * Starts a real gateway (routing verticles, registry, management listener) on ephemeral loopback
 * ports from a YAML configuration text, as a test would write it.
 */
public final class GatewayHarness {

  private GatewayHarness() {}

  /**
   * Parses YAML, forces ephemeral loopback listeners unless the YAML sets them, validates, deploys.
   */
  public static GatewayVerticle start(Vertx vertx, String yaml) {
    return start(vertx, yaml, Map.of());
  }

  public static GatewayVerticle start(Vertx vertx, String yaml, Map<String, String> env) {
    GatewayConfig config = config(yaml, env);
    GatewayVerticle gateway =
        new GatewayVerticle(config, 2, dev.portico.gateway.pipeline.ExchangeObserver.NONE);
    vertx.deployVerticle(gateway).await();
    return gateway;
  }

  public static GatewayConfig config(String yaml, Map<String, String> env) {
    JsonObject raw = yaml(yaml);
    JsonObject listeners = raw.getJsonObject("listeners", new JsonObject());
    for (String l : new String[] {"traffic", "management"}) {
      JsonObject o = listeners.getJsonObject(l, new JsonObject());
      o.put("host", o.getString("host", "127.0.0.1"));
      o.put("port", o.getInteger("port", 0));
      listeners.put(l, o);
    }
    raw.put("listeners", listeners);
    return ConfigLoader.fromJson("test.yaml", raw, env);
  }

  @SuppressWarnings("unchecked")
  public static JsonObject yaml(String yaml) {
    Object parsed = new Yaml().load(yaml);
    return parsed == null ? new JsonObject() : new JsonObject((Map<String, Object>) parsed);
  }
}
