package io.parley.bus;

import java.util.OptionalLong;

/**
 * Ids of stored events, used as SSE {@code id:} lines and so as resume cursors. An id is the
 * event's commit time in epoch milliseconds, then a key that names the event stably (conversation +
 * seq for messages), so that the same event replayed later has the same id and clients can drop
 * repeats:
 *
 * <ul>
 *   <li>{@code message.created}: {@code <ms>-m-<conversationId>-<seq>}
 *   <li>{@code message.updated}: {@code <ms>-u-<conversationId>-<seq>-<version>}
 *   <li>{@code receipt}: {@code <ms>-r-<conversationId>-<userId>-<type>-<upToSeq>}
 *   <li>{@code conversation.created|updated}: {@code <ms>-c-<conversationId>-<version>}
 *   <li>{@code conversation.updated} for a removed member: {@code <ms>-x-<conversationId>-<userId>}
 * </ul>
 */
public final class EventIds {
  private EventIds() {}

  public static String messageCreated(long atMs, String conversationId, long seq) {
    return atMs + "-m-" + conversationId + "-" + seq;
  }

  public static String messageUpdated(long atMs, String conversationId, long seq, long version) {
    return atMs + "-u-" + conversationId + "-" + seq + "-" + version;
  }

  public static String receipt(
      long atMs, String conversationId, String userId, String type, long upToSeq) {
    return atMs + "-r-" + conversationId + "-" + userId + "-" + type + "-" + upToSeq;
  }

  public static String conversation(long atMs, String conversationId, long version) {
    return atMs + "-c-" + conversationId + "-" + version;
  }

  public static String removal(long atMs, String conversationId, String userId) {
    return atMs + "-x-" + conversationId + "-" + userId;
  }

  /**
   * The id of a {@code resync} event: a cursor at {@code atMs} (resuming from it replays only what
   * happened since the client was told to refetch).
   */
  public static String resync(long atMs) {
    return atMs + "-s";
  }

  /**
   * The seq of a {@code message.created} event from its id ({@code <ms>-m-<conversationId>-<seq>}),
   * or −1 for any other id.
   */
  public static long messageSeq(String id) {
    if (id == null) {
      return -1;
    }
    int m = id.indexOf("-m-");
    int last = id.lastIndexOf('-');
    if (m <= 0 || last <= m + 2 || last == id.length() - 1) {
      return -1;
    }
    long seq = 0;
    for (int i = last + 1; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9' || seq > Long.MAX_VALUE / 10 - 9) {
        return -1;
      }
      seq = seq * 10 + (c - '0');
    }
    return seq > 0 ? seq : -1;
  }

  /** The commit time an id carries, or empty when it is not one of ours. */
  public static OptionalLong time(String id) {
    if (id == null) {
      return OptionalLong.empty();
    }
    int dash = id.indexOf('-');
    if (dash <= 0 || dash > 15) {
      return OptionalLong.empty();
    }
    try {
      long ms = Long.parseLong(id.substring(0, dash));
      return ms > 0 ? OptionalLong.of(ms) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
