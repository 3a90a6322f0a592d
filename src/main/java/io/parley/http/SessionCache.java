package io.parley.http;

import io.parley.bus.Addresses;
import io.parley.bus.ApiException;
import io.parley.bus.AuthApi.SessionCheck;
import io.parley.bus.AuthApi.SessionsRevoked;
import io.parley.bus.BusClient;
import io.parley.bus.Failure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which sessions are signed in, as this HTTP verticle knows it: asked of the auth verticle on a
 * miss, then cached, so most requests do no database read. A revocation is published on the bus by
 * the auth verticle and evicts the session here at once, on every node; the positive entries also
 * expire, bounding how long a lost broadcast could matter.
 */
final class SessionCache {
  static final long ACTIVE_TTL_MS = 60_000;
  private static final int MAX_ENTRIES = 100_000;

  /** What the auth verticle said of a session, and whose session it is. */
  private record Entry(String userId, boolean active, long checkedAt) {}

  private final Vertx vertx;
  private final BusClient bus;

  /** Owned by this verticle's event loop: no locking. Access order gives LRU eviction. */
  private final Map<String, Entry> entries =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<JsonObject> gaps;

  SessionCache(Vertx vertx, BusClient bus) {
    this.vertx = vertx;
    this.bus = bus;
  }

  Future<Void> start() {
    consumer =
        vertx
            .eventBus()
            .consumer(
                Addresses.SESSIONS_REVOKED,
                msg -> {
                  SessionsRevoked r = SessionsRevoked.fromJson(msg.body());
                  long now = System.currentTimeMillis();
                  r.sessionIds().forEach(id -> entries.put(id, new Entry(r.userId(), false, now)));
                });
    // a revocation may have been lost with the feed: every signed-in session is asked again
    gaps =
        vertx
            .eventBus()
            .consumer(Addresses.FEED_GAP, msg -> entries.values().removeIf(Entry::active));
    return Future.all(consumer.completion(), gaps.completion()).mapEmpty();
  }

  /**
   * Whether {@code sessionId} is signed in and belongs to {@code userId}. A session is looked up by
   * both: an entry cached for another user never answers for this one.
   */
  Future<Boolean> isActive(String userId, String sessionId) {
    Entry e = entries.get(sessionId);
    long now = System.currentTimeMillis();
    if (e != null && !e.userId().equals(userId)) {
      // the token names a session of someone else: a bad token (the cached entry, which is right
      // about its own user, stays)
      return Future.failedFuture(foreignSession());
    }
    if (e != null && (!e.active() || now - e.checkedAt() < ACTIVE_TTL_MS)) {
      return Future.succeededFuture(e.active());
    }
    return bus.request(Addresses.SESSIONS_CHECK, new SessionCheck(userId, sessionId).toJson())
        .map(
            reply -> {
              if (reply.getBoolean("foreign", false)) {
                throw foreignSession();
              }
              boolean active = reply.getBoolean("active", false);
              Entry current = entries.get(sessionId);
              // a revocation that arrived while we asked wins
              if (current == null || current.active()) {
                entries.put(sessionId, new Entry(userId, active, System.currentTimeMillis()));
              }
              return active && (current == null || current.active());
            });
  }

  private static ApiException foreignSession() {
    return new ApiException(
        Failure.UNAUTHORIZED, "invalid_token", "The token is invalid or expired");
  }

  Future<Void> stop() {
    return Future.join(
            consumer == null ? Future.succeededFuture() : consumer.unregister(),
            gaps == null ? Future.succeededFuture() : gaps.unregister())
        .mapEmpty();
  }
}
