package io.parley.auth;

import io.parley.bus.AuthApi;
import java.time.Instant;

/** A stored session: one signed-in device. {@code revokedAt} is null while it is not revoked. */
record Session(
    String id,
    String userId,
    String deviceName,
    String userAgent,
    String address,
    Instant createdAt,
    Instant lastSeenAt,
    Instant expiresAt,
    Instant revokedAt) {

  /** Signed in at {@code now}: not revoked and not expired. */
  boolean activeAt(Instant now) {
    return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
  }

  /** The session as the API shows it. */
  AuthApi.Session view() {
    return new AuthApi.Session(id, deviceName, userAgent, createdAt, lastSeenAt);
  }
}
