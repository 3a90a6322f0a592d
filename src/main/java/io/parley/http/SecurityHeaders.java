package io.parley.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/**
 * Headers every response carries, errors and event streams included; set first, so later handlers
 * may override them (an event stream sets its own Cache-Control). The API serves no HTML, so the
 * Content-Security-Policy allows nothing at all.
 */
final class SecurityHeaders implements Handler<RoutingContext> {
  static final String CSP =
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final String hsts;

  /**
   * @param hstsMaxAgeSeconds Strict-Transport-Security max-age for HTTPS requests, 0 for none
   */
  SecurityHeaders(long hstsMaxAgeSeconds) {
    this.hsts =
        hstsMaxAgeSeconds > 0 ? "max-age=" + hstsMaxAgeSeconds + "; includeSubDomains" : null;
  }

  @Override
  public void handle(RoutingContext rc) {
    MultiMap h = rc.response().headers();
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Content-Security-Policy", CSP);
    h.set("Cross-Origin-Resource-Policy", "same-site");
    h.set("Cache-Control", "no-store");
    if (hsts != null && Requests.secure(rc)) {
      h.set("Strict-Transport-Security", hsts);
    }
    rc.next();
  }
}
