package io.parley.http;

import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.AuthApi.QrPoll;
import io.parley.bus.AuthApi.QrStatus;
import io.parley.bus.AuthApi.QrUpdated;
import io.parley.bus.BusClient;
import io.parley.http.sse.Sse;
import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The new device's side of the QR device link (no token yet): create a challenge, fetch its image,
 * then wait on an event stream, or poll, with the requester secret. The approval is redeemed for
 * the device's own session and token exactly once.
 */
final class QrRoutes {
  static final String SECRET_HEADER = "X-Requester-Secret";

  private final Vertx vertx;
  private final BusClient bus;
  private final ParleyMetrics metrics;

  /** Streams waiting on this verticle, by challenge id (this event loop only). */
  private final Map<String, List<Waiter>> waiting = new HashMap<>();

  private MessageConsumer<JsonObject> updates;

  QrRoutes(Vertx vertx, BusClient bus, ParleyMetrics metrics) {
    this.vertx = vertx;
    this.bus = bus;
    this.metrics = metrics;
  }

  Future<Void> start() {
    updates =
        vertx
            .eventBus()
            .consumer(
                Addresses.QR_UPDATED,
                msg -> {
                  QrUpdated u = QrUpdated.fromJson(msg.body());
                  List<Waiter> ws = waiting.get(u.challengeId());
                  if (ws != null) {
                    List.copyOf(ws).forEach(Waiter::refresh);
                  }
                });
    return updates.completion();
  }

  Future<Void> stop() {
    List.copyOf(waiting.values()).forEach(ws -> List.copyOf(ws).forEach(Waiter::close));
    return updates == null ? Future.succeededFuture() : updates.unregister();
  }

  void mount(Router router) {
    router.post("/api/auth/qr").handler(this::create);
    router.get("/api/auth/qr/:id/image.svg").handler(this::image);
    router.get("/api/auth/qr/:id/events").handler(this::events);
    router.get("/api/auth/qr/:id").handler(this::poll);
  }

  private void create(RoutingContext rc) {
    bus.request(Addresses.QR_CREATE, Requests.client(rc).toJson())
        .onSuccess(created -> Responses.json(rc, 201, created))
        .onFailure(err -> Responses.failure(rc, err));
  }

  /**
   * The image is a bearer credential: only its requester (with the secret, in the header) reads it.
   */
  private void image(RoutingContext rc) {
    bus.request(
            Addresses.QR_IMAGE,
            new QrPoll(rc.pathParam("id"), rc.request().getHeader(SECRET_HEADER)).toJson())
        .onSuccess(
            r ->
                rc.response()
                    .putHeader("Content-Type", "image/svg+xml")
                    .putHeader("Cache-Control", "no-store")
                    .end(r.getString("svg")))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void poll(RoutingContext rc) {
    bus.request(
            Addresses.QR_POLL,
            new QrPoll(rc.pathParam("id"), rc.request().getHeader(SECRET_HEADER)).toJson())
        .onSuccess(status -> Responses.json(rc, 200, status))
        .onFailure(err -> Responses.failure(rc, err));
  }

  /**
   * {@code qr.scanned}, then {@code qr.approved} with the grant (the stream then ends), or {@code
   * qr.expired}.
   */
  private void events(RoutingContext rc) {
    String id = rc.pathParam("id");
    // EventSource cannot send headers: the secret may come as ?secret=, which works once
    String header = rc.request().getHeader(SECRET_HEADER);
    String secret =
        header != null ? header : rc.queryParam("secret").stream().findFirst().orElse(null);
    bus.request(Addresses.QR_POLL, new QrPoll(id, secret, header == null).toJson())
        .onFailure(err -> Responses.failure(rc, err))
        .onSuccess(
            first -> {
              HttpServerResponse res = rc.response();
              if (Held.gone(rc)) {
                return; // the client left while we asked: no stream, no timers for it
              }
              Sse.open(res);
              metrics.sseStreamOpened();
              Waiter w = new Waiter(id, secret, res);
              Held.untilDone(rc, w::close);
              w.deliver(QrStatus.fromJson(first), first);
              if (!w.closed) {
                waiting.computeIfAbsent(id, k -> new ArrayList<>()).add(w);
              }
            });
  }

  /** One waiting stream. */
  private final class Waiter {
    final String challengeId;
    final String secret;
    final HttpServerResponse res;
    final long heartbeat;
    long expiry = -1;
    boolean scannedSent;
    boolean closed;

    Waiter(String challengeId, String secret, HttpServerResponse res) {
      this.challengeId = challengeId;
      this.secret = secret;
      this.res = res;
      this.heartbeat = vertx.setPeriodic(Sse.HEARTBEAT_MS, t -> res.write(Sse.heartbeat()));
    }

    void refresh() {
      bus.request(Addresses.QR_POLL, new QrPoll(challengeId, secret).toJson())
          .onSuccess(j -> deliver(QrStatus.fromJson(j), j))
          .onFailure(
              err -> {
                ApiError e = ApiError.from(err);
                // another poll of the same requester redeemed it, or it expired meanwhile
                send("qr." + ("qr_expired".equals(e.code()) ? "expired" : "closed"), e.toJson());
                close();
              });
    }

    void deliver(QrStatus status, JsonObject body) {
      if (closed) {
        return;
      }
      if (expiry < 0 && status.expiresAt() != null) {
        long ms = Math.max(1, status.expiresAt().toEpochMilli() - Instant.now().toEpochMilli());
        expiry = vertx.setTimer(ms + 250, t -> refresh());
      }
      switch (status.status()) {
        case "scanned" -> {
          if (!scannedSent) {
            scannedSent = true;
            send("qr.scanned", body);
          }
        }
        case "approved" -> {
          if (!scannedSent) {
            send("qr.scanned", new JsonObject().put("status", "scanned"));
          }
          send("qr.approved", body);
          close();
        }
        default -> {
          // pending: nothing to say yet
        }
      }
    }

    void send(String event, JsonObject data) {
      if (!closed) {
        res.write(Sse.frame(null, event, data.encode()));
        metrics.eventsDelivered(1);
      }
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      metrics.sseStreamClosed();
      vertx.cancelTimer(heartbeat);
      vertx.cancelTimer(expiry);
      List<Waiter> ws = waiting.get(challengeId);
      if (ws != null) {
        ws.remove(this);
        if (ws.isEmpty()) {
          waiting.remove(challengeId);
        }
      }
      if (!res.ended() && !res.closed()) {
        res.end();
      }
    }
  }
}
