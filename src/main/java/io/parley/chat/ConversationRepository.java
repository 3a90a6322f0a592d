package io.parley.chat;

import io.parley.bus.Ids;
import io.parley.chat.Conversation.Removal;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code conversations} collection. Every query that reads or changes a conversation for a user
 * filters on {@code members}, so a non-member finds nothing. Fields: type, members, admins, title,
 * createdBy, createdAt, updatedAt + version (metadata changes), lastSeq, lastMessageAt, archivedBy,
 * readMarkers / deliveredMarkers {userId: seq}, receiptsAt {userId: date}, removed [{userId, at}],
 * directKey (direct conversations: the sorted member pair, unique). Callers see {@link
 * Conversation} records; documents, ids and dates stay in here.
 */
final class ConversationRepository {
  static final String COLLECTION = "conversations";

  /**
   * The indexes of docs/data-model.md: the member's list (by activity, archived or not), the hubs'
   * gap check (recent activity), resume (changes and removals since a time), and the direct-pair
   * key that makes a direct conversation unique. No compound index may hold two array fields
   * ({@code members}, {@code archivedBy}, {@code admins}): MongoDB refuses every document with two
   * arrays in one index ("cannot index parallel arrays").
   */
  static final List<Index> INDEXES =
      List.of(
          Index.of(COLLECTION, new JsonObject().put("members", 1).put("lastMessageAt", -1)),
          Index.of(COLLECTION, new JsonObject().put("lastMessageAt", -1)),
          Index.of(COLLECTION, new JsonObject().put("members", 1).put("updatedAt", 1)),
          Index.of(COLLECTION, new JsonObject().put("removed.userId", 1)),
          new Index(
              COLLECTION,
              new JsonObject().put("directKey", 1),
              new IndexOptions().unique(true).sparse(true)));

  /**
   * {@code {members:1, archivedBy:1}}, created by versions before 2026-12-08: both fields are
   * arrays, so on MongoDB it made every conversation insert fail; the list is served by {@code
   * {members:1, lastMessageAt:-1}}.
   */
  static final List<MongoSupport.RetiredIndex> RETIRED_INDEXES =
      List.of(new MongoSupport.RetiredIndex(COLLECTION, "members_1_archivedBy_1"));

  private final MongoClient mongo;

  ConversationRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  /** Stores a new conversation; false when its direct-pair key is taken (created concurrently). */
  Future<Boolean> insert(Conversation c) {
    return MongoSupport.insertUnique(mongo, COLLECTION, document(c));
  }

  /**
   * A new conversation with a new id, created now: no message yet, and its activity time is its
   * creation (it sorts first in the members' lists). {@code directKey} only for direct ones.
   */
  static Conversation newConversation(
      String type,
      List<String> members,
      List<String> admins,
      String title,
      String createdBy,
      String directKey,
      Instant now) {
    return new Conversation(
        MongoSupport.newId(),
        type,
        title,
        List.copyOf(members),
        List.copyOf(admins),
        createdBy,
        now,
        now,
        1L,
        0L,
        now,
        List.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        List.of(),
        directKey);
  }

  /** The stored form of a conversation. */
  static JsonObject document(Conversation c) {
    JsonObject markers = new JsonObject();
    JsonObject doc =
        new JsonObject()
            .put("_id", c.id())
            .put("type", c.type())
            .put("members", new JsonArray(new ArrayList<>(c.members())))
            .put("admins", new JsonArray(new ArrayList<>(c.admins())))
            .put("title", c.title())
            .put("createdBy", c.createdBy())
            .put("createdAt", MongoSupport.date(c.createdAt()))
            .put("updatedAt", MongoSupport.date(c.updatedAt()))
            .put("version", c.version())
            .put("lastSeq", c.lastSeq())
            .put("lastMessageAt", MongoSupport.date(c.lastMessageAt()))
            .put("archivedBy", new JsonArray(new ArrayList<>(c.archivedBy())))
            .put("readMarkers", new JsonObject(new LinkedHashMap<>(c.readMarkers())))
            .put("deliveredMarkers", new JsonObject(new LinkedHashMap<>(c.deliveredMarkers())))
            .put("receiptsAt", markers)
            .put("removed", new JsonArray());
    c.receiptsAt().forEach((user, at) -> markers.put(user, MongoSupport.date(at)));
    for (Removal r : c.removed()) {
      doc.getJsonArray("removed")
          .add(new JsonObject().put("userId", r.userId()).put("at", MongoSupport.date(r.at())));
    }
    if (c.directKey() != null) {
      doc.put("directKey", c.directKey());
    }
    return doc;
  }

  /**
   * A stored conversation as a record (null for null). Fields a projection left out read as null,
   * zero or empty; {@code version} as 1.
   */
  static Conversation fromDocument(JsonObject d) {
    if (d == null) {
      return null;
    }
    JsonObject receipts = d.getJsonObject("receiptsAt", new JsonObject());
    Map<String, Instant> receiptsAt = new LinkedHashMap<>();
    for (String user : receipts.fieldNames()) {
      receiptsAt.put(user, MongoSupport.instant(receipts, user));
    }
    List<Removal> removed = new ArrayList<>();
    for (Object o : d.getJsonArray("removed", new JsonArray())) {
      JsonObject r = (JsonObject) o;
      removed.add(new Removal(r.getString("userId"), MongoSupport.instant(r, "at")));
    }
    return new Conversation(
        d.getString("_id"),
        d.getString("type"),
        d.getString("title"),
        Documents.strings(d.getJsonArray("members")),
        Documents.strings(d.getJsonArray("admins")),
        d.getString("createdBy"),
        MongoSupport.instant(d, "createdAt"),
        MongoSupport.instant(d, "updatedAt"),
        d.getLong("version", 1L),
        d.getLong("lastSeq", 0L),
        MongoSupport.instant(d, "lastMessageAt"),
        Documents.strings(d.getJsonArray("archivedBy")),
        Documents.seqs(d.getJsonObject("readMarkers")),
        Documents.seqs(d.getJsonObject("deliveredMarkers")),
        java.util.Collections.unmodifiableMap(receiptsAt),
        List.copyOf(removed),
        d.getString("directKey"));
  }

  Future<Conversation> findByDirectKey(String key) {
    return mongo
        .findOne(COLLECTION, new JsonObject().put("directKey", key), null)
        .map(ConversationRepository::fromDocument);
  }

  /** The conversation if {@code userId} is a member, else null. */
  Future<Conversation> findForMember(String conversationId, String userId) {
    if (!Ids.valid(conversationId)) {
      return Future.succeededFuture(null);
    }
    return mongo
        .findOne(COLLECTION, member(conversationId, userId), null)
        .map(ConversationRepository::fromDocument);
  }

  /** A page of the user's conversations, newest activity first, after the cursor. */
  Future<List<Conversation>> listForMember(
      String userId, boolean archived, Cursor after, int limit) {
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
    return mongo
        .findWithOptions(
            COLLECTION,
            q,
            new FindOptions()
                .setSort(new JsonObject().put("lastMessageAt", -1).put("_id", -1))
                .setLimit(limit))
        .map(ConversationRepository::fromDocuments);
  }

  /**
   * What a send needs of a conversation the sender belongs to: its members (the event's recipients)
   * and {@code lastSeq}, the highest seq stored (a hint: the messages' unique index decides). Null
   * when the sender is not a member (or the id is not one).
   */
  Future<Conversation> findForSend(String conversationId, String senderId) {
    if (!Ids.valid(conversationId)) {
      return Future.succeededFuture(null);
    }
    return mongo
        .findOne(
            COLLECTION,
            member(conversationId, senderId),
            new JsonObject().put("members", 1).put("lastSeq", 1))
        .map(ConversationRepository::fromDocument);
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
   * Moves a member's marker forward (never back). Returns the conversation as it was before, or
   * null when the user is not a member.
   */
  Future<Conversation> advanceMarker(
      String conversationId, String userId, String type, long upToSeq, Instant at) {
    JsonObject max = new JsonObject().put("deliveredMarkers." + userId, upToSeq);
    if ("read".equals(type)) {
      max.put("readMarkers." + userId, upToSeq);
    }
    return findAndUpdate(
        member(conversationId, userId),
        new JsonObject()
            .put("$max", max)
            .put("$set", new JsonObject().put("receiptsAt." + userId, MongoSupport.date(at))),
        false);
  }

  Future<Boolean> setArchived(String conversationId, String userId, boolean archived) {
    JsonObject update =
        new JsonObject()
            .put(archived ? "$addToSet" : "$pull", new JsonObject().put("archivedBy", userId));
    return mongo
        .updateCollection(COLLECTION, member(conversationId, userId), update)
        .map(r -> r != null && r.getDocMatched() > 0);
  }

  /** Adds members to a group the caller administers; returns the conversation after, or null. */
  Future<Conversation> addMembers(
      String conversationId, String adminId, List<String> userIds, Instant now) {
    return findAndUpdate(
        administered(conversationId, adminId),
        new JsonObject()
            .put(
                "$addToSet",
                new JsonObject()
                    .put(
                        "members",
                        new JsonObject().put("$each", new JsonArray(List.copyOf(userIds)))))
            .put("$set", new JsonObject().put("updatedAt", MongoSupport.date(now)))
            .put("$inc", new JsonObject().put("version", 1L)),
        true);
  }

  /** Removes a member (and their admin role); returns the conversation before, or null. */
  Future<Conversation> removeMember(String conversationId, String userId, Instant now) {
    return findAndUpdate(
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
        false);
  }

  /** A group left without admins gets its longest-standing remaining member as admin. */
  Future<Conversation> ensureAdmin(String conversationId) {
    return mongo
        .findOne(COLLECTION, new JsonObject().put("_id", conversationId), null)
        .compose(
            doc -> {
              if (doc == null
                  || !doc.getJsonArray("admins", new JsonArray()).isEmpty()
                  || doc.getJsonArray("members", new JsonArray()).isEmpty()) {
                return Future.succeededFuture(fromDocument(doc));
              }
              String heir = doc.getJsonArray("members").getString(0);
              return findAndUpdate(
                  new JsonObject().put("_id", conversationId).put("admins", new JsonArray()),
                  new JsonObject().put("$addToSet", new JsonObject().put("admins", heir)),
                  true);
            });
  }

  Future<Conversation> updateTitle(
      String conversationId, String adminId, String title, Instant now) {
    return findAndUpdate(
        administered(conversationId, adminId),
        new JsonObject()
            .put(
                "$set",
                new JsonObject().put("title", title).put("updatedAt", MongoSupport.date(now)))
            .put("$inc", new JsonObject().put("version", 1L)),
        true);
  }

  /** The members of a conversation (empty when it does not exist). */
  Future<List<String>> membersOf(String conversationId) {
    return mongo
        .findOne(
            COLLECTION,
            new JsonObject().put("_id", conversationId),
            new JsonObject().put("members", 1))
        .map(d -> d == null ? List.of() : Documents.strings(d.getJsonArray("members")));
  }

  /** Conversations with a message recorded at or after {@code since} (index lastMessageAt). */
  Future<List<Conversation>> activeSince(Instant since, int limit) {
    return mongo
        .findWithOptions(
            COLLECTION,
            new JsonObject()
                .put("lastMessageAt", new JsonObject().put("$gte", MongoSupport.date(since)))
                .put("lastSeq", new JsonObject().put("$gt", 0)),
            new FindOptions()
                .setSort(new JsonObject().put("lastMessageAt", -1))
                .setLimit(limit)
                .setFields(
                    new JsonObject().put("lastSeq", 1).put("lastMessageAt", 1).put("members", 1)))
        .map(ConversationRepository::fromDocuments);
  }

  /**
   * What a resume reads in one round trip: the user's conversations, and those the user was removed
   * from at or after {@code since} ({@code members} and {@code removed.userId} are both indexed, so
   * MongoDB answers each branch of the {@code $or} from its index).
   */
  Future<List<Conversation>> forResume(String userId, Instant since) {
    JsonObject removed =
        new JsonObject()
            .put(
                "removed",
                new JsonObject()
                    .put(
                        "$elemMatch",
                        new JsonObject()
                            .put("userId", userId)
                            .put("at", new JsonObject().put("$gte", MongoSupport.date(since)))));
    return mongo
        .find(
            COLLECTION,
            new JsonObject()
                .put(
                    "$or",
                    new JsonArray().add(new JsonObject().put("members", userId)).add(removed)))
        .map(ConversationRepository::fromDocuments);
  }

  private static List<Conversation> fromDocuments(List<JsonObject> docs) {
    return docs.stream().map(ConversationRepository::fromDocument).toList();
  }

  /**
   * Applies {@code update} to the conversation {@code filter} finds; returns it as it was before
   * (or after, with {@code after}), or null when none matched.
   */
  private Future<Conversation> findAndUpdate(JsonObject filter, JsonObject update, boolean after) {
    return mongo
        .findOneAndUpdateWithOptions(
            COLLECTION,
            filter,
            update,
            new FindOptions(),
            new UpdateOptions().setReturningNewDocument(after))
        .map(ConversationRepository::fromDocument);
  }

  /** A group conversation that {@code adminId} administers. */
  private static JsonObject administered(String conversationId, String adminId) {
    return member(conversationId, adminId).put("type", "group").put("admins", adminId);
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
        return Ids.valid(id) ? new Cursor(ms, id) : null;
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
