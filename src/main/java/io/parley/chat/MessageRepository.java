package io.parley.chat;

import io.parley.bus.Ids;
import io.parley.chat.Message.Edit;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code messages} collection. A message: conversationId, seq, senderId, clientId, text,
 * attachments, createdAt, updatedAt + version (bumped by edits and deletion), editedAt, edits
 * (earlier texts), deletedAt, deliveredTo, readBy, contentHash (for idempotent retries),
 * removedAttachments (what a deletion took away). Callers see {@link Message} records; documents,
 * ids and dates stay in here.
 */
final class MessageRepository {
  static final String COLLECTION = "messages";

  /**
   * The indexes of docs/data-model.md. Two are unique and make sending safe without a lock: {@code
   * (conversationId, seq)} (no two messages share a seq) and {@code (senderId, clientId)} (a retry
   * finds its first attempt). The others serve history, resume (changes since a time) and who may
   * read an attachment (the messages that carry it). Every index costs every write, so there is
   * none that no query reads (see {@link #RETIRED_INDEXES}).
   */
  static final List<Index> INDEXES =
      List.of(
          Index.of(COLLECTION, new JsonObject().put("conversationId", 1).put("createdAt", -1)),
          Index.unique(COLLECTION, new JsonObject().put("conversationId", 1).put("seq", 1)),
          Index.of(COLLECTION, new JsonObject().put("conversationId", 1).put("updatedAt", 1)),
          Index.unique(COLLECTION, new JsonObject().put("senderId", 1).put("clientId", 1)),
          Index.of(
              COLLECTION,
              new JsonObject().put("attachments.uploadId", 1).put("conversationId", 1)));

  /**
   * Indexes of the original design that no query reads, created by versions before 2026-12-08 and
   * dropped at start-up: {@code {senderId:1, createdAt:-1}}, {@code {deliveredTo:1}} and {@code
   * {readBy:1}}. The last two are multikey: every receipt added an entry per message it covered.
   */
  static final List<MongoSupport.RetiredIndex> RETIRED_INDEXES =
      List.of(
          new MongoSupport.RetiredIndex(COLLECTION, "senderId_1_createdAt_-1"),
          new MongoSupport.RetiredIndex(COLLECTION, "deliveredTo_1"),
          new MongoSupport.RetiredIndex(COLLECTION, "readBy_1"));

  /** Reads that serve clients never load the edit history. */
  private static final JsonObject WITHOUT_EDITS = new JsonObject().put("edits", 0);

  private final MongoClient mongo;

  MessageRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  /**
   * Stores a new message; false when one of the unique indexes refused it (its seq is taken, or its
   * sender already used its clientId).
   */
  Future<Boolean> insert(Message m) {
    return MongoSupport.insertUnique(mongo, COLLECTION, document(m));
  }

  /** A new message with a new id, sent at {@code at}; {@code text} null when it has none. */
  static Message newMessage(
      String conversationId,
      long seq,
      String senderId,
      String clientId,
      String text,
      JsonArray attachments,
      String contentHash,
      Instant at) {
    return new Message(
        MongoSupport.newId(),
        conversationId,
        seq,
        senderId,
        clientId,
        text,
        attachments,
        contentHash,
        at,
        at,
        1L,
        null,
        null,
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  /** The stored form of a message ({@code removedAttachments} only once there are some). */
  static JsonObject document(Message m) {
    JsonObject doc =
        new JsonObject()
            .put("_id", m.id())
            .put("conversationId", m.conversationId())
            .put("seq", m.seq())
            .put("senderId", m.senderId())
            .put("clientId", m.clientId())
            .put("text", m.text())
            .put("attachments", m.attachments())
            .put("contentHash", m.contentHash())
            .put("createdAt", date(m.createdAt()))
            .put("updatedAt", date(m.updatedAt()))
            .put("version", m.version())
            .put("editedAt", date(m.editedAt()))
            .put("deletedAt", date(m.deletedAt()))
            .put("edits", edits(m.edits()))
            .put("deliveredTo", new JsonArray(new ArrayList<>(m.deliveredTo())))
            .put("readBy", new JsonArray(new ArrayList<>(m.readBy())));
    if (!m.removedAttachments().isEmpty()) {
      doc.put("removedAttachments", new JsonArray(new ArrayList<>(m.removedAttachments())));
    }
    return doc;
  }

  /**
   * A stored message as a record (null for null). Fields a projection left out read as null, zero
   * or empty; {@code version} as 1.
   */
  static Message fromDocument(JsonObject d) {
    if (d == null) {
      return null;
    }
    List<Edit> edits = new ArrayList<>();
    for (Object o : d.getJsonArray("edits", new JsonArray())) {
      JsonObject e = (JsonObject) o;
      edits.add(new Edit(e.getString("text"), MongoSupport.instant(e, "at")));
    }
    return new Message(
        d.getString("_id"),
        d.getString("conversationId"),
        d.getLong("seq", 0L),
        d.getString("senderId"),
        d.getString("clientId"),
        d.getString("text"),
        d.getJsonArray("attachments", new JsonArray()),
        d.getString("contentHash"),
        MongoSupport.instant(d, "createdAt"),
        MongoSupport.instant(d, "updatedAt"),
        d.getLong("version", 1L),
        MongoSupport.instant(d, "editedAt"),
        MongoSupport.instant(d, "deletedAt"),
        List.copyOf(edits),
        Documents.strings(d.getJsonArray("deliveredTo")),
        Documents.strings(d.getJsonArray("readBy")),
        Documents.strings(d.getJsonArray("removedAttachments")));
  }

  /**
   * Applies {@code update} to the message {@code filter} finds and returns it as it is after (its
   * edit history left out with {@code withoutEdits}), or null when none matched.
   */
  private Future<Message> findAndUpdate(
      JsonObject filter, JsonObject update, boolean withoutEdits) {
    return mongo
        .findOneAndUpdateWithOptions(
            COLLECTION,
            filter,
            update,
            withoutEdits ? new FindOptions().setFields(WITHOUT_EDITS) : new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .map(MessageRepository::fromDocument);
  }

  /** The filter on one conversation's messages. */
  private static JsonObject inConversation(String conversationId) {
    return new JsonObject().put("conversationId", conversationId);
  }

  private static List<Message> fromDocuments(List<JsonObject> docs) {
    return docs.stream().map(MessageRepository::fromDocument).toList();
  }

  private static JsonObject date(Instant at) {
    return at == null ? null : MongoSupport.date(at);
  }

  private static JsonArray edits(List<Edit> edits) {
    JsonArray out = new JsonArray();
    for (Edit e : edits) {
      out.add(new JsonObject().put("text", e.text()).put("at", MongoSupport.date(e.at())));
    }
    return out;
  }

  Future<Message> findByClientId(String senderId, String clientId) {
    return mongo
        .findOne(
            COLLECTION,
            new JsonObject().put("senderId", senderId).put("clientId", clientId),
            WITHOUT_EDITS)
        .map(MessageRepository::fromDocument);
  }

  Future<Message> findById(String id) {
    if (!Ids.valid(id)) {
      return Future.succeededFuture(null);
    }
    return mongo
        .findOne(COLLECTION, new JsonObject().put("_id", id), null)
        .map(MessageRepository::fromDocument);
  }

  /**
   * Messages with {@code after < seq < before} ({@code after} −1 and {@code before} 0: no bound)
   * created at or after {@code sinceMs}, in seq order, at most {@code limit}.
   */
  Future<List<Message>> range(
      String conversationId, long after, long before, long sinceMs, int limit) {
    JsonObject seq = new JsonObject().put("$gt", Math.max(0, after));
    if (before > 0) {
      seq.put("$lt", before);
    }
    JsonObject q = inConversation(conversationId).put("seq", seq);
    if (sinceMs > 0) {
      q.put(
          "createdAt",
          new JsonObject().put("$gte", MongoSupport.date(Instant.ofEpochMilli(sinceMs))));
    }
    return mongo
        .findWithOptions(
            COLLECTION,
            q,
            new FindOptions()
                .setSort(new JsonObject().put("seq", 1))
                .setLimit(limit)
                .setFields(WITHOUT_EDITS))
        .map(MessageRepository::fromDocuments);
  }

  /** The highest seq stored in the conversation (0 when it has no message). */
  Future<Long> lastSeq(String conversationId) {
    return mongo
        .findWithOptions(
            COLLECTION,
            inConversation(conversationId),
            new FindOptions()
                .setSort(new JsonObject().put("seq", -1))
                .setLimit(1)
                .setFields(new JsonObject().put("seq", 1)))
        .map(l -> l.isEmpty() ? 0L : l.get(0).getLong("seq", 0L));
  }

  /** The message with the highest seq at or below {@code seq}. */
  Future<Message> latest(String conversationId, long seq) {
    return mongo
        .findWithOptions(
            COLLECTION,
            inConversation(conversationId).put("seq", new JsonObject().put("$lte", seq)),
            new FindOptions()
                .setSort(new JsonObject().put("seq", -1))
                .setLimit(1)
                .setFields(WITHOUT_EDITS))
        .map(l -> l.isEmpty() ? null : fromDocument(l.get(0)));
  }

  /**
   * Messages with {@code after < seq < before} (either bound optional), {@code limit} of them: the
   * oldest ones when only {@code after} is given, else the newest ones. Ascending seq.
   */
  Future<List<Message>> page(String conversationId, Long before, Long after, int limit) {
    JsonObject range = new JsonObject();
    if (before != null) {
      range.put("$lt", before);
    }
    if (after != null) {
      range.put("$gt", after);
    }
    JsonObject q = inConversation(conversationId);
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
              List<Message> page = fromDocuments(l);
              if (oldestFirst) {
                return page;
              }
              List<Message> asc = new ArrayList<>(page);
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
  Future<Message> edit(Message current, String text, Instant now) {
    JsonObject date = MongoSupport.date(now);
    List<Edit> kept = new ArrayList<>(current.edits());
    kept.add(new Edit(current.text(), now));
    JsonArray edits = edits(kept.subList(Math.max(0, kept.size() - EDITS_KEPT), kept.size()));
    return findAndUpdate(
        new JsonObject()
            .put("_id", current.id())
            .put("version", current.version())
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
        true);
  }

  /** Whether a message of the conversation that is not deleted carries the upload. */
  Future<Boolean> carries(String conversationId, String uploadId) {
    return mongo
        .findOne(
            COLLECTION,
            inConversation(conversationId)
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
  Future<Message> tombstone(String id, List<String> removedAttachments, Instant now) {
    JsonObject date = MongoSupport.date(now);
    return findAndUpdate(
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
        false);
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
            inConversation(conversationId)
                .put("seq", new JsonObject().put("$gt", from).put("$lte", to))
                .put("senderId", new JsonObject().put("$ne", userId)),
            new JsonObject().put("$addToSet", add),
            new UpdateOptions().setMulti(true))
        .mapEmpty();
  }

  /**
   * Messages of these conversations created or changed at or after {@code since}; with {@code
   * editedOnly}, only those edited or deleted (version above 1). On the {@code (conversationId,
   * updatedAt)} index.
   */
  Future<List<Message>> changedSince(
      List<String> conversationIds, Instant since, boolean editedOnly, int limit) {
    JsonObject q =
        new JsonObject()
            .put("conversationId", new JsonObject().put("$in", new JsonArray(conversationIds)))
            .put("updatedAt", new JsonObject().put("$gte", MongoSupport.date(since)));
    if (editedOnly) {
      q.put("version", new JsonObject().put("$gt", 1));
    }
    return mongo
        .findWithOptions(COLLECTION, q, new FindOptions().setLimit(limit).setFields(WITHOUT_EDITS))
        .map(MessageRepository::fromDocuments);
  }
}
