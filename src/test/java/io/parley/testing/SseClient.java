package io.parley.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real Server-Sent Events client over a real socket, parsing frames as a browser does. */
public final class SseClient implements AutoCloseable {
  /** One event: {@code id} may be null; {@code comment} frames are not recorded. */
  public record Event(String id, String event, String data) {
    public JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final HttpClient client;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<Event> all = new ArrayList<>();
  private final HttpClientResponse response;
  private volatile boolean ended;
  private final java.util.concurrent.CountDownLatch endLatch =
      new java.util.concurrent.CountDownLatch(1);
  private final StringBuilder pending = new StringBuilder();
  private volatile String retry;
  private volatile int comments;
  private volatile boolean retryFirst;
  private volatile boolean anyData;

  private SseClient(HttpClient client, HttpClientResponse response) {
    this.client = client;
    this.response = response;
  }

  /**
   * Connects to a QR challenge's wait stream with its requester secret (and these other headers);
   * returns once the response head arrived.
   */
  public static SseClient qrEvents(
      Vertx vertx, int port, io.vertx.core.json.JsonObject challenge, Map<String, String> more) {
    Map<String, String> h = new java.util.HashMap<>(more);
    h.put("X-Requester-Secret", challenge.getString("requesterSecret"));
    return connect(
        vertx, port, "/api/auth/qr/" + challenge.getString("challengeId") + "/events", h);
  }

  /** Connects; returns once the response head arrived (any status). */
  public static SseClient connect(Vertx vertx, int port, String path, Map<String, String> headers) {
    HttpClient client = vertx.createHttpClient();
    RequestOptions opts =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI(path);
    headers.forEach(opts::addHeader);
    opts.addHeader("Accept", "text/event-stream");
    try {
      SseClient[] holder = new SseClient[1];
      client
          .request(opts)
          .compose(
              req -> {
                // handlers go on the response future before the request is sent, so they run as
                // the head arrives, before any body chunk (a short error body may follow at once)
                Future<SseClient> head =
                    req.response()
                        .map(
                            res -> {
                              SseClient sse = new SseClient(client, res);
                              try {
                                res.handler(sse::onData);
                                res.endHandler(v -> sse.markEnded());
                                res.exceptionHandler(e -> sse.markEnded());
                              } catch (IllegalStateException alreadyEnded) {
                                sse.markEnded();
                              }
                              holder[0] = sse;
                              return sse;
                            });
                req.end();
                return head;
              })
          .await(20, TimeUnit.SECONDS);
      return holder[0];
    } catch (Exception e) {
      client.close();
      throw new IllegalStateException("SSE connect failed: " + e.getMessage(), e);
    }
  }

  public int status() {
    return response.statusCode();
  }

  public String header(String name) {
    return response.getHeader(name);
  }

  public String retry() {
    return retry;
  }

  /** Whether the very first line of the stream was {@code retry:}. */
  public boolean startedWithRetry() {
    return retryFirst;
  }

  /** Comment lines (heartbeats) received so far. */
  public int comments() {
    return comments;
  }

  /**
   * The id a reconnecting EventSource would send as {@code Last-Event-ID}: the cursor the server
   * wrote after the last stored event, or that event's own id.
   */
  public synchronized String lastEventId() {
    return lastEventId;
  }

  public boolean ended() {
    return ended;
  }

  private void markEnded() {
    ended = true;
    endLatch.countDown();
  }

  private String lastEventId;

  private synchronized void onData(Buffer b) {
    pending.append(b.toString());
    int idx;
    while ((idx = pending.indexOf("\n\n")) >= 0) {
      String block = pending.substring(0, idx);
      pending.delete(0, idx + 2);
      String id = null;
      String event = "message";
      StringBuilder data = null;
      for (String line : block.split("\n")) {
        if (!anyData) {
          anyData = true;
          retryFirst = line.startsWith("retry:");
        }
        if (line.startsWith(":")) {
          comments++;
          continue;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        switch (field) {
          case "id" -> id = value;
          case "event" -> event = value;
          case "data" ->
              data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          case "retry" -> retry = value;
          default -> {}
        }
      }
      // as EventSource does: an id (even in a block without data) becomes the last event id
      if (id != null) {
        lastEventId = id;
      }
      if (data != null) {
        Event e = new Event(id, event, data.toString());
        all.add(e);
        events.add(e);
      }
    }
  }

  /** The next event, or null after the timeout. */
  public Event next(long timeoutMs) {
    try {
      return events.poll(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Skips events until one matches; null after the timeout. */
  public Event await(Predicate<Event> p, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return null;
      }
      Event e = next(left);
      if (e == null) {
        return null;
      }
      if (p.test(e)) {
        return e;
      }
    }
  }

  public Event awaitEvent(String name, long timeoutMs) {
    return await(e -> e.event().equals(name), timeoutMs);
  }

  /** Waits until the server ends the stream. */
  public boolean awaitEnd(long timeoutMs) {
    try {
      return endLatch.await(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public synchronized List<Event> received() {
    return List.copyOf(all);
  }

  @Override
  public void close() {
    try {
      client.close().await(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
