package io.parley.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * An error as clients see it: {@code {"error":{"code":"…","message":"…"}}} with an HTTP status,
 * plus optional details (e.g. {@code retryAfterSeconds}). Crosses the bus inside a {@link
 * ReplyException}.
 */
public record ApiError(int status, String code, String message, JsonObject details) {

  private static final JsonObject RETRY_SOON = new JsonObject().put("retryAfterSeconds", 1);

  public static ApiError of(Failure failure, String code, String message) {
    return new ApiError(failure.httpStatus(), code, message, null);
  }

  /** 400 {@code validation_failed} about one field of the request, named in the details. */
  public static ApiError invalid(String field, String message) {
    return invalid(field, "validation_failed", message);
  }

  /** 400 with a code of its own about one field of the request, named in the details. */
  public static ApiError invalid(String field, String code, String message) {
    return of(Failure.BAD_REQUEST, code, message).withDetails(new JsonObject().put("field", field));
  }

  /** 429 {@code rate_limited}; the details tell the client when to try again. */
  public static ApiError rateLimited(String message, long retryAfterSeconds) {
    return of(Failure.RATE_LIMITED, "rate_limited", message).withRetryAfter(retryAfterSeconds);
  }

  /** 429 {@code rate_limited} that also names the limit hit ({@code scope} before the wait). */
  public static ApiError rateLimited(String scope, String message, long retryAfterSeconds) {
    return of(Failure.RATE_LIMITED, "rate_limited", message)
        .withDetails(
            new JsonObject().put("scope", scope).put("retryAfterSeconds", retryAfterSeconds));
  }

  /** A failed future carrying this error across the bus. */
  public ReplyException toReplyException() {
    JsonObject body = new JsonObject().put("code", code).put("message", message);
    if (details != null) {
      body.put("details", details);
    }
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, status + 1000, body.encode());
  }

  public ApiError withDetails(JsonObject d) {
    return new ApiError(status, code, message, d);
  }

  /** This error with {@code retryAfterSeconds} as its details (the edge adds Retry-After). */
  public ApiError withRetryAfter(long seconds) {
    return withDetails(new JsonObject().put("retryAfterSeconds", seconds));
  }

  /** Turns whatever a bus request failed with into what the client should see. */
  public static ApiError from(Throwable t) {
    if (t instanceof ApiException e) {
      return e.error();
    }
    if (t instanceof ReplyException re) {
      // both are transient (a node starting, leaving or stalled): 503 with Retry-After, so that
      // clients and proxies retry; a retried send is idempotent by its clientId
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return new ApiError(
            503,
            "service_unavailable",
            "No node of the cluster serves this request now",
            RETRY_SOON);
      }
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return new ApiError(503, "timeout", "The service did not answer in time", RETRY_SOON);
      }
      int code = re.failureCode();
      if (code >= Failure.CLIENT_MIN && code <= Failure.SERVER_MAX) {
        try {
          JsonObject body = new JsonObject(re.getMessage());
          return new ApiError(
              Failure.httpStatusOf(code),
              body.getString("code", "error"),
              body.getString("message", ""),
              body.getJsonObject("details"));
        } catch (DecodeException | ClassCastException ignored) {
          return new ApiError(Failure.httpStatusOf(code), "error", "", null);
        }
      }
    }
    return internal();
  }

  /** 500 internal_error: a failure of ours, with nothing about it for the client. */
  public static ApiError internal() {
    return of(Failure.INTERNAL, "internal_error", "Something went wrong on our side");
  }

  public JsonObject toJson() {
    JsonObject err = new JsonObject().put("code", code).put("message", message);
    if (details != null) {
      err.mergeIn(details);
    }
    return new JsonObject().put("error", err);
  }
}
