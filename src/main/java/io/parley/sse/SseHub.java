package io.parley.sse;

import io.parley.bus.Addresses;
import io.parley.bus.AuthApi.SessionsRevoked;
import io.parley.bus.ChatApi.Replay;
import io.parley.bus.ChatEvent;
import io.parley.bus.EventIds;
import io.parley.config.ParleyConfig.SseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSE hub of one HTTP verticle instance: its open streams indexed by user, one event-bus
 * consumer for all of them (not one per connection), and the resume logic. Every published {@link
 * ChatEvent} carries its pre-encoded frame; the hub writes those same bytes to each recipient's
 * streams, on this verticle's event loop.
 */
public final class SseHub {
  private static final Logger LOG = LoggerFactory.getLogger(SseHub.class);
  private static final long FORGET_REPLAY_AFTER_MS = 60_000;
  private static final int RECENT_IDS = 20_000;

  private final Vertx vertx;
  private final SseConfig cfg;
  private final long busTimeoutMs;

  /** Events may arrive twice (bus and Redis relay): drop repeats by id. */
  private final boolean dedupe;

  private final StreamLimits limits;
  private final Map<String, List<SseStream>> byUser = new HashMap<>();
  private final Map<String, Boolean> recent =
      new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > RECENT_IDS;
        }
      };
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final StreamListener listener;
  private long heartbeatTimer = -1;
  private int open;

  /** Hooks for metrics: stream opened/closed, events written. */
  public interface StreamListener {
    void opened();

    void closed();

    void delivered(int streams, ChatEvent e);

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
      Vertx vertx, SseConfig cfg, long busTimeoutMs, boolean dedupe, StreamListener listener) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.busTimeoutMs = busTimeoutMs;
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
    consumers.add(events);
    consumers.add(revoked);
    heartbeatTimer = vertx.setPeriodic(cfg.heartbeatMs(), id -> heartbeat());
    return Future.all(events.completion(), revoked.completion()).mapEmpty();
  }

  /** Ends every stream (clients reconnect elsewhere and resume), then stops listening. */
  public Future<Void> stop() {
    vertx.cancelTimer(heartbeatTimer);
    for (List<SseStream> streams : byUser.values()) {
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
    SseStream s =
        new SseStream(userId, sessionId, address, response, cfg.maxQueuedBytes(), this::closed);
    byUser.computeIfAbsent(userId, k -> new ArrayList<>(2)).add(s);
    open++;
    listener.opened();
    Sse.open(response);
    if (lastEventId == null) {
      return s::gone;
    }
    long cursor = EventIds.time(lastEventId).orElse(-1L);
    long now = System.currentTimeMillis();
    if (cursor < 0 || cursor > now + cfg.resumeWindowMs()) {
      s.write(resync("cursor_invalid", now));
      return s::gone;
    }
    if (cursor < now - cfg.replayMaxAge().toMillis()) {
      s.write(resync("cursor_too_old", now));
      return s::gone;
    }
    // live events that arrive from now on wait until the replay is written: no gap between the
    // stored events read below and the live ones
    s.beginReplay();
    Replay req = new Replay(userId, cursor - cfg.resumeWindowMs(), cfg.replayMaxEvents());
    vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.EVENTS_REPLAY,
            req.toJson(),
            new DeliveryOptions().setSendTimeout(busTimeoutMs))
        .onComplete(
            ar -> {
              if (s.closed()) {
                return;
              }
              if (ar.failed()) {
                LOG.warn("replay for a resuming stream failed: {}", ar.cause().getMessage());
                s.endReplay(List.of(resync("replay_failed", now)), Set.of());
                return;
              }
              JsonObject body = ar.result().body();
              if (body.getBoolean("truncated", false)) {
                s.endReplay(List.of(resync("too_many_events", now)), Set.of());
                return;
              }
              List<Buffer> frames = new ArrayList<>();
              Set<String> ids = new HashSet<>();
              for (Object o : body.getJsonArray("events", new JsonArray())) {
                JsonObject e = (JsonObject) o;
                String id = e.getString("id");
                ids.add(id);
                // the client has the event it names; repeats within the window it drops by id
                if (!id.equals(lastEventId)) {
                  frames.add(Buffer.buffer(e.getString("frame")));
                }
              }
              s.endReplay(frames, ids);
              vertx.setTimer(FORGET_REPLAY_AFTER_MS, t -> s.forgetReplay());
            });
    return s::gone;
  }

  private static Buffer resync(String reason, long nowMs) {
    return ChatEvent.frame(
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

  /** Writes the event to every stream of its recipients held here. */
  void deliver(ChatEvent e) {
    if (dedupe && !e.id().isEmpty() && recent.put(e.id(), Boolean.TRUE) != null) {
      return; // arrived both over the bus and through Redis
    }
    int written = 0;
    for (String user : e.recipients()) {
      List<SseStream> streams = byUser.get(user);
      if (streams == null) {
        continue;
      }
      // backwards: a stream dropped while writing leaves the list without disturbing the loop
      for (int i = streams.size() - 1; i >= 0; i--) {
        SseStream s = streams.get(i);
        if (s.deliver(e)) {
          written++;
        }
      }
    }
    if (written > 0) {
      listener.delivered(written, e);
    }
  }

  private void revoke(SessionsRevoked r) {
    List<SseStream> streams = byUser.get(r.userId());
    if (streams == null) {
      return;
    }
    for (SseStream s : List.copyOf(streams)) {
      if (r.sessionIds().contains(s.sessionId)) {
        s.end(
            ChatEvent.frame(
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
