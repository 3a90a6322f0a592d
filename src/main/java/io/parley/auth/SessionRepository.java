package io.parley.auth;

import io.parley.bus.Ids;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;
import java.util.List;

/** The {@code sessions} collection: one document per signed-in device. */
final class SessionRepository {
  static final String COLLECTION = "sessions";

  /** A user's sessions are listed, capped and revoked together. */
  static final List<Index> INDEXES =
      List.of(Index.of(COLLECTION, new JsonObject().put("userId", 1)));

  private final MongoClient mongo;

  SessionRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  /** Stores a new, signed-in session and returns it. */
  Future<Session> create(
      String userId,
      String deviceName,
      String userAgent,
      String address,
      Instant now,
      Instant expiresAt) {
    Session session =
        new Session(
            MongoSupport.newId(),
            userId,
            deviceName,
            userAgent,
            address,
            now,
            now,
            expiresAt,
            null);
    return mongo.insert(COLLECTION, document(session)).map(ignored -> session);
  }

  /** The session with this id; null when there is none (or the id is malformed). */
  Future<Session> findById(String id) {
    if (!Ids.valid(id)) {
      return Future.succeededFuture(null);
    }
    return mongo
        .findOne(COLLECTION, new JsonObject().put("_id", id), null)
        .map(SessionRepository::fromDocument);
  }

  /** Signed-in, unexpired sessions of a user, oldest first. */
  Future<List<Session>> findActive(String userId, Instant now) {
    return mongo
        .find(COLLECTION, new JsonObject().put("userId", userId).putNull("revokedAt"))
        .map(
            docs ->
                docs.stream()
                    .map(SessionRepository::fromDocument)
                    .filter(s -> s.activeAt(now))
                    .sorted(java.util.Comparator.comparing(Session::createdAt))
                    .toList());
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

  static JsonObject document(Session s) {
    return new JsonObject()
        .put("_id", s.id())
        .put("userId", s.userId())
        .put("deviceName", s.deviceName())
        .put("userAgent", s.userAgent())
        .put("address", s.address())
        .put("createdAt", MongoSupport.date(s.createdAt()))
        .put("lastSeenAt", MongoSupport.date(s.lastSeenAt()))
        .put("expiresAt", MongoSupport.date(s.expiresAt()))
        .put("revokedAt", s.revokedAt() == null ? null : MongoSupport.date(s.revokedAt()));
  }

  /** The stored document as a record; null for null. */
  static Session fromDocument(JsonObject d) {
    return d == null
        ? null
        : new Session(
            d.getString("_id"),
            d.getString("userId"),
            d.getString("deviceName"),
            d.getString("userAgent"),
            d.getString("address"),
            MongoSupport.instant(d, "createdAt"),
            MongoSupport.instant(d, "lastSeenAt"),
            MongoSupport.instant(d, "expiresAt"),
            MongoSupport.instant(d, "revokedAt"));
  }
}
