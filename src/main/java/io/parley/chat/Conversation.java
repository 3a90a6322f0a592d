package io.parley.chat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A conversation as {@link ConversationRepository} reads it (fields a query did not load are null,
 * zero or empty). Members' markers are the highest seq each has received or read; {@code
 * receiptsAt} is when each last moved one.
 */
record Conversation(
    String id,
    String type,
    String title,
    List<String> members,
    List<String> admins,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    long version,
    long lastSeq,
    Instant lastMessageAt,
    List<String> archivedBy,
    Map<String, Long> readMarkers,
    Map<String, Long> deliveredMarkers,
    Map<String, Instant> receiptsAt,
    List<Removal> removed,
    String directKey) {

  /** A member who left or was removed, and when. */
  record Removal(String userId, Instant at) {}

  boolean isGroup() {
    return "group".equals(type);
  }

  /** How far {@code userId} has read ({@code "read"}) or received (anything else): 0 for none. */
  long marker(String type, String userId) {
    Map<String, Long> markers = "read".equals(type) ? readMarkers : deliveredMarkers;
    return markers.getOrDefault(userId, 0L);
  }
}
