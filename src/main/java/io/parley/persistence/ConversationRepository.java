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
 * The {@code conversations} collection. Every query that reads or changes a conversation for a user
 * filters on {@code members}, so a non-member finds nothing. Fields: type, members, admins, title,
 * createdBy, createdAt, updatedAt + version (metadata changes), lastSeq, lastMessageAt, archivedBy,
 * readMarkers / deliveredMarkers {userId: seq}, receiptsAt {userId: date}, removed [{userId, at}],
 * directKey (direct conversations: the sorted member pair, unique).
 */
final class ConversationRepository {
  static final String COLLECTION = "conversations";

  private final MongoClient mongo;

  ConversationRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  Future<JsonObject> insert(JsonObject doc) {
    return mongo.insert(COLLECTION, doc).map(ignored -> doc);
  }

  static JsonObject newConversation(
      String type,
      List<String> members,
      List<String> admins,
      String title,
      String createdBy,
      Instant now) {
    JsonObject date = MongoSupport.date(now);
    return new JsonObject()
        .put("_id", MongoSupport.newId())
        .put("type", type)
        .put("members", new JsonArray(List.copyOf(members)))
        .put("admins", new JsonArray(List.copyOf(admins)))
        .put("title", title)
        .put("createdBy", createdBy)
        .put("createdAt", date)
        .put("updatedAt", date)
        .put("version", 1L)
        .put("lastSeq", 0L)
        .put("lastMessageAt", date)
        .put("archivedBy", new JsonArray())
        .put("readMarkers", new JsonObject())
        .put("deliveredMarkers", new JsonObject())
        .put("receiptsAt", new JsonObject())
        .put("removed", new JsonArray());
  }

  Future<JsonObject> findByDirectKey(String key) {
    return mongo.findOne(COLLECTION, new JsonObject().put("directKey", key), null);
  }

  /** The conversation if {@code userId} is a member, else null. */
  Future<JsonObject> findForMember(String conversationId, String userId) {
    if (!MongoSupport.isId(conversationId)) {
      return Future.succeededFuture(null);
    }
    return mongo.findOne(COLLECTION, member(conversationId, userId), null);
  }

  /** A page of the user's conversations, newest activity first, after the cursor. */
  Future<List<JsonObject>> listForMember(String userId, boolean archived, Cursor after, int limit) {
    JsonObject q = new JsonObject().put("members", userId);
    q.put("archivedBy", archived ? userId : new JsonObject().put("$ne", userId));
    if (after != null) {
      JsonObject at = MongoSupport.date(Instant.ofEpochMilli(after.lastMessageAtMs()));
      q.put(
          "$or",
          new JsonArray()
              .add(new JsonObject().put("lastMessageAt", new JsonObject().put("$lt", at)))
              .add(
                  new JsonObject()
                      .put("lastMessageAt", at)
                      .put("_id", new JsonObject().put("$lt", after.id()))));
    }
    return mongo.findWithOptions(
        COLLECTION,
        q,
        new FindOptions()
            .setSort(new JsonObject().put("lastMessageAt", -1).put("_id", -1))
            .setLimit(limit));
  }

  /**
   * What a send needs of a conversation the sender belongs to: its members (the event's recipients)
   * and {@code lastSeq}, the highest seq stored (a hint: the messages' unique index decides). Null
   * when the sender is not a member.
   */
  Future<JsonObject> findForSend(String conversationId, String senderId) {
    return mongo.findOne(
        COLLECTION,
        member(conversationId, senderId),
        new JsonObject().put("members", 1).put("lastSeq", 1));
  }

  /**
   * After a message is stored: {@code lastSeq} and the activity time move up to it, and the sender
   * has read (and received) up to their message. {@code $max}: sends finishing out of order never
   * move anything back.
   */
  Future<Void> recordSent(String conversationId, String senderId, long seq, Instant at) {
    JsonObject date = MongoSupport.date(at);
    return mongo
        .updateCollection(
            COLLECTION,
            new JsonObject().put("_id", conversationId),
            new JsonObject()
                .put(
                    "$max",
                    new JsonObject()
                        .put("lastSeq", seq)
                        .put("lastMessageAt", date)
                        .put("readMarkers." + senderId, seq)
                        .put("deliveredMarkers." + senderId, seq)))
        .mapEmpty();
  }

  /**
   * Moves a member's marker forward (never back). Returns the document as it was before, or null
   * when the user is not a member.
   */
  Future<JsonObject> advanceMarker(
      String conversationId, String userId, String type, long upToSeq, Instant at) {
    JsonObject max = new JsonObject().put("deliveredMarkers." + userId, upToSeq);
    if ("read".equals(type)) {
      max.put("readMarkers." + userId, upToSeq);
    }
    return mongo.findOneAndUpdateWithOptions(
        COLLECTION,
        member(conversationId, userId),
        new JsonObject()
            .put("$max", max)
            .put("$set", new JsonObject().put("receiptsAt." + userId, MongoSupport.date(at))),
        new FindOptions(),
        new UpdateOptions().setReturningNewDocument(false));
  }

  Future<Boolean> setArchived(String conversationId, String userId, boolean archived) {
    JsonObject update =
        new JsonObject()
            .put(archived ? "$addToSet" : "$pull", new JsonObject().put("archivedBy", userId));
    return mongo
        .updateCollection(COLLECTION, member(conversationId, userId), update)
        .map(r -> r != null && r.getDocMatched() > 0);
  }

  /** Adds members to a group the caller administers; returns the new document or null. */
  Future<JsonObject> addMembers(
      String conversationId, String adminId, List<String> userIds, Instant now) {
    return mongo.findOneAndUpdateWithOptions(
        COLLECTION,
        member(conversationId, adminId).put("type", "group").put("admins", adminId),
        new JsonObject()
            .put(
                "$addToSet",
                new JsonObject()
                    .put(
                        "members",
                        new JsonObject().put("$each", new JsonArray(List.copyOf(userIds)))))
            .put("$set", new JsonObject().put("updatedAt", MongoSupport.date(now)))
            .put("$inc", new JsonObject().put("version", 1L)),
        new FindOptions(),
        new UpdateOptions().setReturningNewDocument(true));
  }

  /** Removes a member (and their admin role); returns the document before, or null. */
  Future<JsonObject> removeMember(String conversationId, String userId, Instant now) {
    return mongo.findOneAndUpdateWithOptions(
        COLLECTION,
        member(conversationId, userId).put("type", "group"),
        new JsonObject()
            .put("$pull", new JsonObject().put("members", userId).put("admins", userId))
            .put(
                "$push",
                new JsonObject()
                    .put(
                        "removed",
                        new JsonObject().put("userId", userId).put("at", MongoSupport.date(now))))
            .put("$set", new JsonObject().put("updatedAt", MongoSupport.date(now)))
            .put("$inc", new JsonObject().put("version", 1L)),
        new FindOptions(),
        new UpdateOptions().setReturningNewDocument(false));
  }

  /** A group left without admins gets its longest-standing remaining member as admin. */
  Future<JsonObject> ensureAdmin(String conversationId) {
    return mongo
        .findOne(COLLECTION, new JsonObject().put("_id", conversationId), null)
        .compose(
            doc -> {
              if (doc == null
                  || !doc.getJsonArray("admins", new JsonArray()).isEmpty()
                  || doc.getJsonArray("members", new JsonArray()).isEmpty()) {
                return Future.succeededFuture(doc);
              }
              String heir = doc.getJsonArray("members").getString(0);
              return mongo.findOneAndUpdateWithOptions(
                  COLLECTION,
                  new JsonObject().put("_id", conversationId).put("admins", new JsonArray()),
                  new JsonObject().put("$addToSet", new JsonObject().put("admins", heir)),
                  new FindOptions(),
                  new UpdateOptions().setReturningNewDocument(true));
            });
  }

  Future<JsonObject> updateTitle(String conversationId, String adminId, String title, Instant now) {
    return mongo.findOneAndUpdateWithOptions(
        COLLECTION,
        member(conversationId, adminId).put("type", "group").put("admins", adminId),
        new JsonObject()
            .put(
                "$set",
                new JsonObject().put("title", title).put("updatedAt", MongoSupport.date(now)))
            .put("$inc", new JsonObject().put("version", 1L)),
        new FindOptions(),
        new UpdateOptions().setReturningNewDocument(true));
  }

  /** The members of a conversation (empty when it does not exist). */
  Future<List<String>> membersOf(String conversationId) {
    return mongo
        .findOne(
            COLLECTION,
            new JsonObject().put("_id", conversationId),
            new JsonObject().put("members", 1))
        .map(d -> d == null ? List.of() : EventPublisher.strings(d.getJsonArray("members")));
  }

  /** Conversations with a message recorded at or after {@code since} (index lastMessageAt). */
  Future<List<JsonObject>> activeSince(Instant since, int limit) {
    return mongo.findWithOptions(
        COLLECTION,
        new JsonObject()
            .put("lastMessageAt", new JsonObject().put("$gte", MongoSupport.date(since)))
            .put("lastSeq", new JsonObject().put("$gt", 0)),
        new FindOptions()
            .setSort(new JsonObject().put("lastMessageAt", -1))
            .setLimit(limit)
            .setFields(
                new JsonObject().put("lastSeq", 1).put("lastMessageAt", 1).put("members", 1)));
  }

  /** Every conversation the user belongs to now (resume looks for changes in these). */
  Future<List<JsonObject>> allForMember(String userId) {
    return mongo.find(COLLECTION, new JsonObject().put("members", userId));
  }

  /** Conversations the user was removed from at or after {@code since}. */
  Future<List<JsonObject>> removedSince(String userId, Instant since) {
    return mongo.find(
        COLLECTION,
        new JsonObject()
            .put(
                "removed",
                new JsonObject()
                    .put(
                        "$elemMatch",
                        new JsonObject()
                            .put("userId", userId)
                            .put("at", new JsonObject().put("$gte", MongoSupport.date(since))))));
  }

  private static JsonObject member(String conversationId, String userId) {
    return new JsonObject().put("_id", conversationId).put("members", userId);
  }

  /** Position in the conversation list: the last entry's activity time and id. */
  record Cursor(long lastMessageAtMs, String id) {
    String encode() {
      return java.util.Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              (lastMessageAtMs + ":" + id).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** Null when the text is not a cursor we issued. */
    static Cursor decode(String text) {
      try {
        String s =
            new String(
                java.util.Base64.getUrlDecoder().decode(text),
                java.nio.charset.StandardCharsets.US_ASCII);
        int colon = s.indexOf(':');
        long ms = Long.parseLong(s.substring(0, colon));
        String id = s.substring(colon + 1);
        return MongoSupport.isId(id) ? new Cursor(ms, id) : null;
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
