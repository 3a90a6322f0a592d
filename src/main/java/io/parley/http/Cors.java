package io.parley.http;

import io.parley.config.ParleyConfig.CorsConfig;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin requests from browsers ({@code cors.*}, {@code CORS_ORIGIN}). A listed origin gets
 * CORS headers naming it exactly; any other origin gets none (the browser then keeps the response
 * from the page), and its preflight is refused with 403. {@code *} answers {@code *} and never
 * allows credentials.
 */
final class Cors implements Handler<RoutingContext> {
  static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
  static final String ALLOWED_HEADERS =
      "Authorization, Content-Type, Last-Event-ID, X-Requester-Secret, X-Requested-With";
  static final String EXPOSED_HEADERS =
      "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Location";

  private final Set<String> origins;
  private final boolean any;
  private final boolean credentials;
  private final String maxAge;

  Cors(CorsConfig cfg) {
    this.origins = Set.copyOf(cfg.origins());
    this.any = origins.contains("*");
    this.credentials = cfg.allowCredentials();
    this.maxAge = String.valueOf(cfg.maxAgeSeconds());
  }

  @Override
  public void handle(RoutingContext rc) {
    String origin = rc.request().getHeader("Origin");
    MultiMap h = rc.response().headers();
    if (!any) {
      // the answer depends on the Origin header: caches must keep them apart
      h.add("Vary", "Origin");
    }
    boolean preflight =
        rc.request().method() == HttpMethod.OPTIONS
            && rc.request().getHeader("Access-Control-Request-Method") != null;
    boolean allowed = origin != null && (any || origins.contains(origin.toLowerCase(Locale.ROOT)));
    if (!allowed) {
      if (preflight) {
        Responses.error(rc, 403, "cors_origin_not_allowed", "This origin may not call the API");
        return;
      }
      rc.next();
      return;
    }
    h.set("Access-Control-Allow-Origin", any ? "*" : origin);
    if (credentials) {
      h.set("Access-Control-Allow-Credentials", "true");
    }
    if (preflight) {
      h.set("Access-Control-Allow-Methods", ALLOWED_METHODS);
      h.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
      h.set("Access-Control-Max-Age", maxAge);
      rc.response().setStatusCode(204).end();
      return;
    }
    h.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    rc.next();
  }
}
