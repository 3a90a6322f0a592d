package io.parley.persistence;

import io.parley.mongo.MongoSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Stored documents as the API shows them (dates as ISO-8601 strings, {@code _id} as {@code id}).
 */
final class Views {
  private Views() {}

  static String iso(JsonObject doc, String key) {
    Instant i = MongoSupport.instant(doc, key);
    return i == null ? null : i.toString();
  }

  static JsonObject message(JsonObject d) {
    return new JsonObject()
        .put("id", d.getString("_id"))
        .put("conversationId", d.getString("conversationId"))
        .put("seq", d.getLong("seq"))
        .put("senderId", d.getString("senderId"))
        .put("clientId", d.getString("clientId"))
        .put("text", d.getString("text"))
        .put("attachments", d.getJsonArray("attachments", new JsonArray()))
        .put("createdAt", iso(d, "createdAt"))
        .put("editedAt", iso(d, "editedAt"))
        .put("deletedAt", iso(d, "deletedAt"))
        .put("deliveredTo", d.getJsonArray("deliveredTo", new JsonArray()))
        .put("readBy", d.getJsonArray("readBy", new JsonArray()));
  }

  /** What every member sees alike (also the payload of conversation events). */
  static JsonObject conversation(JsonObject d) {
    return new JsonObject()
        .put("id", d.getString("_id"))
        .put("type", d.getString("type"))
        .put("title", d.getString("title"))
        .put("members", d.getJsonArray("members", new JsonArray()))
        .put("admins", d.getJsonArray("admins", new JsonArray()))
        .put("createdBy", d.getString("createdBy"))
        .put("createdAt", iso(d, "createdAt"))
        .put("updatedAt", iso(d, "updatedAt"))
        .put("lastSeq", d.getLong("lastSeq", 0L))
        .put("lastMessageAt", iso(d, "lastMessageAt"))
        .put("readMarkers", d.getJsonObject("readMarkers", new JsonObject()))
        .put("deliveredMarkers", d.getJsonObject("deliveredMarkers", new JsonObject()));
  }

  /**
   * The conversation as one member sees it: with their unread count, archive flag, last message.
   */
  static JsonObject conversationFor(JsonObject d, String userId, JsonObject lastMessage) {
    long lastSeq = d.getLong("lastSeq", 0L);
    long read = d.getJsonObject("readMarkers", new JsonObject()).getLong(userId, 0L);
    return conversation(d)
        .put("unreadCount", Math.max(0, lastSeq - read))
        .put("archived", d.getJsonArray("archivedBy", new JsonArray()).contains(userId))
        .put("lastMessage", lastMessage == null ? null : message(lastMessage));
  }
}
