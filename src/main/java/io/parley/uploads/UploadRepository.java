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
 * (pending|ready|discarded), createdAt, expiresAt (of the upload URL), tokenHash (local mode),
 * readyAt, sentAt (when a stored message first carried it).
 */
final class UploadRepository {
  static final String COLLECTION = "uploads";
  static final String PENDING = "pending";
  static final String READY = "ready";
  static final String DISCARDED = "discarded";

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

  /** Notes that stored messages carry these uploads (the first time only). */
  Future<Void> markSent(List<String> ids, Instant at) {
    return mongo
        .updateCollectionWithOptions(
            COLLECTION,
            new JsonObject()
                .put("_id", new JsonObject().put("$in", new JsonArray(ids)))
                .put("status", READY)
                .putNull("sentAt"),
            new JsonObject().put("$set", new JsonObject().put("sentAt", MongoSupport.date(at))),
            new UpdateOptions().setMulti(true))
        .mapEmpty();
  }

  /** The owner's uploads among {@code ids} → discarded (unreadable); returns what was marked. */
  Future<List<JsonObject>> markDiscarded(String ownerId, List<String> ids, Instant at) {
    JsonObject mine =
        new JsonObject()
            .put("_id", new JsonObject().put("$in", new JsonArray(ids)))
            .put("owner", ownerId);
    return mongo
        .updateCollectionWithOptions(
            COLLECTION,
            mine,
            new JsonObject()
                .put(
                    "$set",
                    new JsonObject()
                        .put("status", DISCARDED)
                        .put("discardedAt", MongoSupport.date(at))),
            new UpdateOptions().setMulti(true))
        .compose(r -> mongo.find(COLLECTION, mine.copy().put("status", DISCARDED)));
  }

  /** Discarded uploads whose bytes may still be stored (their removal failed or was cut short). */
  Future<List<JsonObject>> findDiscarded(int limit) {
    return mongo.findWithOptions(
        COLLECTION, new JsonObject().put("status", DISCARDED), new FindOptions().setLimit(limit));
  }

  /** Ready uploads made before {@code createdBefore} that no stored message is known to carry. */
  Future<List<JsonObject>> findUnsent(Instant createdBefore, int limit) {
    return mongo.findWithOptions(
        COLLECTION,
        new JsonObject()
            .put("status", READY)
            .putNull("sentAt")
            .put("createdAt", new JsonObject().put("$lt", MongoSupport.date(createdBefore))),
        new FindOptions().setLimit(limit));
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
