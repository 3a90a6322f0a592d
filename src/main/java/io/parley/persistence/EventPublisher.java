package io.parley.persistence;

import io.parley.bus.Addresses;
import io.parley.bus.ChatEvent;
import io.parley.bus.EventIds;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Publishes an event after each committed write, once, on the clustered bus; every node's SSE hub
 * delivers it to its own streams of the recipients. The frame is encoded here, once.
 */
final class EventPublisher {
  private final Vertx vertx;

  EventPublisher(Vertx vertx) {
    this.vertx = vertx;
  }

  static List<String> strings(JsonArray a) {
    return a == null ? List.of() : a.stream().map(String::valueOf).toList();
  }

  void messageCreated(List<String> members, JsonObject message, Instant at) {
    String conv = message.getString("conversationId");
    publish(
        ChatEvent.of(
            EventIds.messageCreated(at.toEpochMilli(), conv, message.getLong("seq")),
            "message.created",
            conv,
            members,
            new JsonObject().put("conversationId", conv).put("message", message)));
  }

  void messageUpdated(List<String> members, JsonObject message, long version, Instant at) {
    String conv = message.getString("conversationId");
    publish(
        ChatEvent.of(
            EventIds.messageUpdated(at.toEpochMilli(), conv, message.getLong("seq"), version),
            "message.updated",
            conv,
            members,
            new JsonObject().put("conversationId", conv).put("message", message)));
  }

  void receipt(
      List<String> members, String conv, String userId, String type, long upToSeq, Instant at) {
    publish(
        ChatEvent.of(
            EventIds.receipt(at.toEpochMilli(), conv, userId, type, upToSeq),
            "receipt",
            conv,
            members,
            receiptData(conv, userId, type, upToSeq, at)));
  }

  static JsonObject receiptData(String conv, String userId, String type, long upToSeq, Instant at) {
    return new JsonObject()
        .put("conversationId", conv)
        .put("userId", userId)
        .put("type", type)
        .put("upToSeq", upToSeq)
        .put("at", at.toString());
  }

  /** {@code conversation.created} or {@code conversation.updated} with the shared view. */
  void conversation(
      String type, List<String> recipients, JsonObject conversation, long version, Instant at) {
    String conv = conversation.getString("id");
    publish(
        ChatEvent.of(
            EventIds.conversation(at.toEpochMilli(), conv, version),
            type,
            conv,
            recipients,
            new JsonObject().put("conversation", conversation)));
  }

  /** Tells a removed member, and only them, that they left the conversation. */
  void removed(String userId, String conv, Instant at) {
    publish(
        ChatEvent.of(
            EventIds.removal(at.toEpochMilli(), conv, userId),
            "conversation.updated",
            conv,
            List.of(userId),
            removalData(conv, userId, at)));
  }

  static JsonObject removalData(String conv, String userId, Instant at) {
    return new JsonObject()
        .put("conversation", new JsonObject().put("id", conv))
        .put("removed", true)
        .put("userId", userId)
        .put("at", at.toString());
  }

  /** Ephemeral: no id, not stored, never replayed. */
  void typing(List<String> recipients, String conv, String userId) {
    publish(
        ChatEvent.of(
            null,
            "typing",
            conv,
            recipients,
            new JsonObject().put("conversationId", conv).put("userId", userId)));
  }

  private void publish(ChatEvent e) {
    if (!e.recipients().isEmpty()) {
      vertx.eventBus().publish(Addresses.EVENTS, e);
    }
  }
}
