package io.parley.http;

import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.BusClient;
import io.parley.http.sse.SseHub;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /sse} (Bearer token, or a single-use ticket for browsers' EventSource) and {@code POST
 * /api/sse/ticket}. The JWT itself is never accepted in a URL.
 */
final class SseRoutes {
  private final BusClient bus;
  private final SessionCache sessions;
  private final SseHub hub;

  SseRoutes(BusClient bus, SessionCache sessions, SseHub hub) {
    this.bus = bus;
    this.sessions = sessions;
    this.hub = hub;
  }

  void mount(Router router, TokenAuth auth) {
    router
        .post("/api/sse/ticket")
        .handler(auth)
        .handler(
            rc ->
                bus.request(Addresses.SSE_TICKET_CREATE, Requests.caller(rc).toJson())
                    .onSuccess(r -> Responses.json(rc, 200, r))
                    .onFailure(err -> Responses.failure(rc, err)));
    router
        .get("/sse")
        .handler(
            rc -> {
              String ticket = first(rc, "ticket");
              if (ticket != null && rc.request().getHeader("Authorization") == null) {
                redeem(rc, ticket);
              } else {
                auth.handle(rc);
              }
            })
        .handler(this::open);
  }

  /**
   * The first value of a query parameter, or null. Read through the routing context, which answers
   * a malformed query string (a stray {@code %}) with 400; the request's own getParam throws, and
   * that was a 500.
   */
  private static String first(RoutingContext rc, String name) {
    var values = rc.queryParam(name);
    return values.isEmpty() ? null : values.get(0);
  }

  private void redeem(RoutingContext rc, String ticket) {
    bus.request(Addresses.SSE_TICKET_REDEEM, new JsonObject().put("ticket", ticket))
        .compose(
            ids ->
                sessions
                    .isActive(ids.getString("userId"), ids.getString("sessionId"))
                    .map(active -> active ? ids : null))
        .onSuccess(
            ids -> {
              if (ids == null) {
                Responses.error(rc, 401, "session_revoked", "This session was signed out");
                return;
              }
              rc.put(Requests.USER_ID, ids.getString("userId"));
              rc.put(Requests.SESSION_ID, ids.getString("sessionId"));
              rc.next();
            })
        .onFailure(err -> Responses.error(rc, ApiError.from(err)));
  }

  private void open(RoutingContext rc) {
    String userId = rc.get(Requests.USER_ID);
    String sessionId = rc.get(Requests.SESSION_ID);
    String address = Requests.address(rc);
    System.err.println(
        "DBG open gone="
            + Held.gone(rc)
            + " closed="
            + rc.response().closed()
            + " ended="
            + rc.response().ended());
    if (Held.gone(rc)) {
      return; // left while the token or ticket was checked: no slot for a stream nobody reads
    }
    if (!hub.reserve(userId, address)) {
      rc.response().putHeader("Retry-After", "30");
      Responses.error(
          rc,
          429,
          "too_many_streams",
          "Too many open event streams for this user or address; close one first");
      return;
    }
    String lastEventId = rc.request().getHeader("Last-Event-ID");
    if (lastEventId == null) {
      lastEventId = first(rc, "lastEventId");
    }
    if (lastEventId != null && (lastEventId.isBlank() || lastEventId.length() > 200)) {
      lastEventId = "invalid";
    }
    // the slot is released when the stream ends, whoever ends it
    Held.untilDone(rc, hub.open(rc.response(), userId, sessionId, address, lastEventId));
  }
}
