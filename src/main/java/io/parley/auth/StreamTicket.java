package io.parley.auth;

import java.time.Instant;

/**
 * A stream ticket as stored: known by its SHA-256 only (the ticket itself is handed out once and
 * never kept), made for one session, usable until {@code expiresAt}.
 */
record StreamTicket(
    String ticketHash, String userId, String sessionId, Instant createdAt, Instant expiresAt) {

  /** Whether the ticket may still be redeemed at {@code now}. */
  boolean liveAt(Instant now) {
    return expiresAt.isAfter(now);
  }
}
