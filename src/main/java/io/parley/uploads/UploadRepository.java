package io.parley.uploads;

import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;
import java.util.List;

/**
 * The {@code uploads} collection: {@code _id}, owner, conversationId, storage (local|s3),
 * storageKey (the checked bytes), incomingKey (where the client sends them), filename, contentType,
 * size, status (pending|ready|discarded), createdAt, expiresAt (of the upload URL), tokenHash
 * (local mode), readyAt, sentAt (when a stored message first carried it), discardedAt. Dates are
 * BSON dates. Callers see {@link Upload} records only.
 */
final class UploadRepository {
  static final String COLLECTION = "uploads";

  static final List<Index> INDEXES =
      List.of(
          Index.unique(COLLECTION, new JsonObject().put("storageKey", 1)),
          Index.of(COLLECTION, new JsonObject().put("owner", 1).put("createdAt", -1)),
          Index.of(COLLECTION, new JsonObject().put("status", 1).put("createdAt", 1)));

  private final MongoClient mongo;

  UploadRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  /** An id for a new upload, in the same form as the ones MongoDB generates. */
  String newId() {
    return MongoSupport.newId();
  }

  Future<Void> insert(Upload u) {
    return mongo.insert(COLLECTION, document(u)).mapEmpty();
  }

  /** The upload, or null. */
  Future<Upload> findById(String id) {
    return mongo
        .findOne(COLLECTION, new JsonObject().put("_id", id), null)
        .map(UploadRepository::fromDocument);
  }

  /** Those of {@code ids} that exist, in no particular order. */
  Future<List<Upload>> findByIds(List<String> ids) {
    return mongo
        .find(
            COLLECTION,
            new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(ids))))
        .map(UploadRepository::fromDocuments);
  }

  /** Pending → ready; null when it was not pending any more. */
  Future<Upload> markReady(String id, Instant at) {
    return mongo
        .findOneAndUpdateWithOptions(
            COLLECTION,
            new JsonObject().put("_id", id).put("status", Upload.PENDING),
            new JsonObject()
                .put(
                    "$set",
                    new JsonObject()
                        .put("status", Upload.READY)
                        .put("readyAt", MongoSupport.date(at)))
                .put("$unset", new JsonObject().put("tokenHash", "")),
            new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .map(UploadRepository::fromDocument);
  }

  /** Notes that stored messages carry these uploads (the first time only). */
  Future<Void> markSent(List<String> ids, Instant at) {
    return mongo
        .updateCollectionWithOptions(
            COLLECTION,
            new JsonObject()
                .put("_id", new JsonObject().put("$in", new JsonArray(ids)))
                .put("status", Upload.READY)
                .putNull("sentAt"),
            new JsonObject().put("$set", new JsonObject().put("sentAt", MongoSupport.date(at))),
            new UpdateOptions().setMulti(true))
        .mapEmpty();
  }

  /** The owner's uploads among {@code ids} → discarded (unreadable); returns what was marked. */
  Future<List<Upload>> markDiscarded(String ownerId, List<String> ids, Instant at) {
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
                        .put("status", Upload.DISCARDED)
                        .put("discardedAt", MongoSupport.date(at))),
            new UpdateOptions().setMulti(true))
        .compose(r -> mongo.find(COLLECTION, mine.copy().put("status", Upload.DISCARDED)))
        .map(UploadRepository::fromDocuments);
  }

  /** Discarded uploads whose bytes may still be stored (their removal failed or was cut short). */
  Future<List<Upload>> findDiscarded(int limit) {
    return mongo
        .findWithOptions(
            COLLECTION,
            new JsonObject().put("status", Upload.DISCARDED),
            new FindOptions().setLimit(limit))
        .map(UploadRepository::fromDocuments);
  }

  /** Ready uploads made before {@code createdBefore} that no stored message is known to carry. */
  Future<List<Upload>> findUnsent(Instant createdBefore, int limit) {
    return mongo
        .findWithOptions(
            COLLECTION,
            new JsonObject()
                .put("status", Upload.READY)
                .putNull("sentAt")
                .put("createdAt", new JsonObject().put("$lt", MongoSupport.date(createdBefore))),
            new FindOptions().setLimit(limit))
        .map(UploadRepository::fromDocuments);
  }

  Future<Void> delete(String id) {
    return mongo.removeDocument(COLLECTION, new JsonObject().put("_id", id)).mapEmpty();
  }

  /** Pending uploads created before {@code createdBefore} whose upload URL has expired. */
  Future<List<Upload>> findAbandoned(Instant createdBefore, Instant now, int limit) {
    JsonObject q =
        new JsonObject()
            .put("status", Upload.PENDING)
            .put("createdAt", new JsonObject().put("$lt", MongoSupport.date(createdBefore)))
            .put("expiresAt", new JsonObject().put("$lt", MongoSupport.date(now)));
    return mongo
        .findWithOptions(COLLECTION, q, new FindOptions().setLimit(limit))
        .map(UploadRepository::fromDocuments);
  }

  /** Removes the record only while it is still pending (a concurrent completion wins). */
  Future<Boolean> deleteIfPending(String id) {
    return mongo
        .removeDocument(COLLECTION, new JsonObject().put("_id", id).put("status", Upload.PENDING))
        .map(r -> r != null && r.getRemovedCount() > 0);
  }

  // --- mapping ------------------------------------------------------------------------------

  /** The stored document; fields that are null are left out (as a new upload has no readyAt). */
  static JsonObject document(Upload u) {
    JsonObject d =
        new JsonObject()
            .put("_id", u.id())
            .put("owner", u.owner())
            .put("conversationId", u.conversationId())
            .put("storage", u.storage())
            .put("storageKey", u.storageKey())
            .put("incomingKey", u.incomingKey())
            .put("filename", u.filename())
            .put("contentType", u.contentType())
            .put("size", u.size())
            .put("status", u.status())
            .put("createdAt", MongoSupport.date(u.createdAt()))
            .put("expiresAt", MongoSupport.date(u.expiresAt()));
    if (u.tokenHash() != null) {
      d.put("tokenHash", u.tokenHash());
    }
    putDate(d, "readyAt", u.readyAt());
    putDate(d, "sentAt", u.sentAt());
    putDate(d, "discardedAt", u.discardedAt());
    return d;
  }

  private static void putDate(JsonObject d, String key, Instant i) {
    if (i != null) {
      d.put(key, MongoSupport.date(i));
    }
  }

  /** The record of a stored document; null for null. */
  static Upload fromDocument(JsonObject d) {
    if (d == null) {
      return null;
    }
    return new Upload(
        d.getString("_id"),
        d.getString("owner"),
        d.getString("conversationId"),
        d.getString("storage"),
        d.getString("storageKey"),
        d.getString("incomingKey"),
        d.getString("filename"),
        d.getString("contentType"),
        d.getLong("size"),
        d.getString("status"),
        MongoSupport.instant(d, "createdAt"),
        MongoSupport.instant(d, "expiresAt"),
        d.getString("tokenHash"),
        MongoSupport.instant(d, "readyAt"),
        MongoSupport.instant(d, "sentAt"),
        MongoSupport.instant(d, "discardedAt"));
  }

  private static List<Upload> fromDocuments(List<JsonObject> docs) {
    return docs.stream().map(UploadRepository::fromDocument).toList();
  }
}
