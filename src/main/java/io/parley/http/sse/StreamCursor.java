package io.parley.http.sse;

import io.parley.bus.EventIds;
import io.parley.bus.Ids;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Where a stream stands, as a resume cursor. After each stored event a stream writes an SSE block
 * with only an {@code id:} line carrying this cursor: no event is dispatched, but the client's last
 * event id becomes the cursor, and a reconnect sends it back as {@code Last-Event-ID}.
 *
 * <p>It says: the commit time of the last stored event written ({@code atMs}), and for each
 * conversation with a message written in the last {@link #COVER_MS} and skew window before it (as
 * far back as a resume's replay reaches), the highest seq written there. A stream delivers each
 * conversation's messages in seq order without gaps, so that seq means "every message up to here".
 * A resume then asks, per listed conversation, for the messages after that seq (exact, whatever the
 * writers' clocks), and for everything else stored since {@code atMs - COVER_MS - skew window}:
 * repeats only where the cursor cannot say (an event that is not a message, in the window).
 *
 * <p>A stream opened without a cursor promises only what is stored from its start: its cursors
 * carry that start as a floor ({@code floorMs}), below which a resume does not replay (less the
 * skew window), so a stream that drops in its first seconds is not sent what was stored before it
 * opened, which the client read over REST or never asked for.
 *
 * <p>Form: {@code p1:<atMs>(:<conversationId>:<seq>)*}, or with a floor {@code
 * p2:<atMs>:<floorMs>(:<conversationId>:<seq>)*}. Anything else is read as one of the events' own
 * ids ({@link EventIds}) — the stable id of the last event received, which gives the time and, for
 * a message, its conversation's seq.
 */
record StreamCursor(long atMs, long floorMs, Map<String, Long> seqs) {
  static final String PREFIX = "p1:";

  /** The form with a floor: {@code p2:<atMs>:<floorMs>(:<conversationId>:<seq>)*}. */
  static final String FLOORED = "p2:";

  /**
   * How far before {@code atMs} a resume replays what the cursor does not list (with the skew
   * window on top); a stream lists every conversation with a message in that span.
   */
  static final long COVER_MS = 10_000;

  /** At most this many conversations are listed (the most recent ones). */
  static final int MAX_LISTED = 16;

  /** Longest {@code Last-Event-ID} accepted; longer ones are not ours. */
  static final int MAX_LENGTH = PREFIX.length() + 40 + MAX_LISTED * 46;

  StreamCursor {
    seqs = Collections.unmodifiableMap(new LinkedHashMap<>(seqs));
  }

  /** A cursor without a floor (one read from an event id, or from an older node). */
  StreamCursor(long atMs, Map<String, Long> seqs) {
    this(atMs, 0, seqs);
  }

  String encode() {
    StringBuilder sb = new StringBuilder(PREFIX.length() + 32 + seqs.size() * 30);
    if (floorMs > 0) {
      sb.append(FLOORED).append(atMs).append(':').append(floorMs);
    } else {
      sb.append(PREFIX).append(atMs);
    }
    seqs.forEach((c, s) -> sb.append(':').append(c).append(':').append(s));
    return sb.toString();
  }

  /** A {@code Last-Event-ID} as a cursor, or null when it is neither a cursor nor an event id. */
  static StreamCursor decode(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return null;
    }
    boolean floored = id.startsWith(FLOORED);
    if (!floored && !id.startsWith(PREFIX)) {
      return fromEventId(id);
    }
    String[] parts = id.substring(PREFIX.length()).split(":", -1);
    int first = floored ? 2 : 1;
    if (parts.length < first
        || (parts.length - first) % 2 != 0
        || (parts.length - first) / 2 > MAX_LISTED) {
      return null;
    }
    long at = positive(parts[0]);
    long floor = floored ? positive(parts[1]) : 0;
    if (at <= 0 || floor < 0 || floor > at) {
      return null;
    }
    Map<String, Long> seqs = new LinkedHashMap<>();
    for (int i = first; i < parts.length; i += 2) {
      long seq = positive(parts[i + 1]);
      if (!Ids.valid(parts[i]) || seq <= 0 || seqs.putIfAbsent(parts[i], seq) != null) {
        return null;
      }
    }
    return new StreamCursor(at, floor, seqs);
  }

  /** The stable id of a stored event: its time, and for a message its conversation's seq. */
  private static StreamCursor fromEventId(String id) {
    OptionalLong at = EventIds.time(id);
    if (at.isEmpty()) {
      return null;
    }
    long seq = EventIds.messageSeq(id);
    int m = id.indexOf("-m-");
    if (seq > 0 && m > 0) {
      String conv = id.substring(m + 3, id.lastIndexOf('-'));
      if (Ids.valid(conv)) {
        return new StreamCursor(at.getAsLong(), Map.of(conv, seq));
      }
    }
    return new StreamCursor(at.getAsLong(), Map.of());
  }

  /** A positive decimal number, or −1. */
  private static long positive(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n > 0 ? n : -1;
  }
}
