package io.parley.uploads;

import io.parley.NodeContext;
import io.parley.bus.Addresses;
import io.parley.bus.BusService;
import io.parley.bus.HealthReport;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.util.List;
import java.util.UUID;

/** Owns upload records and the blob store (local disk by default). */
public final class UploadsVerticle extends VerticleBase {
  static final List<Index> INDEXES =
      List.of(
          Index.unique("uploads", new JsonObject().put("storageKey", 1)),
          Index.of("uploads", new JsonObject().put("owner", 1).put("createdAt", -1)),
          Index.of("uploads", new JsonObject().put("status", 1).put("createdAt", 1)));

  private final NodeContext ctx;
  private MongoClient mongo;

  public UploadsVerticle(NodeContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Future<?> start() {
    mongo = MongoSupport.client(vertx, ctx);
    String dir = ctx.config().uploads().dir().toString();
    return vertx
        .fileSystem()
        .mkdirs(dir)
        .compose(v -> MongoSupport.ensureIndexes(mongo, INDEXES))
        .compose(v -> BusService.serve(vertx, Addresses.UPLOADS_HEALTH, req -> checkStorage(dir)));
  }

  /** Writes and deletes a probe file: the folder exists and is writable. */
  private Future<JsonObject> checkStorage(String dir) {
    FileSystem fs = vertx.fileSystem();
    String probe = dir + "/.health-" + UUID.randomUUID();
    return fs.writeFile(probe, Buffer.buffer("ok"))
        .compose(v -> fs.delete(probe))
        .map(v -> new HealthReport(true, ctx.nodeId(), "local disk writable").toJson())
        .otherwise(
            err -> new HealthReport(false, ctx.nodeId(), "local disk not writable").toJson());
  }

  @Override
  public Future<?> stop() {
    return mongo == null ? Future.succeededFuture() : mongo.close();
  }
}
