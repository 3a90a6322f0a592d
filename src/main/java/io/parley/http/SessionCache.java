package io.parley.http;

import io.parley.bus.Addresses;
import io.parley.bus.AuthApi.SessionCheck;
import io.parley.bus.AuthApi.SessionsRevoked;
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

  private record Entry(boolean active, long checkedAt) {}

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
                  r.sessionIds().forEach(id -> entries.put(id, new Entry(false, now)));
                });
    return consumer.completion();
  }

  Future<Boolean> isActive(String userId, String sessionId) {
    Entry e = entries.get(sessionId);
    long now = System.currentTimeMillis();
    if (e != null && (!e.active() || now - e.checkedAt() < ACTIVE_TTL_MS)) {
      return Future.succeededFuture(e.active());
    }
    return bus.request(Addresses.SESSIONS_CHECK, new SessionCheck(userId, sessionId).toJson())
        .map(
            reply -> {
              boolean active = reply.getBoolean("active", false);
              Entry current = entries.get(sessionId);
              // a revocation that arrived while we asked wins
              if (current == null || current.active()) {
                entries.put(sessionId, new Entry(active, System.currentTimeMillis()));
              }
              return active && (current == null || current.active());
            });
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
