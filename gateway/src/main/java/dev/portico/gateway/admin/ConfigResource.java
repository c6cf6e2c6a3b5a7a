package dev.portico.gateway.admin;

import dev.portico.gateway.config.ConfigProblem;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.reload.ConfigChange;
import dev.portico.gateway.reload.ReloadResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /admin/config} (what is in force and how the last reload ended) and {@code POST
 * /admin/config/reload} (read the source again and apply it, or say why not).
 */
public final class ConfigResource {

  /**
   * The gateway's side of it.
   *
   * @param reload reads the source again and applies it when it can
   * @param generation how many configurations this process has run (1 at start)
   * @param last how the last reload ended, {@code null} before the first
   */
  public record Reloads(
      Supplier<Future<ReloadResult>> reload,
      LongSupplier generation,
      Supplier<ReloadResult> last) {}

  private final Supplier<GatewayConfig> config;
  private final Reloads reloads;

  ConfigResource(Supplier<GatewayConfig> config, Reloads reloads) {
    this.config = config;
    this.reloads = reloads;
  }

  void show(RoutingContext ctx) {
    GatewayConfig c = config.get();
    ReloadResult last = reloads.last().get();
    AdminApi.json(
        ctx,
        200,
        new JsonObject()
            .put("source", c.source())
            .put("gatewayId", c.gatewayId())
            .put("generation", reloads.generation().getAsLong())
            .put("apis", c.apis().size())
            .put("backends", c.backends().size())
            .put("lastReload", last == null ? null : json(last)));
  }

  void reload(RoutingContext ctx) {
    reloads
        .reload()
        .get()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                AdminApi.problem(
                    ctx,
                    500,
                    "reload-failed",
                    "The reload failed: " + ar.cause().getMessage(),
                    new JsonObject());
                return;
              }
              ReloadResult r = ar.result();
              JsonObject body = json(r);
              if (r instanceof ReloadResult.Applied || r instanceof ReloadResult.Unchanged) {
                AdminApi.json(ctx, 200, body);
              } else if (r instanceof ReloadResult.Invalid i) {
                AdminApi.problem(
                    ctx,
                    422,
                    "config-invalid",
                    "The configuration source does not validate ("
                        + i.problems().size()
                        + " problems); the running configuration stays",
                    body);
              } else if (r instanceof ReloadResult.RestartRequired rr) {
                AdminApi.problem(
                    ctx,
                    409,
                    "restart-required",
                    "The configuration changes "
                        + String.join(", ", rr.sections())
                        + ", which only a restart applies; the running configuration stays",
                    body);
              } else {
                AdminApi.problem(
                    ctx, 409, "reload-failed", ((ReloadResult.Failed) r).reason(), body);
              }
            });
  }

  static JsonObject json(ReloadResult r) {
    JsonObject o = new JsonObject().put("outcome", r.outcome()).put("at", r.at().toString());
    if (r instanceof ReloadResult.Applied a) {
      ConfigChange c = a.change();
      o.put("generation", a.generation())
          .put(
              "changes",
              new JsonObject()
                  .put("apis", diff(c.apis()))
                  .put("backends", diff(c.backends()))
                  .put("namedValues", diff(c.namedValues()))
                  .put("breakersReset", ids(c.retireBreakers())));
    } else if (r instanceof ReloadResult.Unchanged u) {
      o.put("generation", u.generation());
    } else if (r instanceof ReloadResult.Invalid i) {
      JsonArray problems = new JsonArray();
      for (ConfigProblem p : i.problems()) {
        problems.add(p.toString());
      }
      o.put("problems", problems);
    } else if (r instanceof ReloadResult.RestartRequired rr) {
      o.put("sections", new JsonArray(rr.sections()));
    } else if (r instanceof ReloadResult.Failed f) {
      o.put("reason", f.reason());
    }
    return o;
  }

  private static JsonObject diff(ConfigChange.Diff d) {
    return new JsonObject()
        .put("added", ids(d.added()))
        .put("removed", ids(d.removed()))
        .put("changed", ids(d.changed()));
  }

  private static JsonArray ids(Collection<String> ids) {
    return new JsonArray(List.copyOf(ids));
  }
}
