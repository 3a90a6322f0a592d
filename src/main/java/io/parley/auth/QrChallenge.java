package io.parley.auth;

import io.parley.bus.AuthApi.Client;
import java.time.Instant;

/**
 * A stored QR device-link challenge. It moves {@link #PENDING} → {@link #SCANNED} → {@link
 * #APPROVED} → {@link #REDEEMED}; each step's fields ({@code scannedBy}/{@code scannedAt}, {@code
 * approvedBy}/{@code deviceName}/{@code approvedAt}, {@code redeemedAt}, then {@code sessionId})
 * are null until it is taken. Only the requester secret's SHA-256 is kept.
 */
record QrChallenge(
    String id,
    String token,
    String requesterSecretHash,
    Client requester,
    String status,
    boolean urlSecretUsed,
    Instant createdAt,
    Instant expiresAt,
    String scannedBy,
    Instant scannedAt,
    String approvedBy,
    String deviceName,
    Instant approvedAt,
    Instant redeemedAt,
    String sessionId) {

  static final String PENDING = "pending";
  static final String SCANNED = "scanned";
  static final String APPROVED = "approved";
  static final String REDEEMED = "redeemed";

  /** A new challenge, before any device scanned it. */
  static QrChallenge pending(
      String id,
      String token,
      String requesterSecretHash,
      Client requester,
      Instant createdAt,
      Instant expiresAt) {
    return new QrChallenge(
        id,
        token,
        requesterSecretHash,
        requester,
        PENDING,
        false,
        createdAt,
        expiresAt,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** Whether it is still usable at {@code now}. */
  boolean liveAt(Instant now) {
    return expiresAt.isAfter(now);
  }

  /** Approved or redeemed: no other device may scan or approve it any more. */
  boolean used() {
    return APPROVED.equals(status) || REDEEMED.equals(status);
  }
}
