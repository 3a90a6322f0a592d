package io.parley.auth;

import io.parley.bus.AuthApi.Session;
import io.parley.mongo.MongoSupport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;
import java.util.List;

/** The {@code sessions} collection: one document per signed-in device. */
final class SessionRepository {
  static final String COLLECTION = "sessions";

  private final MongoClient mongo;

  SessionRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  Future<JsonObject> create(
      String userId,
      String deviceName,
      String userAgent,
      String address,
      Instant now,
      Instant expiresAt) {
    JsonObject doc =
        new JsonObject()
            .put("_id", MongoSupport.newId())
            .put("userId", userId)
            .put("deviceName", deviceName)
            .put("userAgent", userAgent)
            .put("address", address)
            .put("createdAt", MongoSupport.date(now))
            .put("lastSeenAt", MongoSupport.date(now))
            .put("expiresAt", MongoSupport.date(expiresAt))
            .putNull("revokedAt");
    return mongo.insert(COLLECTION, doc).map(ignored -> doc);
  }

  Future<JsonObject> findById(String id) {
    if (!MongoSupport.isId(id)) {
      return Future.succeededFuture(null);
    }
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", id), null);
  }

  /** Signed-in, unexpired sessions of a user, oldest first. */
  Future<List<JsonObject>> findActive(String userId, Instant now) {
    return mongo
        .find(COLLECTION, new JsonObject().put("userId", userId).putNull("revokedAt"))
        .map(
            docs ->
                docs.stream()
                    .filter(d -> isActive(d, now))
                    .sorted(
                        java.util.Comparator.comparing(d -> MongoSupport.instant(d, "createdAt")))
                    .toList());
  }

  static boolean isActive(JsonObject d, Instant now) {
    if (d == null || d.getValue("revokedAt") != null) {
      return false;
    }
    Instant exp = MongoSupport.instant(d, "expiresAt");
    return exp == null || exp.isAfter(now);
  }

  /** Revokes one session of the user; true when it was active. */
  Future<Boolean> revoke(String userId, String sessionId, Instant now) {
    return mongo
        .updateCollection(
            COLLECTION,
            new JsonObject().put("_id", sessionId).put("userId", userId).putNull("revokedAt"),
            new JsonObject().put("$set", new JsonObject().put("revokedAt", MongoSupport.date(now))))
        .map(r -> r != null && r.getDocModified() > 0);
  }

  /**
   * Revokes every active session of the user; returns their ids. One update stamps them all, then
   * the stamp finds them: a session signed in meanwhile is either revoked and named, or untouched
   * (a find before the update could revoke one it never names, and no node would hear of it).
   */
  Future<List<String>> revokeAll(String userId, Instant now) {
    JsonObject stamp = MongoSupport.date(now);
    return mongo
        .updateCollectionWithOptions(
            COLLECTION,
            new JsonObject().put("userId", userId).putNull("revokedAt"),
            new JsonObject().put("$set", new JsonObject().put("revokedAt", stamp)),
            new UpdateOptions().setMulti(true))
        .compose(
            r ->
                mongo.findWithOptions(
                    COLLECTION,
                    new JsonObject().put("userId", userId).put("revokedAt", stamp),
                    new io.vertx.ext.mongo.FindOptions().setFields(new JsonObject().put("_id", 1))))
        .map(docs -> docs.stream().map(d -> d.getString("_id")).toList());
  }

  /** Removes sessions that ended (revoked or expired) before {@code cutoff}. */
  Future<Long> deleteEndedBefore(Instant cutoff) {
    JsonObject before = new JsonObject().put("$lt", MongoSupport.date(cutoff));
    return mongo
        .removeDocuments(
            COLLECTION,
            new JsonObject()
                .put(
                    "$or",
                    new io.vertx.core.json.JsonArray()
                        .add(new JsonObject().put("revokedAt", before))
                        .add(new JsonObject().put("expiresAt", before))))
        .map(r -> r == null ? 0L : r.getRemovedCount());
  }

  Future<Void> touch(String sessionId, Instant now) {
    return mongo
        .updateCollection(
            COLLECTION,
            new JsonObject().put("_id", sessionId),
            new JsonObject()
                .put("$set", new JsonObject().put("lastSeenAt", MongoSupport.date(now))))
        .mapEmpty();
  }

  static Session view(JsonObject d) {
    return new Session(
        d.getString("_id"),
        d.getString("deviceName"),
        d.getString("userAgent"),
        MongoSupport.instant(d, "createdAt"),
        MongoSupport.instant(d, "lastSeenAt"));
  }
}
