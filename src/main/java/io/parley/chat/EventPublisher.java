package io.parley.chat;

import io.parley.bus.Addresses;
import io.parley.bus.ChatEvent;
import io.parley.bus.EventIds;
import io.parley.relay.RedisRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Publishes an event after each committed write, once, on the clustered bus (and through the Redis
 * relay when one is configured); every node's SSE hub delivers it to its own streams of the
 * recipients. The frame is encoded here, once. The static builders are shared with {@link
 * ReplayService} so that a replayed event has exactly the id and shape of the live one.
 */
final class EventPublisher {
  private final Vertx vertx;
  private final RedisRelay relay;

  EventPublisher(Vertx vertx, RedisRelay relay) {
    this.vertx = vertx;
    this.relay = relay;
  }

  void messageCreated(List<String> members, JsonObject message, Instant at) {
    publish(messageCreatedEvent(members, message, at));
  }

  void messageUpdated(List<String> members, JsonObject message, long version, Instant at) {
    publish(messageUpdatedEvent(members, message, version, at));
  }

  void receipt(
      List<String> members, String conv, String userId, String type, long upToSeq, Instant at) {
    publish(receiptEvent(members, conv, userId, type, upToSeq, at));
  }

  /** {@code conversation.created} or {@code conversation.updated} with the shared view. */
  void conversation(
      String type, List<String> recipients, JsonObject conversation, long version, Instant at) {
    publish(conversationEvent(type, recipients, conversation, version, at));
  }

  /** Tells a removed member, and only them, that they left the conversation. */
  void removed(String userId, String conv, Instant at) {
    publish(removalEvent(userId, conv, at));
  }

  /**
   * Ephemeral: the frame has no {@code id:}, it is not stored and never replayed. The event's
   * {@code id} is a random key starting with {@code ~} that only lets hubs drop a copy that arrives
   * both over the bus and through Redis.
   */
  void typing(List<String> recipients, String conv, String userId) {
    publish(
        new ChatEvent(
            "~" + UUID.randomUUID(),
            "typing",
            conv,
            List.copyOf(recipients),
            ChatEvent.frame(
                null,
                "typing",
                new JsonObject().put("conversationId", conv).put("userId", userId).encode())));
  }

  static ChatEvent messageCreatedEvent(List<String> members, JsonObject message, Instant at) {
    String conv = message.getString("conversationId");
    return ChatEvent.of(
        EventIds.messageCreated(at.toEpochMilli(), conv, message.getLong("seq")),
        "message.created",
        conv,
        members,
        new JsonObject().put("conversationId", conv).put("message", message));
  }

  static ChatEvent messageUpdatedEvent(
      List<String> members, JsonObject message, long version, Instant at) {
    String conv = message.getString("conversationId");
    return ChatEvent.of(
        EventIds.messageUpdated(at.toEpochMilli(), conv, message.getLong("seq"), version),
        "message.updated",
        conv,
        members,
        new JsonObject().put("conversationId", conv).put("message", message));
  }

  static ChatEvent receiptEvent(
      List<String> members, String conv, String userId, String type, long upToSeq, Instant at) {
    return ChatEvent.of(
        EventIds.receipt(at.toEpochMilli(), conv, userId, type, upToSeq),
        "receipt",
        conv,
        members,
        new JsonObject()
            .put("conversationId", conv)
            .put("userId", userId)
            .put("type", type)
            .put("upToSeq", upToSeq)
            .put("at", at.toString()));
  }

  static ChatEvent conversationEvent(
      String type, List<String> recipients, JsonObject conversation, long version, Instant at) {
    String conv = conversation.getString("id");
    return ChatEvent.of(
        EventIds.conversation(at.toEpochMilli(), conv, version),
        type,
        conv,
        recipients,
        new JsonObject().put("conversation", conversation));
  }

  static ChatEvent removalEvent(String userId, String conv, Instant at) {
    return ChatEvent.of(
        EventIds.removal(at.toEpochMilli(), conv, userId),
        "conversation.updated",
        conv,
        List.of(userId),
        new JsonObject()
            .put("conversation", new JsonObject().put("id", conv))
            .put("removed", true)
            .put("userId", userId)
            .put("at", at.toString()));
  }

  private void publish(ChatEvent e) {
    if (!e.recipients().isEmpty()) {
      vertx.eventBus().publish(Addresses.EVENTS, e);
      if (relay != null) {
        relay.publish(e);
      }
    }
  }
}
