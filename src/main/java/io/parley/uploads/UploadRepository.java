package io.parley.uploads;

import io.parley.mongo.MongoSupport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;
import java.util.List;

/**
 * The {@code uploads} collection: owner, conversationId, storage (local|s3), storageKey (the
 * checked bytes), incomingKey (where the client sends them), filename, contentType, size, status
 * (pending|ready), createdAt, expiresAt (of the upload URL), tokenHash (local mode), readyAt.
 */
final class UploadRepository {
  static final String COLLECTION = "uploads";
  static final String PENDING = "pending";
  static final String READY = "ready";

  private final MongoClient mongo;

  UploadRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  Future<String> insert(JsonObject doc) {
    return mongo.insert(COLLECTION, doc);
  }

  Future<JsonObject> findById(String id) {
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", id), null);
  }

  Future<List<JsonObject>> findByIds(List<String> ids) {
    return mongo.find(
        COLLECTION, new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(ids))));
  }

  /** Pending → ready; null when it was not pending any more. */
  Future<JsonObject> markReady(String id, Instant at) {
    return mongo.findOneAndUpdateWithOptions(
        COLLECTION,
        new JsonObject().put("_id", id).put("status", PENDING),
        new JsonObject()
            .put(
                "$set", new JsonObject().put("status", READY).put("readyAt", MongoSupport.date(at)))
            .put("$unset", new JsonObject().put("tokenHash", "")),
        new FindOptions(),
        new UpdateOptions().setReturningNewDocument(true));
  }

  Future<Void> delete(String id) {
    return mongo.removeDocument(COLLECTION, new JsonObject().put("_id", id)).mapEmpty();
  }

  /** Pending uploads created before {@code createdBefore} whose upload URL has expired. */
  Future<List<JsonObject>> findAbandoned(Instant createdBefore, Instant now, int limit) {
    JsonObject q =
        new JsonObject()
            .put("status", PENDING)
            .put("createdAt", new JsonObject().put("$lt", MongoSupport.date(createdBefore)))
            .put("expiresAt", new JsonObject().put("$lt", MongoSupport.date(now)));
    return mongo.findWithOptions(COLLECTION, q, new FindOptions().setLimit(limit));
  }

  /** Removes the record only while it is still pending (a concurrent completion wins). */
  Future<Boolean> deleteIfPending(String id) {
    return mongo
        .removeDocument(COLLECTION, new JsonObject().put("_id", id).put("status", PENDING))
        .map(r -> r != null && r.getRemovedCount() > 0);
  }
}
