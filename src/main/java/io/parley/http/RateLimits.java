package io.parley.http;

import io.parley.bus.ApiError;
import io.parley.config.ParleyConfig.RateLimitConfig;
import io.parley.metrics.ParleyMetrics;
import io.parley.ratelimit.RateLimiter;
import io.parley.ratelimit.RateLimiter.Decision;
import io.parley.ratelimit.RateLimiter.Limit;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Request limits at the edge ({@code rateLimit.*}): per client address on every API request,
 * stricter per address for non-GET requests under {@code /api/auth}, and per user once {@link
 * TokenAuth} has verified the token. Each answer carries {@code RateLimit-Limit}, {@code
 * RateLimit-Remaining} and {@code RateLimit-Reset} for the tightest limit checked; a refusal is 429
 * {@code rate_limited} with {@code Retry-After}.
 */
final class RateLimits {
  static final String SCOPE_ADDRESS = "address";
  static final String SCOPE_AUTH = "auth";
  static final String SCOPE_USER = "user";
  private static final String SHOWN_REMAINING = "rateLimitShownRemaining";

  private final RateLimiter limiter;
  private final ParleyMetrics metrics;
  private final Limit perAddress;
  private final Limit authPerAddress;
  private final Limit perUser;

  RateLimits(RateLimiter limiter, ParleyMetrics metrics, RateLimitConfig cfg) {
    this.limiter = limiter;
    this.metrics = metrics;
    this.perAddress = Limit.leased("req-address", cfg.maxRequests(), cfg.window());
    this.authPerAddress = Limit.leased("req-auth", cfg.authMaxRequests(), cfg.authWindow());
    this.perUser = Limit.leased("req-user", cfg.userMaxRequests(), cfg.window());
  }

  /** The per-address limits, as a route handler. */
  Handler<RoutingContext> byAddress() {
    return rc -> {
      HttpServerRequest req = rc.request();
      if (!req.isEnded()) {
        // the shared counters answer asynchronously: keep the body for the handlers after us
        // (the body handler and streaming uploads resume it; others are resumed once answered)
        req.pause();
        rc.addEndHandler(
            v -> {
              if (!req.isEnded()) {
                req.resume();
              }
            });
      }
      String address = Requests.address(rc);
      boolean authWrite =
          rc.request().method() != HttpMethod.GET
              && rc.request().method() != HttpMethod.HEAD
              && rc.request().method() != HttpMethod.OPTIONS
              && rc.normalizedPath().startsWith("/api/auth/");
      Future<Boolean> ok = check(rc, perAddress, SCOPE_ADDRESS, address);
      if (authWrite) {
        ok =
            ok.compose(
                pass ->
                    pass
                        ? check(rc, authPerAddress, SCOPE_AUTH, address)
                        : Future.succeededFuture(false));
      }
      ok.onSuccess(
              pass -> {
                if (pass) {
                  rc.next();
                }
              })
          .onFailure(rc::fail);
    };
  }

  /** The per-user limit; true when the request may go on, false after answering 429. */
  Future<Boolean> byUser(RoutingContext rc, String userId) {
    return check(rc, perUser, SCOPE_USER, userId);
  }

  private Future<Boolean> check(RoutingContext rc, Limit limit, String scope, String key) {
    return limiter
        .consume(limit, key)
        .map(
            d -> {
              show(rc, d);
              if (d.allowed()) {
                return true;
              }
              metrics.rateLimitRejected(scope);
              Responses.error(
                  rc,
                  ApiError.rateLimited(
                      scope,
                      "Too many requests; retry after " + d.retryAfterSeconds() + " s",
                      d.retryAfterSeconds()));
              return false;
            });
  }

  /** Shows the tightest limit seen so far on this request. */
  private static void show(RoutingContext rc, Decision d) {
    Long shown = rc.get(SHOWN_REMAINING);
    if (shown != null && shown <= d.remaining()) {
      return;
    }
    rc.put(SHOWN_REMAINING, d.remaining());
    MultiMap h = rc.response().headers();
    h.set("RateLimit-Limit", String.valueOf(d.limit()));
    h.set("RateLimit-Remaining", String.valueOf(d.remaining()));
    h.set("RateLimit-Reset", String.valueOf(d.resetSeconds()));
  }
}
