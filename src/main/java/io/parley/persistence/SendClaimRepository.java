package io.parley.persistence;

import io.parley.mongo.MongoSupport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.time.Instant;

/**
 * The {@code sendclaims} collection: one document per (sender, clientId) being sent, claimed before
 * a seq is taken. Concurrent retries of one send race on this unique {@code _id}; the loser never
 * takes a seq, so retries cannot leave holes in the sequence.
 */
final class SendClaimRepository {
  static final String COLLECTION = "sendclaims";

  private final MongoClient mongo;

  SendClaimRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  static String key(String senderId, String clientId) {
    return senderId + ":" + clientId;
  }

  /** True when this call won the claim; false when someone holds it. */
  Future<Boolean> claim(
      String senderId, String clientId, String conversationId, String hash, Instant now) {
    JsonObject doc =
        new JsonObject()
            .put("_id", key(senderId, clientId))
            .put("conversationId", conversationId)
            .put("contentHash", hash)
            .put("createdAt", MongoSupport.date(now));
    return mongo
        .insert(COLLECTION, doc)
        .map(ignored -> true)
        .recover(
            err ->
                MongoSupport.isDuplicateKey(err)
                    ? Future.succeededFuture(false)
                    : Future.failedFuture(err));
  }

  Future<JsonObject> find(String senderId, String clientId) {
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", key(senderId, clientId)), null);
  }

  /** Gives a claim back (the send failed before anything was stored). */
  Future<Void> release(String senderId, String clientId) {
    return mongo
        .removeDocument(COLLECTION, new JsonObject().put("_id", key(senderId, clientId)))
        .mapEmpty();
  }

  /** Takes over a claim its holder abandoned (it crashed) before storing the message. */
  Future<Boolean> takeOver(String senderId, String clientId, Instant claimedBefore, Instant now) {
    return mongo
        .updateCollection(
            COLLECTION,
            new JsonObject()
                .put("_id", key(senderId, clientId))
                .put("createdAt", new JsonObject().put("$lt", MongoSupport.date(claimedBefore))),
            new JsonObject().put("$set", new JsonObject().put("createdAt", MongoSupport.date(now))))
        .map(r -> r != null && r.getDocModified() > 0);
  }

  /** Messages keep idempotency for good through their unique (senderId, clientId) index. */
  Future<Long> deleteOlderThan(Instant cutoff) {
    return mongo
        .removeDocuments(
            COLLECTION,
            new JsonObject()
                .put("createdAt", new JsonObject().put("$lt", MongoSupport.date(cutoff))))
        .map(r -> r == null ? 0L : r.getRemovedCount());
  }
}
