package io.parley.http.sse;

import io.parley.bus.ChatEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One open event stream (one device or tab). Lives on the event loop of the HTTP verticle that
 * accepted it, which is also where its hub's consumers run: every write happens on the connection's
 * own event loop, without locks.
 *
 * <p>What it wrote is what it knows: per conversation, the highest message seq, written in order
 * and without gaps (a message that would leave one is reported as {@link Outcome#GAP}: the hub
 * fetches what is missing first); the ids of the last stored events of other kinds; and the cursor
 * it writes after each stored event ({@link StreamCursor}). While it catches up (a resume, a gap, a
 * feed repair), live events wait in {@code pending} and are written afterwards, minus what the
 * catch-up already carried. A stream whose socket cannot keep up (write queue full, or too much
 * waiting during a catch-up) is closed with a logged reason instead of growing the heap; the client
 * reconnects and resumes.
 */
final class SseStream {
  /** What became of an event offered to the stream. */
  enum Outcome {
    WRITTEN,
    /** The stream had it already. */
    SKIPPED,
    /** Held until the catch-up under way ends. */
    QUEUED,
    /** A message whose predecessors in its conversation this stream lacks: fetch them first. */
    GAP,
    CLOSED
  }

  /** An event from a catch-up: id, frame, conversation, seq (0 but for {@code message.created}). */
  record Replayed(String id, Buffer frame, String conversationId, long seq) {}

  private static final int RECENT_IDS = 64;

  final String userId;
  final String sessionId;
  final String address;
  final long openedMs;
  private final HttpServerResponse response;
  private final int maxQueuedBytes;
  private final Consumer<SseStream> onClosed;
  private boolean closed;
  String closeReason;

  /** Per conversation, the highest message seq written (contiguous from the stream's start). */
  private final Map<String, Long> lastSeq = new HashMap<>(4);

  /** Conversations with a message written lately: conversation → {seq, commit time}. */
  private final LinkedHashMap<String, long[]> recentConvs = new LinkedHashMap<>(4, 0.75f, true);

  /** Ids of the last stored events that are not messages (a catch-up may carry them again). */
  private final String[] recentIds = new String[RECENT_IDS];

  private int recentNext;

  /** Commit time of the last stored event written: the cursor's time. */
  private long cursorMs;

  private ArrayDeque<ChatEvent> pending;
  private long pendingBytes;

  /** A feed gap announced while a catch-up ran: the earliest time to replay from afterwards. */
  long gapSinceMs = -1;

  /**
   * How long a conversation stays listed in the cursor after its last message: as far back as a
   * resume's replay reaches ({@link StreamCursor#COVER_MS} and the skew window), so that the replay
   * asks for every conversation it covers by seq, and sends none of their messages again.
   */
  private final long listedMs;

  SseStream(
      String userId,
      String sessionId,
      String address,
      HttpServerResponse response,
      int maxQueuedBytes,
      long listedMs,
      long openedMs,
      Consumer<SseStream> onClosed) {
    this.onClosed = onClosed;
    this.listedMs = listedMs;
    this.userId = userId;
    this.sessionId = sessionId;
    this.address = address;
    this.response = response;
    this.maxQueuedBytes = maxQueuedBytes;
    this.openedMs = openedMs;
    response.setWriteQueueMaxSize(maxQueuedBytes);
  }

  boolean closed() {
    return closed;
  }

  /** The start of the stream's line (a fresh stream's opening), carried by its cursors; 0: none. */
  private long floorMs;

  /** A stream opened without a cursor: nothing stored before {@code openedMs} is its to replay. */
  void startFresh(long openedMs) {
    floorMs = openedMs;
  }

  /** The resume cursor's view: the stream starts where the client says it stood. */
  void seed(StreamCursor c) {
    cursorMs = c.atMs();
    floorMs = c.floorMs();
    c.seqs()
        .forEach(
            (conv, seq) -> {
              lastSeq.put(conv, seq);
              recentConvs.put(conv, new long[] {seq, c.atMs()});
            });
  }

  /** The highest message seq this stream wrote in the conversation, or null. */
  Long lastSeq(String conversationId) {
    return lastSeq.get(conversationId);
  }

  /** What the stream knows it has, for a catch-up to skip (the conversations seen lately). */
  Map<String, Long> knownSeqs() {
    Map<String, Long> known = new LinkedHashMap<>();
    recentConvs.forEach((conv, s) -> known.put(conv, s[0]));
    return known;
  }

  boolean catchingUp() {
    return pending != null;
  }

  /** Holds live events back until {@link #endCatchUp}. */
  void beginCatchUp() {
    if (pending == null) {
      pending = new ArrayDeque<>();
    }
  }

  /**
   * Writes what the catch-up found (skipping what this stream has), then the live events that
   * arrived meanwhile; returns those of them that opened a gap again (the hub repairs them), or
   * null when the stream closed.
   */
  List<ChatEvent> endCatchUp(Iterable<Replayed> found, String skipId) {
    ArrayDeque<ChatEvent> waiting = pending;
    pending = null;
    pendingBytes = 0;
    for (Replayed r : found) {
      if (closed) {
        return null;
      }
      if (r.id().equals(skipId)) {
        continue;
      }
      offer(r.id(), r.frame(), r.conversationId(), r.seq(), true);
    }
    if (waiting == null) {
      return List.of();
    }
    List<ChatEvent> gaps = new java.util.ArrayList<>();
    Iterator<ChatEvent> it = waiting.iterator();
    while (it.hasNext()) {
      ChatEvent e = it.next();
      Outcome o = deliver(e, io.parley.bus.EventIds.messageSeq(e.id()));
      if (o == Outcome.CLOSED) {
        return null;
      }
      if (o == Outcome.GAP) {
        // the rest waits behind the repair of this one
        beginCatchUp();
        gaps.add(e);
        it.forEachRemaining(this::hold);
        return gaps;
      }
    }
    return gaps;
  }

  /** Puts a live event behind the catch-up under way. */
  void hold(ChatEvent e) {
    pending.add(e);
    pendingBytes += e.frame().length();
    if (pendingBytes > maxQueuedBytes) {
      drop("slow_consumer: too many events waiting during a catch-up");
    }
  }

  /** A live event: written, skipped (had it), queued (catching up), or a gap to repair first. */
  Outcome deliver(ChatEvent e, long seq) {
    if (closed) {
      return Outcome.CLOSED;
    }
    if (pending != null) {
      hold(e);
      return closed ? Outcome.CLOSED : Outcome.QUEUED;
    }
    return offer(e.id(), e.frame(), e.conversationId(), seq, false);
  }

  private Outcome offer(String id, Buffer frame, String conv, long seq, boolean fromCatchUp) {
    if (id.isEmpty()) {
      return write(frame, null) ? Outcome.WRITTEN : Outcome.CLOSED; // ephemeral (typing)
    }
    if (seq > 0) {
      Long last = lastSeq.get(conv);
      if (last != null && seq <= last) {
        return Outcome.SKIPPED;
      }
      if (last != null && seq > last + 1 && !fromCatchUp) {
        return Outcome.GAP;
      }
      lastSeq.put(conv, seq);
      long at = io.parley.bus.EventIds.time(id).orElse(cursorMs);
      recentConvs.put(conv, new long[] {seq, at});
      return written(frame, at);
    }
    for (String r : recentIds) {
      if (id.equals(r)) {
        return Outcome.SKIPPED;
      }
    }
    recentIds[recentNext] = id;
    recentNext = (recentNext + 1) % RECENT_IDS;
    return written(frame, io.parley.bus.EventIds.time(id).orElse(cursorMs));
  }

  private Outcome written(Buffer frame, long atMs) {
    cursorMs = Math.max(cursorMs, atMs);
    return write(frame, cursor()) ? Outcome.WRITTEN : Outcome.CLOSED;
  }

  /** The id-only block after a stored event: the client's last event id becomes the cursor. */
  private byte[] cursor() {
    Iterator<long[]> it = recentConvs.values().iterator();
    while (it.hasNext() && recentConvs.size() > 0) {
      long[] oldest = it.next();
      if (oldest[1] >= cursorMs - listedMs && recentConvs.size() <= StreamCursor.MAX_LISTED) {
        break;
      }
      it.remove();
    }
    Map<String, Long> listed = new LinkedHashMap<>();
    recentConvs.forEach((c, s) -> listed.put(c, s[0]));
    // past COVER_MS after the floor, the replay's own reach stops above it: no need to carry it
    long floor = floorMs > 0 && cursorMs - floorMs < StreamCursor.COVER_MS ? floorMs : 0;
    String id = new StreamCursor(cursorMs, floor, listed).encode();
    return ("id: " + id + "\n\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A cursor block on its own: the stream stands at {@code atMs} (a fresh stream, at its start).
   */
  void writeCursor(long atMs) {
    cursorMs = Math.max(cursorMs, atMs);
    write(Buffer.buffer(cursor()));
  }

  /** Writes a frame (and the cursor after it) unless the socket is already too far behind. */
  boolean write(Buffer frame, byte[] cursor) {
    if (closed) {
      return false;
    }
    if (response.writeQueueFull()) {
      drop("slow_consumer: write queue full");
      return false;
    }
    if (cursor == null) {
      response.write(frame);
    } else {
      response.write(
          Buffer.buffer(frame.length() + cursor.length).appendBuffer(frame).appendBytes(cursor));
    }
    return true;
  }

  /** A frame of the stream's own (heartbeat, resync): no cursor. */
  boolean write(Buffer frame) {
    return write(frame, null);
  }

  /** A last frame (e.g. {@code session.revoked}), then a clean end of the response. */
  void end(Buffer lastFrame, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    closeReason = reason;
    if (lastFrame != null && !response.writeQueueFull()) {
      response.write(lastFrame);
    }
    response.end();
    onClosed.accept(this);
  }

  /** Closes the connection at once: queued bytes are discarded, not flushed. */
  void drop(String reason) {
    if (closed) {
      return;
    }
    closed = true;
    closeReason = reason;
    response.reset();
    onClosed.accept(this);
  }

  /** The client went away. */
  void gone() {
    if (!closed) {
      closed = true;
      closeReason = "client closed";
      onClosed.accept(this);
    }
  }
}
