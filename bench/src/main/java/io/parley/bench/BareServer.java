package io.parley.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The baselines the harness measures Parley against, in one small Vert.x 5 server.
 *
 * <ul>
 *   <li>{@code bare} (the ceiling): {@code GET /sse?conv=c} opens a stream; {@code POST
 *       /publish/c} carries a complete, pre-encoded SSE frame that is written as is to every
 *       stream of conversation {@code c}. No parsing, no JSON, no auth: the least a server can do.
 *   <li>{@code bus} (Parley's send path without MongoDB): {@code POST
 *       /api/conversations/c/messages} with {@code {"clientId","text"}} builds the same message JSON
 *       Parley stores, encodes one SSE frame, publishes it on the event bus and every local stream
 *       of the conversation gets it from the consumer. No database, no token check.
 * </ul>
 *
 * Usage: {@code java -cp parley-bench.jar io.parley.bench.BareServer <port> bare|bus}
 */
public final class BareServer extends AbstractVerticle {
  private static final String ADDRESS = "bench.events";
  private final boolean bus;
  private final int port;
  private final Map<String, List<HttpServerResponse>> streams = new HashMap<>();
  private final Map<String, Long> seqs = new HashMap<>();

  BareServer(int port, boolean bus) {
    this.port = port;
    this.bus = bus;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    boolean bus = args.length > 1 && args[1].equals("bus");
    Vertx vertx = Vertx.vertx();
    vertx
        .deployVerticle(new BareServer(port, bus), new DeploymentOptions())
        .onSuccess(id -> System.out.println("bare server (" + (bus ? "bus" : "bare") + ") on " + port))
        .onFailure(
            e -> {
              e.printStackTrace();
              System.exit(1);
            });
  }

  @Override
  public void start() {
    if (bus) {
      vertx.eventBus().<Buffer>localConsumer(ADDRESS, m -> fanOut(m.headers().get("conv"), m.body()));
    }
    vertx.setPeriodic(15_000, t -> streams.values().forEach(l -> l.forEach(r -> r.write(": ping\n\n"))));
    vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1");
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.equals("/health")) {
      req.response().end("{\"status\":\"up\"}");
    } else if (path.equals("/sse")) {
      openStream(req);
    } else if (!bus && path.startsWith("/publish/")) {
      String conv = path.substring("/publish/".length());
      req.body()
          .onSuccess(
              frame -> {
                fanOut(conv, frame);
                req.response().setStatusCode(202).end();
              });
    } else if (bus && path.startsWith("/api/conversations/") && path.endsWith("/messages")) {
      String conv = path.substring("/api/conversations/".length(), path.length() - "/messages".length());
      req.body().onSuccess(b -> send(req, conv, b));
    } else if (path.equals("/bench/stats")) {
      int n = streams.values().stream().mapToInt(List::size).sum();
      req.response().end(new JsonObject().put("clients", n).encode());
    } else {
      req.response().setStatusCode(404).end();
    }
  }

  private void openStream(HttpServerRequest req) {
    String conv = req.getParam("conv", "");
    HttpServerResponse res = req.response();
    res.setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    res.write("retry: 3000\n\n");
    List<HttpServerResponse> list = streams.computeIfAbsent(conv, c -> new ArrayList<>());
    list.add(res);
    res.closeHandler(v -> list.remove(res));
  }

  private void fanOut(String conv, Buffer frame) {
    List<HttpServerResponse> list = streams.get(conv);
    if (list == null) {
      return;
    }
    for (HttpServerResponse r : List.copyOf(list)) {
      if (r.writeQueueFull()) {
        r.reset(); // a slow consumer is dropped, as Parley does
      } else {
        r.write(frame);
      }
    }
  }

  private void send(HttpServerRequest req, String conv, Buffer body) {
    JsonObject in;
    try {
      in = body.toJsonObject();
    } catch (RuntimeException e) {
      req.response().setStatusCode(400).end("{\"error\":\"bad_request\"}");
      return;
    }
    if (!(in.getValue("clientId") instanceof String) || !(in.getValue("text") instanceof String)) {
      req.response().setStatusCode(400).end("{\"error\":\"bad_request\"}");
      return;
    }
    long seq = seqs.merge(conv, 1L, Long::sum);
    JsonObject message =
        message(conv, seq, req.getHeader("X-User"), in.getString("clientId"), in.getString("text"));
    Buffer frame = frame(conv, seq, message);
    vertx.eventBus().publish(ADDRESS, frame, new io.vertx.core.eventbus.DeliveryOptions().addHeader("conv", conv));
    req.response()
        .setStatusCode(201)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("message", message).encode());
  }

  /** The message JSON Parley sends in {@code message.created}, field for field. */
  static JsonObject message(String conv, long seq, String sender, String clientId, String text) {
    return new JsonObject()
        .put("id", objectId())
        .put("conversationId", conv)
        .put("seq", seq)
        .put("senderId", sender)
        .put("clientId", clientId)
        .put("text", text)
        .put("attachments", new JsonArray())
        .put("createdAt", Instant.now().toString())
        .put("editedAt", null)
        .put("deletedAt", null)
        .put("deliveredTo", new JsonArray())
        .put("readBy", new JsonArray());
  }

  /** A {@code message.created} SSE frame shaped like Parley's. */
  static Buffer frame(String conv, long seq, JsonObject message) {
    String data = new JsonObject().put("conversationId", conv).put("message", message).encode();
    String id = System.currentTimeMillis() + "-m-" + conv + "-" + seq;
    return Buffer.buffer(
        ("id: " + id + "\nevent: message.created\ndata: " + data + "\n\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  static String objectId() {
    StringBuilder sb = new StringBuilder(24);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int i = 0; i < 24; i++) {
      sb.append(Character.forDigit(r.nextInt(16), 16));
    }
    return sb.toString();
  }
}
