package io.parley.http.sse;

import io.parley.bus.Addresses;
import io.parley.bus.AuthApi.SessionsRevoked;
import io.parley.bus.BusClient;
import io.parley.bus.ChatApi.ActiveConversations;
import io.parley.bus.ChatApi.MissedEvents;
import io.parley.bus.ChatApi.Replay;
import io.parley.bus.ChatEvent;
import io.parley.bus.EventIds;
import io.parley.bus.FeedGap;
import io.parley.config.ParleyConfig.SseConfig;
import io.parley.http.sse.SseStream.Outcome;
import io.parley.http.sse.SseStream.Replayed;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSE hub of one HTTP verticle instance: its open streams indexed by user, one event-bus
 * consumer for all of them (not one per connection), resume, and the repair of gaps. Every
 * published {@link ChatEvent} carries its pre-encoded frame; the hub writes those same bytes to
 * each recipient's streams, on this verticle's event loop.
 *
 * <p><b>An open stream never silently misses a stored event.</b> seq has no holes and is commit
 * order, so the hub sees a gap in its own feed: for each conversation it feeds to its streams it
 * keeps the highest seq fed, and a message further ahead waits (briefly: two writers may publish
 * out of order) and then the missing ones are fetched from MongoDB and written first, in seq order,
 * with the ids the live events have. Other events of that conversation wait behind them. The first
 * message of a conversation new to the hub is checked the same way. Gaps nobody can see — the last
 * message of a conversation lost, with nothing after it — are caught by a periodic check of the
 * conversations with recent messages against what the hub fed ({@link #check}). And when the node
 * knows its feed lost events ({@link FeedGap}: the Redis relay reconnected, the cluster's
 * membership changed, the node was paused), every open stream replays from MongoDB what was stored
 * since. Where a repair is impossible (the database does not answer, too much is missing) the
 * affected streams are ended and their clients resume.
 */
public final class SseHub {
  private static final Logger LOG = LoggerFactory.getLogger(SseHub.class);
  private static final int RECENT_IDS = 20_000;

  /** Conversations whose feed state the hub keeps (least recently fed forgotten beyond). */
  private static final int FEEDS = 100_000;

  /** How long a message ahead of a gap waits for the missing ones to arrive before fetching. */
  static final long REORDER_WAIT_MS = 250;

  /** Messages recorded this recently may still be on their way: the check leaves them alone. */
  static final long IN_FLIGHT_MS = 1_000;

  /** At most this many missing events are fetched for one repair; more ends the streams. */
  private static final int MAX_REPAIR = 1_000;

  /** Streams replaying at once after a feed gap. */
  private static final int GAP_REPLAYS_AT_ONCE = 16;

  private final Vertx vertx;
  private final SseConfig cfg;
  private final BusClient bus;
  private final StreamLimits limits;
  private final Map<String, List<SseStream>> byUser = new HashMap<>();
  private final Map<String, Boolean> recent =
      new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > RECENT_IDS;
        }
      };
  private final Map<String, Feed> feeds =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Feed> eldest) {
          return size() > FEEDS;
        }
      };
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final StreamListener listener;
  private final boolean dedupe;
  private long heartbeatTimer = -1;
  private long checkTimer = -1;
  private long checkedUpToMs;
  private boolean checking;
  private int open;
  private final ArrayDeque<SseStream> gapQueue = new ArrayDeque<>();
  private int gapReplaysRunning;

  /** What the hub fed of one conversation. */
  private static final class Feed {
    /** Highest seq fed to the streams, contiguous; 0 = not known yet (first message pending). */
    long lastSeq;

    /** Messages beyond a gap, by seq, until the gap is filled. */
    TreeMap<Long, ChatEvent> ahead;

    /** Stored events of other kinds that arrived while messages waited: they keep their place. */
    ArrayDeque<ChatEvent> behind;

    long waitTimer = -1;
    boolean fetching;

    boolean waiting() {
      return ahead != null && !ahead.isEmpty();
    }
  }

  /** Hooks for metrics: streams opened/closed, events written, repairs. */
  public interface StreamListener {
    void opened();

    void closed();

    void delivered(int streams, ChatEvent e);

    /** {@code n} stored events written to streams by a repair ({@code kind}: gap, check, feed). */
    default void repaired(String kind, int n) {}

    /** A repair that could not be made: {@code streams} were ended so that their clients resume. */
    default void repairFailed(String kind, int streams) {}

    StreamListener NONE =
        new StreamListener() {
          @Override
          public void opened() {}

          @Override
          public void closed() {}

          @Override
          public void delivered(int streams, ChatEvent e) {}
        };
  }

  public SseHub(
      Vertx vertx, SseConfig cfg, BusClient bus, boolean dedupe, StreamListener listener) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.bus = bus;
    this.dedupe = dedupe;
    this.listener = listener;
    this.limits = new StreamLimits(vertx, cfg.maxStreamsPerUser(), cfg.maxStreamsPerAddress());
  }

  public Future<Void> start() {
    MessageConsumer<ChatEvent> events =
        vertx.eventBus().consumer(Addresses.EVENTS, m -> deliver(m.body()));
    MessageConsumer<JsonObject> revoked =
        vertx
            .eventBus()
            .consumer(Addresses.SESSIONS_REVOKED, m -> revoke(SessionsRevoked.fromJson(m.body())));
    MessageConsumer<JsonObject> gaps =
        vertx.eventBus().consumer(Addresses.FEED_GAP, m -> feedGap(FeedGap.fromJson(m.body())));
    consumers.add(events);
    consumers.add(revoked);
    consumers.add(gaps);
    heartbeatTimer = vertx.setPeriodic(cfg.heartbeatMs(), id -> heartbeat());
    checkedUpToMs = System.currentTimeMillis();
    checkTimer = vertx.setPeriodic(cfg.checkIntervalMs(), id -> check());
    return Future.all(events.completion(), revoked.completion(), gaps.completion()).mapEmpty();
  }

  /** Ends every stream (clients reconnect elsewhere and resume), then stops listening. */
  public Future<Void> stop() {
    vertx.cancelTimer(heartbeatTimer);
    vertx.cancelTimer(checkTimer);
    for (List<SseStream> streams : List.copyOf(byUser.values())) {
      for (SseStream s : List.copyOf(streams)) {
        s.end(null, "node shutting down");
      }
    }
    List<Future<?>> all = new ArrayList<>();
    consumers.forEach(c -> all.add(c.unregister()));
    return Future.join(all).mapEmpty();
  }

  /** Open streams held by this hub. */
  public int openStreams() {
    return open;
  }

  /**
   * Reserves a stream slot for the user and the client address on this node; false when either is
   * at its cap. A reserved slot is released when the stream closes (or via {@link #release}).
   */
  public boolean reserve(String userId, String address) {
    return limits.acquire(userId, address);
  }

  public void release(String userId, String address) {
    limits.release(userId, address);
  }

  // --- opening and resuming ---------------------------------------------------------------------

  /**
   * Starts the stream on an already reserved slot: headers and {@code retry:}, then (with a resume
   * cursor) the replay of what the user missed, then live events. Returns what the caller must run
   * when the connection closes (it releases the slot); the caller registers it, because the
   * response has one close handler and the HTTP layer owns it.
   */
  public Runnable open(
      HttpServerResponse response,
      String userId,
      String sessionId,
      String address,
      String lastEventId) {
    long now = System.currentTimeMillis();
    SseStream s =
        new SseStream(
            userId,
            sessionId,
            address,
            response,
            cfg.maxQueuedBytes(),
            StreamCursor.COVER_MS + cfg.resumeWindowMs(),
            now,
            this::closed);
    byUser.computeIfAbsent(userId, k -> new ArrayList<>(2)).add(s);
    open++;
    listener.opened();
    Sse.open(response);
    if (lastEventId == null) {
      // a cursor from the first byte: a client that loses the stream before its first event
      // resumes from here instead of starting blind
      s.startFresh(now);
      s.writeCursor(now);
      return s::gone;
    }
    StreamCursor cursor = StreamCursor.decode(lastEventId);
    if (cursor == null || cursor.atMs() > now + cfg.resumeWindowMs()) {
      s.write(resync("cursor_invalid", now));
      return s::gone;
    }
    if (cursor.atMs() < now - cfg.replayMaxAge().toMillis()) {
      s.write(resync("cursor_too_old", now));
      return s::gone;
    }
    // the client has, per conversation listed, everything up to that seq: the replay skips it
    s.seed(cursor);
    long since = cursor.atMs() - StreamCursor.COVER_MS - cfg.resumeWindowMs();
    if (cursor.floorMs() > 0) {
      // the stream's line started there: what was stored before it (less clock skew) is not its
      since = Math.max(since, cursor.floorMs() - cfg.resumeWindowMs());
    }
    catchUp(s, since, lastEventId, true, null);
    return s::gone;
  }

  /**
   * Replays into {@code s} what was stored since {@code sinceMs}, minus what it knows it has; live
   * events wait meanwhile, so nothing falls between the stored events read and the live ones. A
   * failed or oversized replay ends in {@code resync} (when {@code resyncOnFailure}, for a resume)
   * or ends the stream (the client resumes).
   */
  private void catchUp(SseStream s, long sinceMs, String skipId, boolean resume, Runnable done) {
    s.beginCatchUp();
    Replay req = new Replay(s.userId, sinceMs, cfg.replayMaxEvents(), s.knownSeqs());
    long now = System.currentTimeMillis();
    bus.request(Addresses.EVENTS_REPLAY, req.toJson())
        .onComplete(
            ar -> {
              try {
                replayed(s, ar, skipId, resume, now);
              } finally {
                if (done != null) {
                  done.run();
                }
              }
            });
  }

  private void replayed(
      SseStream s,
      io.vertx.core.AsyncResult<JsonObject> ar,
      String skipId,
      boolean resume,
      long now) {
    if (s.closed()) {
      return;
    }
    List<Replayed> found = new ArrayList<>();
    if (ar.failed() || ar.result().getBoolean("truncated", false)) {
      String reason = ar.failed() ? "replay_failed" : "too_many_events";
      if (ar.failed()) {
        LOG.warn("replay for a stream failed: {}", ar.cause().getMessage());
      }
      if (!resume) {
        listener.repairFailed("feed", 1);
        s.end(null, "feed gap could not be replayed");
        return;
      }
      found.add(new Replayed("", resync(reason, now), "", 0));
    } else {
      for (Object o : ar.result().getJsonArray("events", new JsonArray())) {
        found.add(replayed((JsonObject) o));
      }
      if (!resume) {
        listener.repaired("feed", found.size());
      }
    }
    finishCatchUp(s, found, skipId);
  }

  /** Ends a stream's catch-up; gaps among the events that waited are repaired in turn. */
  private void finishCatchUp(SseStream s, List<Replayed> found, String skipId) {
    List<ChatEvent> gaps = s.endCatchUp(found, skipId);
    if (gaps == null || s.closed()) {
      return;
    }
    if (!gaps.isEmpty()) {
      repairStream(s, gaps.get(0));
      return;
    }
    if (s.gapSinceMs >= 0) {
      long since = s.gapSinceMs;
      s.gapSinceMs = -1;
      catchUp(s, since, null, false, null);
    }
  }

  private static Replayed replayed(JsonObject e) {
    return new Replayed(
        e.getString("id"),
        Buffer.buffer(e.getString("frame")),
        e.getString("conversationId", ""),
        e.getLong("seq", 0L));
  }

  private static Buffer resync(String reason, long nowMs) {
    return Sse.frame(
        EventIds.resync(nowMs), "resync", new JsonObject().put("reason", reason).encode());
  }

  private void closed(SseStream s) {
    List<SseStream> list = byUser.get(s.userId);
    if (list != null && list.remove(s)) {
      if (list.isEmpty()) {
        byUser.remove(s.userId);
      }
      open--;
      limits.release(s.userId, s.address);
      listener.closed();
      if (s.closeReason != null && s.closeReason.startsWith("slow_consumer")) {
        LOG.info("dropped a stream of user {}: {}", s.userId, s.closeReason);
      }
    }
  }

  // --- the live feed ----------------------------------------------------------------------------

  /** An event from the bus (or the relay, through the bus): into the feed of its conversation. */
  void deliver(ChatEvent e) {
    if (dedupe && !e.id().isEmpty() && recent.put(e.id(), Boolean.TRUE) != null) {
      return; // arrived both over the bus and through Redis
    }
    if (e.id().isEmpty() || e.conversationId().isEmpty()) {
      fanOut(e, -1); // ephemeral, or not of one conversation
      return;
    }
    long seq = EventIds.messageSeq(e.id());
    Feed f = feeds.get(e.conversationId());
    if (f == null) {
      if (seq <= 0 || !anyStreams(e.recipients())) {
        fanOut(e, -1); // not a message, or nobody here to tell: no feed state needed
        return;
      }
      f = new Feed();
      feeds.put(e.conversationId(), f);
      // new to this hub: whether its predecessors reached our streams is not known, unless it is
      // the conversation's first message
      f.lastSeq = seq == 1 ? 0 : -1;
    }
    feed(e.conversationId(), f, e, seq);
  }

  private void feed(String conv, Feed f, ChatEvent e, long seq) {
    if (seq <= 0) {
      if (f.waiting()) {
        if (f.behind == null) {
          f.behind = new ArrayDeque<>();
        }
        f.behind.add(e); // keeps its place after the messages that wait
      } else {
        fanOut(e, -1);
      }
      return;
    }
    if (f.lastSeq >= 0 && seq <= f.lastSeq) {
      return; // fed already (a repair fetched it, or it came twice)
    }
    if (f.lastSeq >= 0 && seq == f.lastSeq + 1 && !f.fetching) {
      f.lastSeq = seq;
      fanOut(e, seq);
      drain(conv, f);
      return;
    }
    // ahead of a gap (or the first message seen, with seq > 1): wait, then fetch what lacks
    if (f.ahead == null) {
      f.ahead = new TreeMap<>();
    }
    f.ahead.put(seq, e);
    if (f.lastSeq < 0 && !f.fetching) {
      fetchMissing(conv, f, seq, e.recipients(), "first"); // nothing to wait for: ask at once
    } else if (f.waitTimer < 0 && !f.fetching) {
      f.waitTimer =
          vertx.setTimer(
              REORDER_WAIT_MS,
              t -> {
                f.waitTimer = -1;
                if (f.waiting() && !f.fetching) {
                  ChatEvent first = f.ahead.firstEntry().getValue();
                  fetchMissing(conv, f, f.ahead.firstKey(), first.recipients(), "gap");
                }
              });
    }
  }

  /** Feeds the messages that waited once they are next in line, then what waited behind them. */
  private void drain(String conv, Feed f) {
    while (f.waiting() && f.ahead.firstKey() <= f.lastSeq + 1) {
      Map.Entry<Long, ChatEvent> next = f.ahead.pollFirstEntry();
      if (next.getKey() == f.lastSeq + 1) {
        f.lastSeq = next.getKey();
        fanOut(next.getValue(), next.getKey());
      }
    }
    if (!f.waiting()) {
      if (f.waitTimer >= 0) {
        vertx.cancelTimer(f.waitTimer);
        f.waitTimer = -1;
      }
      ArrayDeque<ChatEvent> others = f.behind;
      f.behind = null;
      if (others != null) {
        others.forEach(o -> fanOut(o, -1));
      }
    }
  }

  /**
   * Fetches the messages between what the hub fed and {@code before}, writes them in seq order to
   * the streams of the conversation's members, then lets the waiting ones through. When the hub
   * never fed the conversation, the fetch covers what was stored since the oldest of the
   * recipients' streams opened.
   */
  private void fetchMissing(
      String conv, Feed f, long before, List<String> recipients, String kind) {
    long since = f.lastSeq < 0 ? oldestOpen(recipients) - cfg.resumeWindowMs() : 0;
    f.fetching = true;
    MissedEvents req = new MissedEvents(conv, f.lastSeq, before, Math.max(0, since), MAX_REPAIR);
    bus.request(Addresses.EVENTS_MISSED, req.toJson())
        .onComplete(
            ar -> {
              f.fetching = false;
              if (ar.failed() || ar.result().getBoolean("truncated", false)) {
                LOG.warn(
                    "cannot fetch what the feed lacks of conversation {} ({}); ending its streams",
                    conv,
                    ar.failed() ? ar.cause().getMessage() : "too much is missing");
                listener.repairFailed(kind, endStreamsOf(recipients, "feed gap"));
                f.lastSeq = before - 1; // move on: the ended streams' clients resume
              } else {
                List<String> members = strings(ar.result().getJsonArray("members"));
                int n = 0;
                for (Object o : ar.result().getJsonArray("events", new JsonArray())) {
                  Replayed r = replayed((JsonObject) o);
                  if (r.seq() > f.lastSeq) {
                    f.lastSeq = r.seq();
                    fanOut(
                        new ChatEvent(r.id(), "message.created", conv, members, r.frame()),
                        r.seq());
                    n++;
                  }
                }
                if (n > 0 && !"first".equals(kind)) {
                  listener.repaired(kind, n);
                }
                if (f.lastSeq < 0) {
                  f.lastSeq = before - 1; // nothing stored since the streams opened precedes it
                }
                if (f.lastSeq < before - 1) {
                  // holes the database confirms (older data; seq no longer leaves any)
                  f.lastSeq = before - 1;
                }
              }
              drain(conv, f);
            });
  }

  /** Writes the event to every stream of its recipients held here. */
  private void fanOut(ChatEvent e, long seq) {
    int written = 0;
    for (String user : e.recipients()) {
      List<SseStream> streams = byUser.get(user);
      if (streams == null) {
        continue;
      }
      // backwards: a stream dropped while writing leaves the list without disturbing the loop
      for (int i = streams.size() - 1; i >= 0; i--) {
        SseStream s = streams.get(i);
        Outcome o = s.deliver(e, seq);
        if (o == Outcome.WRITTEN) {
          written++;
        } else if (o == Outcome.GAP) {
          repairStream(s, e);
        }
      }
    }
    if (written > 0) {
      listener.delivered(written, e);
    }
  }

  /**
   * One stream lacks messages the hub fed (it was catching up, or started from a cursor that is
   * behind): fetch them, up to and including {@code e}, and write them before anything newer.
   */
  private void repairStream(SseStream s, ChatEvent e) {
    Long last = s.lastSeq(e.conversationId());
    long seq = EventIds.messageSeq(e.id());
    s.beginCatchUp();
    s.hold(e);
    MissedEvents req =
        new MissedEvents(e.conversationId(), last == null ? -1 : last, seq + 1, 0, MAX_REPAIR);
    bus.request(Addresses.EVENTS_MISSED, req.toJson())
        .onComplete(
            ar -> {
              if (s.closed()) {
                return;
              }
              if (ar.failed() || ar.result().getBoolean("truncated", false)) {
                listener.repairFailed("stream", 1);
                s.end(null, "gap could not be repaired");
                return;
              }
              List<Replayed> found = new ArrayList<>();
              for (Object o : ar.result().getJsonArray("events", new JsonArray())) {
                found.add(replayed((JsonObject) o));
              }
              listener.repaired("stream", Math.max(0, found.size() - 1));
              finishCatchUp(s, found, null);
            });
  }

  // --- the periodic check -----------------------------------------------------------------------

  /**
   * The safety net for gaps nobody can see (the last message of a conversation lost, nothing after
   * it): every {@code sse.checkIntervalMs}, the conversations with a message recorded since the
   * last check are compared with what this hub fed; whatever it lacks is fetched as for a gap. One
   * indexed query per check, none while no stream is open.
   */
  void check() {
    if (open == 0 || checking) {
      checkedUpToMs = System.currentTimeMillis() - IN_FLIGHT_MS;
      return;
    }
    checking = true;
    long since = checkedUpToMs - IN_FLIGHT_MS;
    long horizon = System.currentTimeMillis() - IN_FLIGHT_MS;
    bus.request(Addresses.EVENTS_ACTIVE, new ActiveConversations(since, 2000).toJson())
        .onComplete(
            ar -> {
              checking = false;
              if (ar.failed()) {
                LOG.debug("stream check failed: {}", ar.cause().getMessage());
                return; // the next check covers this window again
              }
              long upTo = horizon;
              for (Object o : ar.result().getJsonArray("conversations", new JsonArray())) {
                JsonObject c = (JsonObject) o;
                long at = c.getLong("lastMessageAtMs", 0L);
                if (at > horizon) {
                  continue; // may still be on its way
                }
                if (ar.result().getBoolean("truncated", false)) {
                  upTo = Math.min(upTo, at);
                }
                checkConversation(c);
              }
              checkedUpToMs = upTo;
            });
  }

  private void checkConversation(JsonObject c) {
    String conv = c.getString("id");
    long lastSeq = c.getLong("lastSeq", 0L);
    List<String> members = strings(c.getJsonArray("members"));
    if (!anyStreams(members)) {
      return;
    }
    Feed f = feeds.get(conv);
    if (f == null) {
      f = new Feed();
      f.lastSeq = -1;
      feeds.put(conv, f);
    }
    if (f.fetching || f.waiting() || (f.lastSeq >= 0 && f.lastSeq >= lastSeq)) {
      return;
    }
    // the feed never brought messages up to lastSeq: fetch them, that one included
    fetchMissing(conv, f, lastSeq + 1, members, "check");
  }

  // --- feed gaps --------------------------------------------------------------------------------

  /**
   * The node's feed may have lost events since {@code gap.since()}: every open stream replays what
   * was stored since then (a few at a time), skipping what it has; session caches re-check.
   */
  private void feedGap(FeedGap gap) {
    long since = gap.since().toEpochMilli() - cfg.resumeWindowMs();
    LOG.info("event feed gap ({}): open streams replay since {}", gap.reason(), gap.since());
    for (List<SseStream> streams : byUser.values()) {
      for (SseStream s : streams) {
        if (s.catchingUp()) {
          s.gapSinceMs = s.gapSinceMs < 0 ? since : Math.min(s.gapSinceMs, since);
        } else {
          s.gapSinceMs = since;
          gapQueue.add(s);
        }
      }
    }
    runGapReplays();
  }

  private void runGapReplays() {
    while (gapReplaysRunning < GAP_REPLAYS_AT_ONCE && !gapQueue.isEmpty()) {
      SseStream s = gapQueue.poll();
      if (s.closed() || s.gapSinceMs < 0 || s.catchingUp()) {
        continue;
      }
      long since = s.gapSinceMs;
      s.gapSinceMs = -1;
      gapReplaysRunning++;
      catchUp(
          s,
          since,
          null,
          false,
          () -> {
            gapReplaysRunning--;
            runGapReplays();
          });
    }
  }

  // --- helpers ----------------------------------------------------------------------------------

  private boolean anyStreams(List<String> users) {
    for (String u : users) {
      if (byUser.containsKey(u)) {
        return true;
      }
    }
    return false;
  }

  /** When the oldest stream of these users opened (now when they have none). */
  private long oldestOpen(List<String> users) {
    long oldest = System.currentTimeMillis();
    for (String u : users) {
      List<SseStream> streams = byUser.get(u);
      if (streams != null) {
        for (SseStream s : streams) {
          oldest = Math.min(oldest, s.openedMs);
        }
      }
    }
    return oldest;
  }

  private int endStreamsOf(List<String> users, String reason) {
    int n = 0;
    for (String u : users) {
      List<SseStream> streams = byUser.get(u);
      if (streams != null) {
        for (SseStream s : List.copyOf(streams)) {
          s.end(null, reason);
          n++;
        }
      }
    }
    return n;
  }

  private static List<String> strings(JsonArray a) {
    return a == null ? List.of() : a.stream().map(String::valueOf).toList();
  }

  private void revoke(SessionsRevoked r) {
    List<SseStream> streams = byUser.get(r.userId());
    if (streams == null) {
      return;
    }
    for (SseStream s : List.copyOf(streams)) {
      if (r.sessionIds().contains(s.sessionId)) {
        s.end(
            Sse.frame(
                null, "session.revoked", new JsonObject().put("sessionId", s.sessionId).encode()),
            "session revoked");
      }
    }
  }

  private void heartbeat() {
    Buffer beat = Sse.heartbeat();
    for (List<SseStream> streams : byUser.values()) {
      for (SseStream s : List.copyOf(streams)) {
        s.write(beat);
      }
    }
  }
}
