package io.parley.auth;

import io.parley.bus.ApiException;
import io.parley.bus.AuthApi.Caller;
import io.parley.bus.Failure;
import io.parley.mongo.MongoSupport;
import io.parley.security.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.time.Clock;
import java.time.Instant;

/**
 * Single-use, short-lived tickets that let a browser's {@code EventSource} (which cannot send an
 * {@code Authorization} header) open {@code /sse} without putting the JWT in a URL. Only the
 * ticket's SHA-256 is stored; redeeming deletes it, so a ticket works once, on any node.
 */
final class StreamTicketService {
  static final String COLLECTION = "ssetickets";
  private static final int TICKET_BYTES = 32;

  private final MongoClient mongo;
  private final int ttlSeconds;
  private final Clock clock;

  StreamTicketService(MongoClient mongo, int ttlSeconds, Clock clock) {
    this.mongo = mongo;
    this.ttlSeconds = ttlSeconds;
    this.clock = clock;
  }

  /** {@code {ticket, expiresAt}} for the caller's session. */
  Future<JsonObject> create(Caller caller) {
    String ticket = Secrets.random(TICKET_BYTES);
    Instant now = clock.instant();
    Instant expiresAt = now.plusSeconds(ttlSeconds);
    JsonObject doc =
        new JsonObject()
            .put("_id", Secrets.sha256(ticket))
            .put("userId", caller.userId())
            .put("sessionId", caller.sessionId())
            .put("createdAt", MongoSupport.date(now))
            .put("expiresAt", MongoSupport.date(expiresAt));
    return mongo
        .insert(COLLECTION, doc)
        .map(id -> new JsonObject().put("ticket", ticket).put("expiresAt", expiresAt.toString()));
  }

  /** The {@code {userId, sessionId}} a live ticket was made for; it cannot be used again. */
  Future<JsonObject> redeem(JsonObject req) {
    String ticket = req.getString("ticket");
    if (ticket == null || ticket.isEmpty() || ticket.length() > 128) {
      return Future.failedFuture(invalidTicket());
    }
    return mongo
        .findOneAndDelete(COLLECTION, new JsonObject().put("_id", Secrets.sha256(ticket)))
        .compose(
            doc -> {
              // the TTL index removes old tickets eventually; expiry is enforced here regardless
              if (doc == null || !MongoSupport.instant(doc, "expiresAt").isAfter(clock.instant())) {
                return Future.failedFuture(invalidTicket());
              }
              return Future.succeededFuture(
                  new JsonObject()
                      .put("userId", doc.getString("userId"))
                      .put("sessionId", doc.getString("sessionId")));
            });
  }

  Future<Long> cleanUp() {
    return mongo
        .removeDocuments(
            COLLECTION,
            new JsonObject()
                .put("expiresAt", new JsonObject().put("$lt", MongoSupport.date(clock.instant()))))
        .map(r -> r == null ? 0L : r.getRemovedCount());
  }

  private static ApiException invalidTicket() {
    return new ApiException(
        Failure.UNAUTHORIZED, "invalid_ticket", "The stream ticket is unknown, used or expired");
  }
}
