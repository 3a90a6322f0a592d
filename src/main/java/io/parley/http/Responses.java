package io.parley.http;

import io.parley.bus.ApiError;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON bodies and errors in the API's one error shape. */
public final class Responses {
  private Responses() {}

  public static void json(RoutingContext rc, int status, JsonObject body) {
    HttpServerResponse res = rc.response();
    if (res.ended()) {
      return;
    }
    res.setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.toBuffer());
  }

  public static void noContent(RoutingContext rc) {
    if (!rc.response().ended()) {
      rc.response().setStatusCode(204).end();
    }
  }

  public static void error(RoutingContext rc, ApiError err) {
    HttpServerResponse res = rc.response();
    if (res.ended() || res.headWritten()) {
      if (!res.ended()) {
        res.end();
      }
      return;
    }
    if (err.details() != null && err.details().containsKey("retryAfterSeconds")) {
      res.putHeader("Retry-After", String.valueOf(err.details().getValue("retryAfterSeconds")));
    }
    json(rc, err.status(), err.toJson());
  }

  public static void error(RoutingContext rc, int status, String code, String message) {
    error(rc, new ApiError(status, code, message, null));
  }

  /** For {@code future.onFailure(...)}: whatever failed becomes the right status and body. */
  public static void failure(RoutingContext rc, Throwable t) {
    error(rc, ApiError.from(t));
  }
}
