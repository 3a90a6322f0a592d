package io.parley.persistence;

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

/** Owns MongoDB's conversations and messages. */
public final class PersistenceVerticle extends VerticleBase {
  /** DESIGN.md section 2, plus the direct-pair key that makes a direct conversation unique. */
  static final List<Index> INDEXES =
      List.of(
          Index.of("conversations", new JsonObject().put("members", 1).put("lastMessageAt", -1)),
          Index.of("conversations", new JsonObject().put("members", 1).put("archivedBy", 1)),
          Index.of("conversations", new JsonObject().put("lastMessageAt", -1)),
          new Index(
              "conversations",
              new JsonObject().put("directKey", 1),
              new IndexOptions().unique(true).sparse(true)),
          Index.of("messages", new JsonObject().put("conversationId", 1).put("createdAt", -1)),
          Index.unique("messages", new JsonObject().put("conversationId", 1).put("seq", 1)),
          Index.of("messages", new JsonObject().put("senderId", 1).put("createdAt", -1)),
          Index.of("messages", new JsonObject().put("deliveredTo", 1)),
          Index.of("messages", new JsonObject().put("readBy", 1)),
          Index.unique("messages", new JsonObject().put("senderId", 1).put("clientId", 1)));

  private final NodeContext ctx;
  private MongoClient mongo;

  public PersistenceVerticle(NodeContext ctx) {
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
                    Addresses.PERSISTENCE_HEALTH,
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
