package io.parley.chat;

import io.parley.bus.ApiException;
import io.parley.bus.ChatApi.ActiveConversations;
import io.parley.bus.ChatApi.MissedEvents;
import io.parley.bus.ChatApi.Replay;
import io.parley.bus.ChatEvent;
import io.parley.bus.Ids;
import io.parley.chat.Conversation.Removal;
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
    if (!Ids.valid(me) || r.maxEvents() < 1) {
      return Future.failedFuture(ApiException.invalid("userId", "bad replay request"));
    }
    Instant since = Instant.ofEpochMilli(Math.max(0, r.sinceMs()));
    List<String> recipient = List.of(me);
    return conversations
        .forResume(me, since)
        .compose(
            read -> {
              List<Conversation> convs =
                  read.stream().filter(c -> c.members().contains(me)).toList();
              List<Item> items = new ArrayList<>();
              for (Conversation c : convs) {
                conversationItems(c, since, recipient, items);
              }
              for (Conversation c : read) {
                for (Removal rm : c.removed()) {
                  Instant at = rm.at();
                  if (me.equals(rm.userId()) && at != null && !at.isBefore(since)) {
                    items.add(
                        new Item(
                            at.toEpochMilli(),
                            c.id(),
                            0,
                            EventPublisher.removalEvent(me, c.id(), at)));
                  }
                }
              }
              List<String> ids = convs.stream().map(Conversation::id).toList();
              if (ids.isEmpty()) {
                return Future.succeededFuture(reply(items, r.maxEvents()));
              }
              // the conversations the client told us its seq in: everything after it, exactly
              List<Future<List<Message>>> exact = new ArrayList<>();
              r.afterSeqs()
                  .forEach(
                      (conv, after) -> {
                        if (ids.contains(conv)) {
                          exact.add(messages.range(conv, after, 0, 0, r.maxEvents() + 1));
                        }
                      });
              // where the client told us its seq, the range above brings the new messages: only
              // edits and deletions are read by time. Elsewhere everything since the cursor is.
              List<String> told = ids.stream().filter(r.afterSeqs()::containsKey).toList();
              List<String> untold =
                  ids.stream().filter(c -> !r.afterSeqs().containsKey(c)).toList();
              return Future.all(
                      changedSince(untold, since, false, r.maxEvents() + 1),
                      changedSince(told, since, true, r.maxEvents() + 1),
                      Future.all(new ArrayList<>(exact)))
                  .map(
                      found -> {
                        // the exact ranges first: a message found there too is new to the client
                        // whenever it was created (an edit found by time must not hide that)
                        java.util.Set<String> seen = new java.util.HashSet<>();
                        for (Future<List<Message>> f : exact) {
                          for (Message m : f.result()) {
                            messageItems(
                                m, Instant.EPOCH, since, recipient, r.afterSeqs(), items, seen);
                          }
                        }
                        for (int q = 0; q < 2; q++) {
                          for (Message m : found.<List<Message>>resultAt(q)) {
                            messageItems(m, since, since, recipient, r.afterSeqs(), items, seen);
                          }
                        }
                        return reply(items, r.maxEvents());
                      });
            });
  }

  private Future<List<Message>> changedSince(
      List<String> ids, Instant since, boolean editedOnly, int limit) {
    return ids.isEmpty()
        ? Future.succeededFuture(List.of())
        : messages.changedSince(ids, since, editedOnly, limit);
  }

  private static void conversationItems(
      Conversation c, Instant since, List<String> recipient, List<Item> items) {
    String conv = c.id();
    Instant updated = c.updatedAt();
    if (updated != null && !updated.isBefore(since)) {
      long version = c.version();
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
    for (Map.Entry<String, Instant> receipt : c.receiptsAt().entrySet()) {
      String user = receipt.getKey();
      Instant at = receipt.getValue();
      if (at == null || at.isBefore(since)) {
        continue;
      }
      long r = c.marker("read", user);
      long d = c.marker("delivered", user);
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

  /**
   * The events a stored message contributes: its creation since {@code createdSince} (unless the
   * client has it: seq at or below its {@code afterSeqs} entry), and its last change (edit or
   * deletion) since {@code changedSince}. {@code seen} drops a message found by both queries.
   */
  private static void messageItems(
      Message m,
      Instant createdSince,
      Instant changedSince,
      List<String> recipient,
      java.util.Map<String, Long> afterSeqs,
      List<Item> items,
      java.util.Set<String> seen) {
    String conv = m.conversationId();
    long seq = m.seq();
    if (!seen.add(conv + ":" + seq)) {
      return;
    }
    Instant created = m.createdAt();
    Instant updated = m.updatedAt();
    long version = m.version();
    Long known = afterSeqs.get(conv);
    boolean isNew =
        created != null && !created.isBefore(createdSince) && (known == null || seq > known);
    boolean isChanged = version > 1 && updated != null && !updated.isBefore(changedSince);
    if (!isNew && !isChanged) {
      return;
    }
    JsonObject view = Views.message(m);
    if (isNew) {
      items.add(
          new Item(
              created.toEpochMilli(),
              conv,
              seq,
              EventPublisher.messageCreatedEvent(recipient, view, created)));
    }
    if (isChanged) {
      items.add(
          new Item(
              updated.toEpochMilli(),
              conv,
              0,
              EventPublisher.messageUpdatedEvent(recipient, view, version, updated)));
    }
  }

  /** One event of a reply: id, frame, conversation, and the seq of a {@code message.created}. */
  static JsonObject entry(ChatEvent e, long seq) {
    return new JsonObject()
        .put("id", e.id())
        .put("frame", e.frame().toString())
        .put("conversationId", e.conversationId())
        .put("seq", seq);
  }

  /**
   * What a hub's feed lacks of one conversation: its {@code message.created} events in a seq range
   * (and not older than {@code sinceMs}), in seq order, with the conversation's members (their
   * recipients). The hub is infrastructure: it asks for whichever of its streams need them.
   */
  Future<JsonObject> missed(MissedEvents m) {
    if (!Ids.valid(m.conversationId()) || m.maxEvents() < 1) {
      return Future.failedFuture(
          ApiException.invalid("conversationId", "bad missed-events request"));
    }
    return Future.all(
            conversations.membersOf(m.conversationId()),
            messages.range(
                m.conversationId(), m.afterSeq(), m.beforeSeq(), m.sinceMs(), m.maxEvents() + 1))
        .map(
            both -> {
              List<String> members = both.resultAt(0);
              List<Message> found = both.resultAt(1);
              boolean truncated = found.size() > m.maxEvents();
              JsonArray out = new JsonArray();
              for (Message d : truncated ? found.subList(0, m.maxEvents()) : found) {
                out.add(
                    entry(
                        EventPublisher.messageCreatedEvent(
                            members, Views.message(d), d.createdAt()),
                        d.seq()));
              }
              return new JsonObject()
                  .put("events", out)
                  .put("members", new JsonArray(members))
                  .put("truncated", truncated);
            });
  }

  /** Conversations with a message recorded since a time: the hubs' periodic gap check. */
  Future<JsonObject> active(ActiveConversations a) {
    return conversations
        .activeSince(Instant.ofEpochMilli(Math.max(0, a.sinceMs())), a.max() + 1)
        .map(
            docs -> {
              boolean truncated = docs.size() > a.max();
              JsonArray out = new JsonArray();
              for (Conversation c : truncated ? docs.subList(0, a.max()) : docs) {
                Instant last = c.lastMessageAt();
                out.add(
                    new JsonObject()
                        .put("id", c.id())
                        .put("lastSeq", c.lastSeq())
                        .put("lastMessageAtMs", last == null ? 0L : last.toEpochMilli())
                        .put("members", new JsonArray(new ArrayList<>(c.members()))));
              }
              return new JsonObject().put("conversations", out).put("truncated", truncated);
            });
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
        out.add(entry(it.event(), it.seq()));
      }
    }
    return new JsonObject().put("events", out).put("truncated", truncated);
  }
}
