package io.parley.chat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/** Conversations and messages as the API shows them (dates as ISO-8601 strings). */
final class Views {
  private Views() {}

  static String iso(Instant at) {
    return at == null ? null : at.toString();
  }

  static JsonObject message(Message m) {
    return new JsonObject()
        .put("id", m.id())
        .put("conversationId", m.conversationId())
        .put("seq", m.seq())
        .put("senderId", m.senderId())
        .put("clientId", m.clientId())
        .put("text", m.text())
        .put("attachments", m.attachments())
        .put("createdAt", iso(m.createdAt()))
        .put("editedAt", iso(m.editedAt()))
        .put("deletedAt", iso(m.deletedAt()))
        .put("deliveredTo", new JsonArray(new ArrayList<>(m.deliveredTo())))
        .put("readBy", new JsonArray(new ArrayList<>(m.readBy())));
  }

  /** What every member sees alike (also the payload of conversation events). */
  static JsonObject conversation(Conversation c) {
    return new JsonObject()
        .put("id", c.id())
        .put("type", c.type())
        .put("title", c.title())
        .put("members", new JsonArray(new ArrayList<>(c.members())))
        .put("admins", new JsonArray(new ArrayList<>(c.admins())))
        .put("createdBy", c.createdBy())
        .put("createdAt", iso(c.createdAt()))
        .put("updatedAt", iso(c.updatedAt()))
        .put("lastSeq", c.lastSeq())
        .put("lastMessageAt", iso(c.lastMessageAt()))
        .put("readMarkers", markers(c.readMarkers()))
        .put("deliveredMarkers", markers(c.deliveredMarkers()));
  }

  /**
   * The conversation as one member sees it: with their unread count, archive flag, last message.
   */
  static JsonObject conversationFor(Conversation c, String userId, Message lastMessage) {
    return conversation(c)
        .put("unreadCount", Math.max(0, c.lastSeq() - c.marker("read", userId)))
        .put("archived", c.archivedBy().contains(userId))
        .put("lastMessage", lastMessage == null ? null : message(lastMessage));
  }

  private static JsonObject markers(Map<String, Long> markers) {
    return new JsonObject(new LinkedHashMap<>(markers));
  }
}
