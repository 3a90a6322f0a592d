package io.parley.uploads;

import java.time.Instant;

/**
 * One upload record, as {@link UploadRepository} stores and reads it.
 *
 * @param storage where the bytes live: {@code local} or {@code s3} ({@code BlobStore.kind})
 * @param storageKey the checked bytes
 * @param incomingKey where the client sends the bytes
 * @param status {@link #PENDING}, {@link #READY} or {@link #DISCARDED}
 * @param expiresAt when the upload URL expires
 * @param tokenHash SHA-256 of the local-mode upload token; null in S3 mode and once ready
 * @param readyAt null until complete
 * @param sentAt when a stored message first carried it; null until then
 * @param discardedAt when its message was deleted for everyone; null until then
 */
record Upload(
    String id,
    String owner,
    String conversationId,
    String storage,
    String storageKey,
    String incomingKey,
    String filename,
    String contentType,
    long size,
    String status,
    Instant createdAt,
    Instant expiresAt,
    String tokenHash,
    Instant readyAt,
    Instant sentAt,
    Instant discardedAt) {

  /** Created; the bytes are not (yet) checked. */
  static final String PENDING = "pending";

  /** Checked and downloadable. */
  static final String READY = "ready";

  /** Its message was deleted: unreadable, bytes being removed. */
  static final String DISCARDED = "discarded";

  boolean ready() {
    return READY.equals(status);
  }

  boolean discarded() {
    return DISCARDED.equals(status);
  }
}
