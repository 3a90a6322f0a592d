package io.parley.bus;

import io.parley.bus.AuthApi.Caller;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Payloads of the persistence verticle's addresses: conversations, messages, receipts, typing.
 * Replies are the HTTP API's bodies ({@code {conversation}}, {@code {message}}, …; see
 * docs/api.md).
 */
public final class ChatApi {
  private ChatApi() {}

  static List<String> strings(JsonObject j, String key) {
    JsonArray a = j.getJsonArray(key);
    return a == null ? List.of() : a.stream().map(o -> (String) o).toList();
  }

  static Integer integer(JsonObject j, String key) {
    return j.getInteger(key);
  }

  /** {@code parley.conversations.create}. */
  public record CreateConversation(
      Caller caller, String type, List<String> memberIds, String title) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("type", type)
          .put("memberIds", new JsonArray(List.copyOf(memberIds)))
          .put("title", title);
    }

    public static CreateConversation fromJson(JsonObject j) {
      return new CreateConversation(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("type"),
          strings(j, "memberIds"),
          j.getString("title"));
    }
  }

  /**
   * {@code parley.conversations.list}: newest activity first, {@code cursor} from the last page.
   */
  public record ListConversations(Caller caller, boolean archived, int limit, String cursor) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("archived", archived)
          .put("limit", limit)
          .put("cursor", cursor);
    }

    public static ListConversations fromJson(JsonObject j) {
      return new ListConversations(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getBoolean("archived", false),
          j.getInteger("limit", 20),
          j.getString("cursor"));
    }
  }

  /** A caller acting on one conversation: get, archive, unarchive, typing. */
  public record ConversationRef(Caller caller, String conversationId) {
    public JsonObject toJson() {
      return new JsonObject().put("caller", caller.toJson()).put("conversationId", conversationId);
    }

    public static ConversationRef fromJson(JsonObject j) {
      return new ConversationRef(
          Caller.fromJson(j.getJsonObject("caller")), j.getString("conversationId"));
    }
  }

  /** {@code parley.conversations.update}: a group admin renames the group. */
  public record UpdateConversation(Caller caller, String conversationId, String title) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("conversationId", conversationId)
          .put("title", title);
    }

    public static UpdateConversation fromJson(JsonObject j) {
      return new UpdateConversation(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("conversationId"),
          j.getString("title"));
    }
  }

  /** {@code parley.conversations.add-members}. */
  public record AddMembers(Caller caller, String conversationId, List<String> userIds) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("conversationId", conversationId)
          .put("userIds", new JsonArray(List.copyOf(userIds)));
    }

    public static AddMembers fromJson(JsonObject j) {
      return new AddMembers(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("conversationId"),
          strings(j, "userIds"));
    }
  }

  /** {@code parley.conversations.remove-member}: an admin removes someone, or a member leaves. */
  public record RemoveMember(Caller caller, String conversationId, String userId) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("conversationId", conversationId)
          .put("userId", userId);
    }

    public static RemoveMember fromJson(JsonObject j) {
      return new RemoveMember(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("conversationId"),
          j.getString("userId"));
    }
  }

  /** {@code parley.messages.send}. */
  public record SendMessage(
      Caller caller,
      String conversationId,
      String clientId,
      String text,
      List<String> attachmentIds) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("conversationId", conversationId)
          .put("clientId", clientId)
          .put("text", text)
          .put("attachmentIds", new JsonArray(List.copyOf(attachmentIds)));
    }

    public static SendMessage fromJson(JsonObject j) {
      return new SendMessage(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("conversationId"),
          j.getString("clientId"),
          j.getString("text"),
          strings(j, "attachmentIds"));
    }
  }

  /** {@code parley.messages.history}: a page in ascending seq. */
  public record History(
      Caller caller, String conversationId, Long beforeSeq, Long afterSeq, int limit) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("conversationId", conversationId)
          .put("beforeSeq", beforeSeq)
          .put("afterSeq", afterSeq)
          .put("limit", limit);
    }

    public static History fromJson(JsonObject j) {
      return new History(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("conversationId"),
          j.getLong("beforeSeq"),
          j.getLong("afterSeq"),
          j.getInteger("limit", 50));
    }
  }

  /** {@code parley.messages.edit}. */
  public record EditMessage(Caller caller, String messageId, String text) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("messageId", messageId)
          .put("text", text);
    }

    public static EditMessage fromJson(JsonObject j) {
      return new EditMessage(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("messageId"),
          j.getString("text"));
    }
  }

  /** {@code parley.messages.delete}. */
  public record MessageRef(Caller caller, String messageId) {
    public JsonObject toJson() {
      return new JsonObject().put("caller", caller.toJson()).put("messageId", messageId);
    }

    public static MessageRef fromJson(JsonObject j) {
      return new MessageRef(Caller.fromJson(j.getJsonObject("caller")), j.getString("messageId"));
    }
  }

  /** {@code parley.receipts.mark}: {@code delivered} or {@code read}, up to a seq. */
  public record MarkReceipt(Caller caller, String conversationId, String type, long upToSeq) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("conversationId", conversationId)
          .put("type", type)
          .put("upToSeq", upToSeq);
    }

    public static MarkReceipt fromJson(JsonObject j) {
      return new MarkReceipt(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("conversationId"),
          j.getString("type"),
          j.getLong("upToSeq", 0L));
    }
  }

  /**
   * {@code parley.events.replay}: every stored event of the user's conversations at or after {@code
   * sinceMs}, at most {@code maxEvents}. Reply {@code {events: [{id, frame}], truncated}}: frames
   * are the SSE frames exactly as they were published live.
   */
  /**
   * {@code parley.events.replay}: what {@code userId} missed: everything stored since {@code
   * sinceMs}, except that in the conversations of {@code afterSeqs} the messages are those after
   * the given seq (whenever they were stored) and none up to it.
   */
  public record Replay(String userId, long sinceMs, int maxEvents, Map<String, Long> afterSeqs) {
    public Replay(String userId, long sinceMs, int maxEvents) {
      this(userId, sinceMs, maxEvents, Map.of());
    }

    public JsonObject toJson() {
      JsonObject after = new JsonObject();
      afterSeqs.forEach(after::put);
      return new JsonObject()
          .put("userId", userId)
          .put("sinceMs", sinceMs)
          .put("maxEvents", maxEvents)
          .put("afterSeqs", after);
    }

    public static Replay fromJson(JsonObject j) {
      Map<String, Long> after = new java.util.LinkedHashMap<>();
      JsonObject a = j.getJsonObject("afterSeqs", new JsonObject());
      for (String conv : a.fieldNames()) {
        after.put(conv, a.getLong(conv));
      }
      return new Replay(
          j.getString("userId"), j.getLong("sinceMs"), j.getInteger("maxEvents"), after);
    }
  }

  /**
   * {@code parley.events.missed}: the {@code message.created} events of one conversation that an
   * SSE hub found missing from its feed: seq in {@code (afterSeq, beforeSeq)} ({@code afterSeq} −1:
   * unknown, {@code beforeSeq} 0: no upper bound), committed at or after {@code sinceMs}, at most
   * {@code maxEvents}, in seq order. Reply {@code {events: [{id, frame, conversationId, seq}],
   * members, truncated}}.
   */
  public record MissedEvents(
      String conversationId, long afterSeq, long beforeSeq, long sinceMs, int maxEvents) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("conversationId", conversationId)
          .put("afterSeq", afterSeq)
          .put("beforeSeq", beforeSeq)
          .put("sinceMs", sinceMs)
          .put("maxEvents", maxEvents);
    }

    public static MissedEvents fromJson(JsonObject j) {
      return new MissedEvents(
          j.getString("conversationId"),
          j.getLong("afterSeq", -1L),
          j.getLong("beforeSeq", 0L),
          j.getLong("sinceMs", 0L),
          j.getInteger("maxEvents", 1000));
    }
  }

  /**
   * {@code parley.events.active}: conversations with a message recorded at or after {@code sinceMs}
   * (the SSE hubs' periodic check). Reply {@code {conversations: [{id, lastSeq, lastMessageAtMs,
   * members}], truncated}}.
   */
  public record ActiveConversations(long sinceMs, int max) {
    public JsonObject toJson() {
      return new JsonObject().put("sinceMs", sinceMs).put("max", max);
    }

    public static ActiveConversations fromJson(JsonObject j) {
      return new ActiveConversations(j.getLong("sinceMs", 0L), j.getInteger("max", 1000));
    }
  }
}
