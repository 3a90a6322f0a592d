package io.parley.auth;

import io.parley.NodeContext;
import io.parley.bus.Addresses;
import io.parley.bus.BusService;
import io.parley.bus.HealthReport;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.util.List;

/** Owns users, sessions and QR device-link challenges. */
public final class AuthVerticle extends VerticleBase {
  static final List<Index> INDEXES =
      List.of(
          Index.unique("users", new JsonObject().put("phone", 1)),
          Index.of("sessions", new JsonObject().put("userId", 1)),
          Index.unique("qrchallenges", new JsonObject().put("token", 1)),
          new Index(
              "qrchallenges",
              new JsonObject().put("expiresAt", 1),
              new IndexOptions().expireAfter(0L, java.util.concurrent.TimeUnit.SECONDS)));

  private final NodeContext ctx;
  private MongoClient mongo;

  public AuthVerticle(NodeContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Future<?> start() {
    mongo = MongoSupport.client(vertx, ctx);
    return MongoSupport.ensureIndexes(mongo, INDEXES)
        .compose(
            v ->
                BusService.serve(
                    vertx,
                    Addresses.AUTH_HEALTH,
                    req ->
                        MongoSupport.ping(mongo)
                            .map(d -> new HealthReport(true, ctx.nodeId(), d).toJson())
                            .otherwise(err -> MongoSupport.unhealthy(ctx, err).toJson())));
  }

  @Override
  public Future<?> stop() {
    return mongo == null ? Future.succeededFuture() : mongo.close();
  }
}
