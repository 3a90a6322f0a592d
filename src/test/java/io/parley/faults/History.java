package io.parley.faults;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a scenario did and saw, recorded as it happens, checked at the end against the database, in
 * the manner of a Jepsen history: every send attempt with its answer, every event each stream
 * received. {@link #check} compares it with what MongoDB holds and returns the violations plus a
 * one-line summary.
 */
final class History {
  /**
   * One HTTP attempt of a send; {@code status} is -1 for no answer (connection failed or reset).
   */
  record Attempt(
      String sender,
      String clientId,
      String conversationId,
      String node,
      int status,
      Long seq,
      String messageId,
      String error,
      String retryAfter,
      long millis,
      long finishedAt) {
    boolean acknowledged() {
      return status == 200 || status == 201;
    }
  }

  /** A delivered {@code message.created}: which stream, the SSE id, and what it names. */
  record Delivery(
      String stream,
      String user,
      String id,
      String conversationId,
      long seq,
      String messageId,
      long receivedAt) {}

  final Queue attempts = new Queue();
  final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
  final AtomicInteger sendsStarted = new AtomicInteger();
  final ConcurrentLinkedQueue<String> notes = new ConcurrentLinkedQueue<>();

  /**
   * Streams whose deliveries must, at the end, cover every stored message of these conversations.
   */
  final Map<String, Set<String>> streamConversations = new ConcurrentHashMap<>();

  static final class Queue extends ConcurrentLinkedQueue<Attempt> {
    private static final long serialVersionUID = 1L;
  }

  void note(String s) {
    notes.add(s);
  }

  /** The stored view: one entry per message document. */
  record Stored(String id, String conversationId, long seq, String senderId, String clientId) {
    static Stored of(JsonObject d) {
      return new Stored(
          d.getString("_id"),
          d.getString("conversationId"),
          d.getLong("seq"),
          d.getString("senderId"),
          d.getString("clientId"));
    }
  }

  record Result(String summary, List<String> violations, long lostLive) {}

  /**
   * @param stored every message document of the scenario's conversations
   * @param lastSeq each conversation's {@code lastSeq}
   */
  Result check(String scenario, List<Stored> stored, Map<String, Long> lastSeq) {
    List<String> v = new ArrayList<>();
    Map<String, List<Stored>> byKey = new HashMap<>();
    Map<String, TreeSet<Long>> seqs = new HashMap<>();
    for (Stored s : stored) {
      byKey.computeIfAbsent(s.senderId() + ":" + s.clientId(), k -> new ArrayList<>()).add(s);
      if (!seqs.computeIfAbsent(s.conversationId(), k -> new TreeSet<>()).add(s.seq())) {
        v.add("seq " + s.seq() + " of " + s.conversationId() + " stored twice");
      }
    }
    // sends: acknowledged ones stored exactly once, with the seq their answer named
    Map<String, List<Attempt>> bySend = new HashMap<>();
    for (Attempt a : attempts) {
      bySend.computeIfAbsent(a.sender() + ":" + a.clientId(), k -> new ArrayList<>()).add(a);
    }
    int acknowledged = 0;
    int lost = 0;
    for (var e : bySend.entrySet()) {
      List<Stored> docs = byKey.getOrDefault(e.getKey(), List.of());
      if (docs.size() > 1) {
        v.add("send " + e.getKey() + " stored " + docs.size() + " times");
      }
      Set<Long> ackSeqs = new HashSet<>();
      for (Attempt a : e.getValue()) {
        if (a.acknowledged()) {
          ackSeqs.add(a.seq());
        }
      }
      if (!ackSeqs.isEmpty()) {
        acknowledged++;
        if (docs.isEmpty()) {
          lost++;
          v.add("acknowledged send " + e.getKey() + " (seq " + ackSeqs + ") is not stored");
        } else if (ackSeqs.size() > 1 || !ackSeqs.contains(docs.get(0).seq())) {
          v.add(
              "send "
                  + e.getKey()
                  + " acknowledged as seq "
                  + ackSeqs
                  + " but stored as "
                  + docs.get(0).seq());
        }
      }
    }
    // storage: each conversation's seq is 1..lastSeq without a hole
    for (var e : lastSeq.entrySet()) {
      TreeSet<Long> have = seqs.getOrDefault(e.getKey(), new TreeSet<>());
      List<Long> holes = new ArrayList<>();
      for (long s = 1; s <= e.getValue(); s++) {
        if (!have.contains(s)) {
          holes.add(s);
        }
      }
      if (!holes.isEmpty()) {
        v.add(
            KnownDefects.SEQ_HOLE
                + "conversation "
                + e.getKey()
                + " has lastSeq "
                + e.getValue()
                + " but no message at seq "
                + (holes.size() > 10 ? holes.subList(0, 10) + " … (" + holes.size() + ")" : holes));
      }
    }
    // streams: after dropping repeats by id, every stored seq of the stream's conversations,
    // each naming one message
    Map<String, String> messageOfSeq = new HashMap<>();
    for (Stored s : stored) {
      messageOfSeq.put(s.conversationId() + "#" + s.seq(), s.id());
    }
    Map<String, Set<String>> seenIds = new HashMap<>();
    Map<String, Set<String>> seenSeqs = new HashMap<>();
    int repeats = 0;
    int received = 0;
    for (Delivery d : deliveries) {
      received++;
      if (!seenIds.computeIfAbsent(d.stream(), k -> new HashSet<>()).add(d.id())) {
        repeats++;
        continue;
      }
      String key = d.conversationId() + "#" + d.seq();
      String expected = messageOfSeq.get(key);
      if (expected == null) {
        v.add("stream " + d.stream() + " got " + d.id() + ", which names no stored message");
      } else if (!expected.equals(d.messageId())) {
        v.add(
            "stream "
                + d.stream()
                + " got seq "
                + key
                + " as message "
                + d.messageId()
                + ", stored as "
                + expected);
      }
      if (!seenSeqs.computeIfAbsent(d.stream(), k -> new HashSet<>()).add(key)) {
        v.add("stream " + d.stream() + " got " + key + " under two ids");
      }
    }
    int expectedDeliveries = 0;
    int delivered = 0;
    for (var e : streamConversations.entrySet()) {
      Set<String> got = seenSeqs.getOrDefault(e.getKey(), Set.of());
      List<String> missing = new ArrayList<>();
      for (String conv : e.getValue()) {
        for (long s : seqs.getOrDefault(conv, new TreeSet<>())) {
          expectedDeliveries++;
          if (got.contains(conv + "#" + s)) {
            delivered++;
          } else {
            missing.add(conv + "#" + s);
          }
        }
      }
      if (!missing.isEmpty()) {
        v.add(
            KnownDefects.RESUME_GAP
                + "stream "
                + e.getKey()
                + " misses "
                + missing.size()
                + " stored messages after resuming, e.g. "
                + missing.subList(0, Math.min(5, missing.size())));
      }
    }
    long missingDeliveries = (long) expectedDeliveries - delivered;
    String summary =
        String.format(
            "%s: sent=%d acknowledged=%d stored=%d delivered=%d/%d repeats=%d lost=%d"
                + " attempts=%d%s",
            scenario,
            bySend.size(),
            acknowledged,
            stored.size(),
            delivered,
            expectedDeliveries,
            repeats,
            lost + missingDeliveries,
            attempts.size(),
            notes.isEmpty() ? "" : " | " + String.join("; ", notes));
    return new Result(summary, v, missingDeliveries);
  }

  /** Counts of attempts by answer, e.g. {201=990, 503=12, -1=3}. */
  Map<Integer, Integer> statuses() {
    Map<Integer, Integer> m = new java.util.TreeMap<>();
    for (Attempt a : attempts) {
      m.merge(a.status(), 1, Integer::sum);
    }
    return m;
  }
}
