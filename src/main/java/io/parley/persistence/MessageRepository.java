package io.parley.persistence;

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
 * The {@code messages} collection. A message: conversationId, seq, senderId, clientId, text,
 * attachments, createdAt, updatedAt + version (bumped by edits and deletion), editedAt, edits
 * (earlier texts), deletedAt, deliveredTo, readBy, contentHash (for idempotent retries).
 */
final class MessageRepository {
  static final String COLLECTION = "messages";

  /** Reads that serve clients never load the edit history. */
  private static final JsonObject WITHOUT_EDITS = new JsonObject().put("edits", 0);

  private final MongoClient mongo;

  MessageRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  Future<JsonObject> insert(JsonObject doc) {
    return mongo.insert(COLLECTION, doc).map(ignored -> doc);
  }

  Future<JsonObject> findByClientId(String senderId, String clientId) {
    return mongo.findOne(
        COLLECTION,
        new JsonObject().put("senderId", senderId).put("clientId", clientId),
        WITHOUT_EDITS);
  }

  Future<JsonObject> findById(String id) {
    if (!MongoSupport.isId(id)) {
      return Future.succeededFuture(null);
    }
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", id), null);
  }

  /**
   * Messages with {@code after < seq < before} ({@code after} −1 and {@code before} 0: no bound)
   * created at or after {@code sinceMs}, in seq order, at most {@code limit}.
   */
  Future<List<JsonObject>> range(
      String conversationId, long after, long before, long sinceMs, int limit) {
    JsonObject seq = new JsonObject().put("$gt", Math.max(0, after));
    if (before > 0) {
      seq.put("$lt", before);
    }
    JsonObject q = new JsonObject().put("conversationId", conversationId).put("seq", seq);
    if (sinceMs > 0) {
      q.put(
          "createdAt",
          new JsonObject().put("$gte", MongoSupport.date(Instant.ofEpochMilli(sinceMs))));
    }
    return mongo.findWithOptions(
        COLLECTION,
        q,
        new FindOptions()
            .setSort(new JsonObject().put("seq", 1))
            .setLimit(limit)
            .setFields(WITHOUT_EDITS));
  }

  /** The highest seq stored in the conversation (0 when it has no message). */
  Future<Long> lastSeq(String conversationId) {
    return mongo
        .findWithOptions(
            COLLECTION,
            new JsonObject().put("conversationId", conversationId),
            new FindOptions()
                .setSort(new JsonObject().put("seq", -1))
                .setLimit(1)
                .setFields(new JsonObject().put("seq", 1)))
        .map(l -> l.isEmpty() ? 0L : l.get(0).getLong("seq", 0L));
  }

  /** The message with the highest seq at or below {@code seq}. */
  Future<JsonObject> latest(String conversationId, long seq) {
    return mongo
        .findWithOptions(
            COLLECTION,
            new JsonObject()
                .put("conversationId", conversationId)
                .put("seq", new JsonObject().put("$lte", seq)),
            new FindOptions()
                .setSort(new JsonObject().put("seq", -1))
                .setLimit(1)
                .setFields(WITHOUT_EDITS))
        .map(l -> l.isEmpty() ? null : l.get(0));
  }

  /**
   * Messages with {@code after < seq < before} (either bound optional), {@code limit} of them: the
   * oldest ones when only {@code after} is given, else the newest ones. Ascending seq.
   */
  Future<List<JsonObject>> page(String conversationId, Long before, Long after, int limit) {
    JsonObject range = new JsonObject();
    if (before != null) {
      range.put("$lt", before);
    }
    if (after != null) {
      range.put("$gt", after);
    }
    JsonObject q = new JsonObject().put("conversationId", conversationId);
    if (!range.isEmpty()) {
      q.put("seq", range);
    }
    boolean oldestFirst = after != null && before == null;
    return mongo
        .findWithOptions(
            COLLECTION,
            q,
            new FindOptions()
                .setSort(new JsonObject().put("seq", oldestFirst ? 1 : -1))
                .setLimit(limit)
                .setFields(WITHOUT_EDITS))
        .map(
            l -> {
              if (oldestFirst) {
                return l;
              }
              List<JsonObject> asc = new java.util.ArrayList<>(l);
              java.util.Collections.reverse(asc);
              return asc;
            });
  }

  /** Earlier texts kept per message: a message cannot grow without bound by being edited. */
  static final int EDITS_KEPT = 20;

  /**
   * Replaces the text of the sender's undeleted message if it is still at {@code version}. The
   * previous text joins {@code edits}, which keeps the last {@link #EDITS_KEPT}; {@code editCount}
   * counts them all. The version guard makes the read-modify-write atomic.
   */
  Future<JsonObject> edit(JsonObject current, String text, Instant now) {
    JsonObject date = MongoSupport.date(now);
    JsonArray edits = current.getJsonArray("edits", new JsonArray()).copy();
    edits.add(new JsonObject().put("text", current.getString("text")).put("at", date));
    while (edits.size() > EDITS_KEPT) {
      edits.remove(0);
    }
    return mongo.findOneAndUpdateWithOptions(
        COLLECTION,
        new JsonObject()
            .put("_id", current.getString("_id"))
            .put("version", current.getLong("version"))
            .putNull("deletedAt"),
        new JsonObject()
            .put(
                "$set",
                new JsonObject()
                    .put("text", text)
                    .put("editedAt", date)
                    .put("updatedAt", date)
                    .put("edits", edits))
            .put("$inc", new JsonObject().put("version", 1L).put("editCount", 1L)),
        new FindOptions().setFields(WITHOUT_EDITS),
        new UpdateOptions().setReturningNewDocument(true));
  }

  /** Whether a message of the conversation that is not deleted carries the upload. */
  Future<Boolean> carries(String conversationId, String uploadId) {
    return mongo
        .findOne(
            COLLECTION,
            new JsonObject()
                .put("conversationId", conversationId)
                .put("attachments.uploadId", uploadId)
                .putNull("deletedAt"),
            new JsonObject().put("_id", 1))
        .map(d -> d != null);
  }

  /** Those of {@code uploadIds} that some message not deleted carries. */
  Future<java.util.Set<String>> carried(List<String> uploadIds) {
    return mongo
        .findWithOptions(
            COLLECTION,
            new JsonObject()
                .put("attachments.uploadId", new JsonObject().put("$in", new JsonArray(uploadIds)))
                .putNull("deletedAt"),
            new FindOptions().setFields(new JsonObject().put("attachments", 1)))
        .map(
            docs -> {
              java.util.Set<String> wanted = new java.util.HashSet<>(uploadIds);
              java.util.Set<String> found = new java.util.HashSet<>();
              for (JsonObject d : docs) {
                for (Object a : d.getJsonArray("attachments", new JsonArray())) {
                  String id = ((JsonObject) a).getString("uploadId");
                  if (wanted.contains(id)) {
                    found.add(id);
                  }
                }
              }
              return found;
            });
  }

  /**
   * Deletes for everyone: the text, attachments and edit history go; the seq stays. The ids of the
   * attachments are kept in {@code removedAttachments}, so that discarding their uploads can be
   * retried.
   */
  Future<JsonObject> tombstone(String id, List<String> removedAttachments, Instant now) {
    JsonObject date = MongoSupport.date(now);
    return mongo.findOneAndUpdateWithOptions(
        COLLECTION,
        new JsonObject().put("_id", id).putNull("deletedAt"),
        new JsonObject()
            .put(
                "$set",
                new JsonObject()
                    .putNull("text")
                    .put("attachments", new JsonArray())
                    .put("removedAttachments", new JsonArray(removedAttachments))
                    .put("edits", new JsonArray())
                    .put("deletedAt", date)
                    .put("updatedAt", date))
            .put("$inc", new JsonObject().put("version", 1L)),
        new FindOptions(),
        new UpdateOptions().setReturningNewDocument(true));
  }

  /** Adds the reader to deliveredTo (and readBy) of others' messages in {@code (from, to]}. */
  Future<Void> markReceipts(String conversationId, String userId, String type, long from, long to) {
    JsonObject add = new JsonObject().put("deliveredTo", userId);
    if ("read".equals(type)) {
      add.put("readBy", userId);
    }
    return mongo
        .updateCollectionWithOptions(
            COLLECTION,
            new JsonObject()
                .put("conversationId", conversationId)
                .put("seq", new JsonObject().put("$gt", from).put("$lte", to))
                .put("senderId", new JsonObject().put("$ne", userId)),
            new JsonObject().put("$addToSet", add),
            new UpdateOptions().setMulti(true))
        .mapEmpty();
  }

  /** Messages of these conversations created or changed at or after {@code since}. */
  Future<List<JsonObject>> changedSince(List<String> conversationIds, Instant since, int limit) {
    return mongo.findWithOptions(
        COLLECTION,
        new JsonObject()
            .put("conversationId", new JsonObject().put("$in", new JsonArray(conversationIds)))
            .put("updatedAt", new JsonObject().put("$gte", MongoSupport.date(since))),
        new FindOptions().setLimit(limit).setFields(WITHOUT_EDITS));
  }
}
