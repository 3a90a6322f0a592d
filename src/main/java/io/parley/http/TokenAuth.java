package io.parley.http;

import io.parley.bus.ApiError;
import io.parley.bus.ApiException;
import io.parley.bus.Failure;
import io.parley.bus.Ids;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;

/**
 * Requires {@code Authorization: Bearer <jwt>}: a valid signature in the configured algorithm, an
 * unexpired token, and a session that is still signed in; then counts the request against the
 * user's rate limit ({@link RateLimits#byUser}). Puts the caller's user and session ids in the
 * routing context ({@link Requests#caller}).
 */
final class TokenAuth implements Handler<RoutingContext> {
  private final JWTAuth jwt;
  private final SessionCache sessions;
  private final RateLimits limits;

  TokenAuth(JWTAuth jwt, SessionCache sessions, RateLimits limits) {
    this.jwt = jwt;
    this.sessions = sessions;
    this.limits = limits;
  }

  @Override
  public void handle(RoutingContext rc) {
    String header = rc.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
      unauthorized(rc, "unauthorized", "Sign in: send Authorization: Bearer <token>");
      return;
    }
    verify(header.substring(7).trim())
        .onSuccess(
            ids -> {
              if (ids == null) {
                unauthorized(rc, "session_revoked", "This session was signed out");
                return;
              }
              limits
                  .byUser(rc, ids[0])
                  .onSuccess(
                      pass -> {
                        if (pass) {
                          rc.put(Requests.USER_ID, ids[0]);
                          rc.put(Requests.SESSION_ID, ids[1]);
                          rc.next();
                        }
                      })
                  .onFailure(rc::fail);
            })
        .onFailure(
            err -> {
              ApiError e = ApiError.from(err);
              if (e.status() == 401) {
                rc.response().putHeader("WWW-Authenticate", "Bearer");
              }
              Responses.error(rc, e);
            });
  }

  /**
   * {@code [userId, sessionId]} for a good token whose session is active, null when the session was
   * revoked; fails for a bad token.
   */
  Future<String[]> verify(String token) {
    Future<User> checked;
    try {
      checked = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // a claim of a type the JWT library does not expect (say "exp": "tomorrow")
      checked = Future.failedFuture(e);
    }
    return checked
        .recover(
            err ->
                Future.failedFuture(
                    new ApiException(
                        Failure.UNAUTHORIZED, "invalid_token", "The token is invalid or expired")))
        .compose(
            (User user) -> {
              // both claims must be ids, and the session must be the subject's own (checked by
              // SessionCache): a claim of another type or shape is a bad token, not a server error
              Object sub = user.principal().getValue("sub");
              Object sid = user.principal().getValue("sid");
              // every token we issue expires: one without an expiry never would, and is not ours
              Object exp = user.attributes().getValue("exp");
              if (!(exp instanceof Number)
                  || !(sub instanceof String s)
                  || !(sid instanceof String d)
                  || !Ids.valid(s)
                  || !Ids.valid(d)) {
                return Future.failedFuture(
                    new ApiException(
                        Failure.UNAUTHORIZED, "invalid_token", "The token is invalid or expired"));
              }
              return sessions.isActive(s, d).map(active -> active ? new String[] {s, d} : null);
            });
  }

  private static void unauthorized(RoutingContext rc, String code, String message) {
    rc.response().putHeader("WWW-Authenticate", "Bearer");
    Responses.error(rc, 401, code, message);
  }
}
