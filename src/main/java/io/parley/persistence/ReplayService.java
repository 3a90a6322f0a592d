package io.parley.persistence;

import io.parley.bus.ChatApi.Replay;
import io.parley.bus.ChatEvent;
import io.parley.mongo.MongoSupport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds, from MongoDB, every stored event of a user's conversations at or after a time: the
 * messages created or changed (edits, deletions), receipts, conversation changes and the user's own
 * removals. Events come out in commit-time order, and within each conversation the messages in seq
 * order; each has the id and frame its live twin had, so clients drop repeats by id. Conversations
 * the user no longer belongs to contribute nothing but the removal itself.
 */
final class ReplayService {
  private final ConversationRepository conversations;
  private final MessageRepository messages;

  ReplayService(ConversationRepository conversations, MessageRepository messages) {
    this.conversations = conversations;
    this.messages = messages;
  }

  private record Item(long atMs, String conversationId, long seq, ChatEvent event) {}

  Future<JsonObject> replay(Replay r) {
    String me = r.userId();
    if (!MongoSupport.isId(me) || r.maxEvents() < 1) {
      return Future.failedFuture(ConversationService.invalid("userId", "bad replay request"));
    }
    Instant since = Instant.ofEpochMilli(Math.max(0, r.sinceMs()));
    List<String> recipient = List.of(me);
    return Future.all(conversations.allForMember(me), conversations.removedSince(me, since))
        .compose(
            both -> {
              List<JsonObject> convs = both.resultAt(0);
              List<JsonObject> left = both.resultAt(1);
              List<Item> items = new ArrayList<>();
              for (JsonObject c : convs) {
                conversationItems(c, since, recipient, items);
              }
              for (JsonObject c : left) {
                for (Object o : c.getJsonArray("removed", new JsonArray())) {
                  JsonObject rm = (JsonObject) o;
                  Instant at = MongoSupport.instant(rm, "at");
                  if (me.equals(rm.getString("userId")) && at != null && !at.isBefore(since)) {
                    String conv = c.getString("_id");
                    items.add(
                        new Item(
                            at.toEpochMilli(), conv, 0, EventPublisher.removalEvent(me, conv, at)));
                  }
                }
              }
              List<String> ids = convs.stream().map(c -> c.getString("_id")).toList();
              if (ids.isEmpty()) {
                return Future.succeededFuture(reply(items, r.maxEvents()));
              }
              return messages
                  .changedSince(ids, since, r.maxEvents() + 1)
                  .map(
                      found -> {
                        for (JsonObject m : found) {
                          messageItems(m, since, recipient, items);
                        }
                        return reply(items, r.maxEvents());
                      });
            });
  }

  private static void conversationItems(
      JsonObject c, Instant since, List<String> recipient, List<Item> items) {
    String conv = c.getString("_id");
    Instant updated = MongoSupport.instant(c, "updatedAt");
    if (updated != null && !updated.isBefore(since)) {
      long version = c.getLong("version", 1L);
      items.add(
          new Item(
              updated.toEpochMilli(),
              conv,
              0,
              EventPublisher.conversationEvent(
                  version == 1L ? "conversation.created" : "conversation.updated",
                  recipient,
                  Views.conversation(c),
                  version,
                  updated)));
    }
    JsonObject receiptsAt = c.getJsonObject("receiptsAt", new JsonObject());
    JsonObject read = c.getJsonObject("readMarkers", new JsonObject());
    JsonObject delivered = c.getJsonObject("deliveredMarkers", new JsonObject());
    for (String user : receiptsAt.fieldNames()) {
      Instant at = MongoSupport.instant(receiptsAt, user);
      if (at == null || at.isBefore(since)) {
        continue;
      }
      long r = read.getLong(user, 0L);
      long d = delivered.getLong(user, 0L);
      if (r > 0) {
        items.add(
            new Item(
                at.toEpochMilli(),
                conv,
                0,
                EventPublisher.receiptEvent(recipient, conv, user, "read", r, at)));
      }
      if (d > r) {
        items.add(
            new Item(
                at.toEpochMilli(),
                conv,
                0,
                EventPublisher.receiptEvent(recipient, conv, user, "delivered", d, at)));
      }
    }
  }

  private static void messageItems(
      JsonObject m, Instant since, List<String> recipient, List<Item> items) {
    String conv = m.getString("conversationId");
    long seq = m.getLong("seq");
    JsonObject view = Views.message(m);
    Instant created = MongoSupport.instant(m, "createdAt");
    Instant updated = MongoSupport.instant(m, "updatedAt");
    long version = m.getLong("version", 1L);
    if (created != null && !created.isBefore(since)) {
      items.add(
          new Item(
              created.toEpochMilli(),
              conv,
              seq,
              EventPublisher.messageCreatedEvent(recipient, view, created)));
    }
    if (version > 1 && updated != null && !updated.isBefore(since)) {
      items.add(
          new Item(
              updated.toEpochMilli(),
              conv,
              0,
              EventPublisher.messageUpdatedEvent(recipient, view, version, updated)));
    }
  }

  /**
   * Orders by commit time; then, within each conversation, puts the new messages back in seq order
   * into the slots they occupy (two writers' clocks may disagree by a few milliseconds).
   */
  private static JsonObject reply(List<Item> items, int max) {
    boolean truncated = items.size() > max;
    items.sort(Comparator.comparingLong(Item::atMs).thenComparing(Item::conversationId));
    Map<String, List<Integer>> slots = new HashMap<>();
    Map<String, List<Item>> created = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Item it = items.get(i);
      if (it.seq() > 0) {
        slots.computeIfAbsent(it.conversationId(), k -> new ArrayList<>()).add(i);
        created.computeIfAbsent(it.conversationId(), k -> new ArrayList<>()).add(it);
      }
    }
    created.forEach(
        (conv, list) -> {
          list.sort(Comparator.comparingLong(Item::seq));
          List<Integer> at = slots.get(conv);
          for (int k = 0; k < list.size(); k++) {
            items.set(at.get(k), list.get(k));
          }
        });
    JsonArray out = new JsonArray();
    if (!truncated) {
      for (Item it : items) {
        out.add(
            new JsonObject()
                .put("id", it.event().id())
                .put("frame", it.event().frame().toString()));
      }
    }
    return new JsonObject().put("events", out).put("truncated", truncated);
  }
}
