package io.parley.auth;

import io.parley.bus.ApiException;
import io.parley.bus.AuthApi.Caller;
import io.parley.bus.Failure;
import io.parley.security.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;

/**
 * Single-use, short-lived tickets that let a browser's {@code EventSource} (which cannot send an
 * {@code Authorization} header) open {@code /sse} without putting the JWT in a URL. Only the
 * ticket's SHA-256 is stored; redeeming deletes it, so a ticket works once, on any node.
 */
final class StreamTicketService {
  private static final int TICKET_BYTES = 32;

  private final StreamTicketRepository tickets;
  private final int ttlSeconds;
  private final Clock clock;

  StreamTicketService(StreamTicketRepository tickets, int ttlSeconds, Clock clock) {
    this.tickets = tickets;
    this.ttlSeconds = ttlSeconds;
    this.clock = clock;
  }

  /** {@code {ticket, expiresAt}} for the caller's session. */
  Future<JsonObject> create(Caller caller) {
    String ticket = Secrets.random(TICKET_BYTES);
    Instant now = clock.instant();
    Instant expiresAt = now.plusSeconds(ttlSeconds);
    return tickets
        .insert(
            new StreamTicket(
                Secrets.sha256(ticket), caller.userId(), caller.sessionId(), now, expiresAt))
        .map(v -> new JsonObject().put("ticket", ticket).put("expiresAt", expiresAt.toString()));
  }

  /** The {@code {userId, sessionId}} a live ticket was made for; it cannot be used again. */
  Future<JsonObject> redeem(JsonObject req) {
    String ticket = req.getString("ticket");
    if (ticket == null || ticket.isEmpty() || ticket.length() > 128) {
      return Future.failedFuture(invalidTicket());
    }
    return tickets
        .take(Secrets.sha256(ticket))
        .compose(
            t -> {
              // the TTL index removes old tickets eventually; expiry is enforced here regardless
              if (t == null || !t.liveAt(clock.instant())) {
                return Future.failedFuture(invalidTicket());
              }
              return Future.succeededFuture(
                  new JsonObject().put("userId", t.userId()).put("sessionId", t.sessionId()));
            });
  }

  Future<Long> cleanUp() {
    return tickets.deleteExpired(clock.instant());
  }

  private static ApiException invalidTicket() {
    return new ApiException(
        Failure.UNAUTHORIZED, "invalid_ticket", "The stream ticket is unknown, used or expired");
  }
}
