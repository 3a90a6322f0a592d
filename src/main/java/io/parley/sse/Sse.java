package io.parley.sse;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

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

  /** One event; {@code id} may be null (ephemeral events). Multi-line data is split per spec. */
  public static Buffer frame(String id, String event, String data) {
    StringBuilder sb = new StringBuilder(data.length() + 64);
    if (id != null && !id.isEmpty()) {
      sb.append("id: ").append(id).append('\n');
    }
    sb.append("event: ").append(event).append('\n');
    for (String line : data.split("\n", -1)) {
      sb.append("data: ").append(line).append('\n');
    }
    sb.append('\n');
    return Buffer.buffer(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  public static Buffer heartbeat() {
    return HEARTBEAT;
  }
}
