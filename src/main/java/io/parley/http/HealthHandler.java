package io.parley.http;

import io.parley.NodeContext;
import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.BusClient;
import io.parley.bus.HealthReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /health}: each dependency checked where it lives (database and storage by the
 * verticles that own them, wherever in the cluster they run), 200 when all are up, else 503. {@code
 * GET /health/live}: 200 while the process runs.
 */
final class HealthHandler {
  private static final long CHECK_TIMEOUT_MS = 3000;
  static final long CACHE_MS = 1000;

  private final NodeContext ctx;
  private final BusClient bus;

  HealthHandler(Vertx vertx, NodeContext ctx, BusClient bus) {
    this.ctx = ctx;
    this.bus = bus;
  }

  void live(RoutingContext rc) {
    Responses.json(rc, 200, new JsonObject().put("status", "up"));
  }

  /** The last deep check's answer, kept briefly: every call pings the database and storage. */
  private record Checked(int status, JsonObject body, long at) {}

  private Checked last;
  private Future<Checked> running;

  /**
   * The deep check, at most once per {@link #CACHE_MS} per HTTP verticle: callers within that time
   * (and callers while a check runs) share one answer, so a flood of {@code /health} costs no more
   * database pings than one monitor does.
   */
  void health(RoutingContext rc) {
    long now = System.currentTimeMillis();
    Checked c = last;
    Future<Checked> answer;
    if (c != null && now - c.at() < CACHE_MS) {
      answer = Future.succeededFuture(c);
    } else {
      if (running == null) {
        running =
            check()
                .onComplete(
                    ar -> {
                      last = ar.result();
                      running = null;
                    });
      }
      answer = running;
    }
    answer.onSuccess(r -> Responses.json(rc, r.status(), r.body().copy()));
  }

  private Future<Checked> check() {
    Map<String, Future<JsonObject>> checks = new LinkedHashMap<>();
    checks.put("database", service(Addresses.PERSISTENCE_HEALTH, "persistence"));
    checks.put("auth", service(Addresses.AUTH_HEALTH, "auth"));
    checks.put("uploads", service(Addresses.UPLOADS_HEALTH, "uploads"));
    checks.put("cluster", Future.succeededFuture(cluster()));
    if (ctx.relay() != null) {
      // the relay's subscription, not a ping: events from other nodes arrive only while it holds
      checks.put("redis", ctx.relay().health());
    }
    List<Future<JsonObject>> all = new ArrayList<>(checks.values());
    return Future.join(all)
        .transform(
            ignored -> {
              JsonObject body = new JsonObject();
              boolean up = true;
              for (var e : checks.entrySet()) {
                JsonObject c = e.getValue().result();
                body.put(e.getKey(), c);
                up &= "up".equals(c.getString("status"));
              }
              return Future.succeededFuture(
                  new Checked(
                      up ? 200 : 503,
                      new JsonObject()
                          .put("status", up ? "up" : "down")
                          .put("node", ctx.nodeId())
                          .put("checks", body),
                      System.currentTimeMillis()));
            });
  }

  /** The role's verticle answers from wherever it runs; no answer means the role is missing. */
  private Future<JsonObject> service(String address, String role) {
    return bus.request(address, new JsonObject(), CHECK_TIMEOUT_MS)
        .map(j -> HealthReport.fromJson(j).toJson())
        .otherwise(
            err ->
                new JsonObject()
                    .put("status", "down")
                    .put(
                        "detail",
                        ApiError.from(err).status() == 503
                            ? "no node of the cluster runs the " + role + " role"
                            : role + " did not answer in time"));
  }

  private JsonObject cluster() {
    return new JsonObject()
        .put("status", "up")
        .put("mode", ctx.clustered() ? "clustered" : "standalone")
        .put("members", ctx.clusterMembers().getAsInt());
  }

  void close() {}
}
