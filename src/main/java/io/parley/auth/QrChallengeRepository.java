package io.parley.auth;

import io.parley.bus.AuthApi.Client;
import io.parley.bus.Ids;
import io.parley.mongo.MongoSupport;
import io.parley.security.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;

/**
 * The {@code qrchallenges} collection. Every state change is a conditional update on the current
 * state (and on expiry), so concurrent scans, approvals and redemptions have exactly one winner.
 */
final class QrChallengeRepository {
  static final String COLLECTION = "qrchallenges";

  static final String PENDING = "pending";
  static final String SCANNED = "scanned";
  static final String APPROVED = "approved";
  static final String REDEEMED = "redeemed";

  private final MongoClient mongo;

  QrChallengeRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  Future<String> create(
      String token, String secretHash, Client requester, Instant now, Instant expiresAt) {
    // the id appears in URLs and is shown to whoever holds it: 128 random bits, not an ObjectId
    // (whose counter lets one requester guess the next one's id)
    String id = Secrets.randomHex(16);
    JsonObject doc =
        new JsonObject()
            .put("_id", id)
            .put("token", token)
            .put("requesterSecretHash", secretHash)
            .put("requester", requester.toJson())
            .put("status", PENDING)
            .put("urlSecretUsed", false)
            .put("createdAt", MongoSupport.date(now))
            .put("expiresAt", MongoSupport.date(expiresAt))
            .putNull("scannedBy")
            .putNull("approvedBy")
            .putNull("sessionId");
    return mongo.insert(COLLECTION, doc).map(ignored -> id);
  }

  Future<JsonObject> findById(String id) {
    if (!Ids.validChallenge(id)) {
      return Future.succeededFuture(null);
    }
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", id), null);
  }

  Future<JsonObject> findByToken(String token) {
    return mongo.findOne(COLLECTION, new JsonObject().put("token", token), null);
  }

  /** pending (or scanned by the same user) → scanned, while unexpired. */
  Future<JsonObject> markScanned(String id, String userId, Instant now) {
    JsonObject query =
        unexpired(id, now)
            .put(
                "$or",
                new JsonArray()
                    .add(new JsonObject().put("status", PENDING))
                    .add(new JsonObject().put("status", SCANNED).put("scannedBy", userId)));
    return transition(
        query,
        new JsonObject()
            .put("status", SCANNED)
            .put("scannedBy", userId)
            .put("scannedAt", MongoSupport.date(now)));
  }

  /** scanned by this user → approved, while unexpired. */
  Future<JsonObject> markApproved(String id, String userId, String deviceName, Instant now) {
    return transition(
        unexpired(id, now).put("status", SCANNED).put("scannedBy", userId),
        new JsonObject()
            .put("status", APPROVED)
            .put("approvedBy", userId)
            .put("deviceName", deviceName)
            .put("approvedAt", MongoSupport.date(now)));
  }

  /** approved → redeemed, while unexpired: the single use. */
  Future<JsonObject> markRedeemed(String id, Instant now) {
    return transition(
        unexpired(id, now).put("status", APPROVED),
        new JsonObject().put("status", REDEEMED).put("redeemedAt", MongoSupport.date(now)));
  }

  /** True the first time only: the secret's URL form ({@code ?secret=}) is single-use. */
  Future<Boolean> markUrlSecretUsed(String id) {
    return mongo
        .updateCollection(
            COLLECTION,
            new JsonObject().put("_id", id).put("urlSecretUsed", false),
            new JsonObject().put("$set", new JsonObject().put("urlSecretUsed", true)))
        .map(r -> r != null && r.getDocModified() > 0);
  }

  Future<Void> recordSession(String id, String sessionId) {
    return mongo
        .updateCollection(
            COLLECTION,
            new JsonObject().put("_id", id),
            new JsonObject().put("$set", new JsonObject().put("sessionId", sessionId)))
        .mapEmpty();
  }

  /** Removes challenges that expired before {@code cutoff} (MongoDB's TTL index does it too). */
  Future<Long> deleteExpired(Instant cutoff) {
    return mongo
        .removeDocuments(
            COLLECTION,
            new JsonObject()
                .put("expiresAt", new JsonObject().put("$lt", MongoSupport.date(cutoff))))
        .map(r -> r == null ? 0L : r.getRemovedCount());
  }

  private static JsonObject unexpired(String id, Instant now) {
    return new JsonObject()
        .put("_id", id)
        .put("expiresAt", new JsonObject().put("$gt", MongoSupport.date(now)));
  }

  private Future<JsonObject> transition(JsonObject query, JsonObject set) {
    return mongo.findOneAndUpdateWithOptions(
        COLLECTION,
        query,
        new JsonObject().put("$set", set),
        new FindOptions(),
        new UpdateOptions().setReturningNewDocument(true));
  }
}
