package io.parley.chat;

import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.util.List;

/**
 * A message as {@link MessageRepository} reads it (fields a query did not load are null, zero or
 * empty; reads that serve clients leave {@code edits} out). {@code attachments} holds the summaries
 * the uploads verticle resolved ({@code [{uploadId, filename, contentType, size}]}), as the API
 * shows them; {@code removedAttachments} the upload ids a deletion took away.
 */
record Message(
    String id,
    String conversationId,
    long seq,
    String senderId,
    String clientId,
    String text,
    JsonArray attachments,
    String contentHash,
    Instant createdAt,
    Instant updatedAt,
    long version,
    Instant editedAt,
    Instant deletedAt,
    List<Edit> edits,
    List<String> deliveredTo,
    List<String> readBy,
    List<String> removedAttachments) {

  /** An earlier text of an edited message. */
  record Edit(String text, Instant at) {}

  boolean deleted() {
    return deletedAt != null;
  }

  /** The upload ids of the attachments. */
  List<String> uploadIds() {
    return attachments.stream()
        .map(a -> ((io.vertx.core.json.JsonObject) a).getString("uploadId"))
        .toList();
  }
}
