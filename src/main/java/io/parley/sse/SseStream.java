package io.parley.sse;

import io.parley.bus.ChatEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One open event stream (one device or tab). Lives on the event loop of the HTTP verticle that
 * accepted it, which is also where its hub's consumers run: every write happens on the connection's
 * own event loop, without locks.
 *
 * <p>While a resume replays stored events, live events wait in {@code pending}; afterwards they are
 * written unless the replay already carried them (same id). A stream whose socket cannot keep up
 * (write queue full, or too much waiting during a replay) is closed with a logged reason instead of
 * growing the heap; the client reconnects and resumes.
 */
final class SseStream {
  final String userId;
  final String sessionId;
  final String address;
  private final HttpServerResponse response;
  private final int maxQueuedBytes;
  private ArrayDeque<ChatEvent> pending;
  private long pendingBytes;
  private Set<String> replayed = Set.of();
  private final Consumer<SseStream> onClosed;
  private boolean closed;
  String closeReason;

  SseStream(
      String userId,
      String sessionId,
      String address,
      HttpServerResponse response,
      int maxQueuedBytes,
      Consumer<SseStream> onClosed) {
    this.onClosed = onClosed;
    this.userId = userId;
    this.sessionId = sessionId;
    this.address = address;
    this.response = response;
    this.maxQueuedBytes = maxQueuedBytes;
    response.setWriteQueueMaxSize(maxQueuedBytes);
  }

  boolean closed() {
    return closed;
  }

  /** Holds live events back until {@link #endReplay}. */
  void beginReplay() {
    pending = new ArrayDeque<>();
  }

  /**
   * Writes the replayed frames, then the live events that arrived meanwhile minus those the replay
   * carried; afterwards live events flow directly (still skipping the replayed ids, which may reach
   * this node late over the bus).
   */
  void endReplay(Iterable<Buffer> frames, Set<String> replayedIds) {
    for (Buffer f : frames) {
      if (!write(f)) {
        return;
      }
    }
    replayed = replayedIds;
    ArrayDeque<ChatEvent> waiting = pending;
    pending = null;
    pendingBytes = 0;
    if (waiting != null) {
      for (ChatEvent e : waiting) {
        if (!deliver(e)) {
          return;
        }
      }
    }
  }

  /** Stops skipping the replayed ids (they cannot arrive live any more). */
  void forgetReplay() {
    replayed = Set.of();
  }

  /** Returns false when the stream is (now) closed. */
  boolean deliver(ChatEvent e) {
    if (closed) {
      return false;
    }
    if (pending != null) {
      pending.add(e);
      pendingBytes += e.frame().length();
      if (pendingBytes > maxQueuedBytes) {
        drop("slow_consumer: too many events waiting during the replay");
        return false;
      }
      return true;
    }
    if (!replayed.isEmpty() && replayed.contains(e.id())) {
      return true;
    }
    return write(e.frame());
  }

  /** Writes unless the socket is already behind by {@code maxQueuedBytes}; then drops. */
  boolean write(Buffer frame) {
    if (closed) {
      return false;
    }
    if (response.writeQueueFull()) {
      drop("slow_consumer: write queue full");
      return false;
    }
    response.write(frame);
    return true;
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
