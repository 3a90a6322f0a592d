package io.parley.http.sse;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Server-Sent Events framing (vertx-web 5 has no server-side SSE helper). */
public final class Sse {
  /** How long a client waits before reconnecting, sent first on every stream. */
  public static final int RETRY_MS = 3000;

  public static final long HEARTBEAT_MS = 15_000;
  private static final Buffer HEARTBEAT = Buffer.buffer(": heartbeat\n\n");

  private Sse() {}

  /**
   * Starts an event stream: never compressed ({@code Content-Encoding: identity} keeps the
   * compressor away), never buffered by proxies, never cached; then the {@code retry:} line.
   */
  public static void open(HttpServerResponse res) {
    res.setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, no-transform")
        .putHeader("X-Accel-Buffering", "no")
        .putHeader(HttpHeaders.CONNECTION, "keep-alive");
    res.write(Buffer.buffer("retry: " + RETRY_MS + "\n\n"));
  }

  /**
   * One event of the SSE code's own (resync, session revoked, QR status); {@code id} may be null.
   * Chat events arrive already framed ({@link io.parley.bus.ChatEvent#frame}, the same function;
   * docs/adr/0003-event-frames-on-the-bus.md says why).
   */
  public static Buffer frame(String id, String event, String data) {
    return io.parley.bus.ChatEvent.frame(id, event, data);
  }

  public static Buffer heartbeat() {
    return HEARTBEAT;
  }
}
