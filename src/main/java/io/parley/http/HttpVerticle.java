package io.parley.http;

import io.parley.NodeContext;
import io.parley.bus.ApiError;
import io.parley.bus.BusClient;
import io.parley.bus.ChatEvent;
import io.parley.bus.EventIds;
import io.parley.http.sse.SseHub;
import io.parley.metrics.ParleyMetrics;
import io.parley.security.Jwt;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP/SSE edge: routes, token checks, validation; the work goes over the bus. */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private final NodeContext ctx;
  private final IntConsumer onListening;
  private HttpServer server;
  private HttpServer redirect;
  private HealthHandler health;
  private SessionCache sessions;
  private QrRoutes qr;
  private SseHub hub;

  public HttpVerticle(NodeContext ctx, IntConsumer onListening) {
    this.ctx = ctx;
    this.onListening = onListening;
  }

  @Override
  public Future<?> start() {
    var cfg = ctx.config().http();
    BusClient bus = ctx.busClient(vertx);
    health = new HealthHandler(vertx, ctx, bus);

    var config = ctx.config();
    Router router = Router.router(vertx);
    // before any asynchronous step: whatever a request takes later is released when it is done
    router.route().handler(Held.watch());
    // every response, errors and event streams included: who the client is, security headers, CORS
    router.route().handler(new ClientAddress(config.proxy()));
    router.route().handler(new SecurityHeaders(config.tls().hstsMaxAgeSeconds()));
    if (config.cors().enabled()) {
      router.route().handler(new Cors(config.cors()));
    }
    router.get("/health/live").handler(health::live);
    router.head("/health/live").handler(health::live);
    router
        .route("/health/live")
        .handler(rc -> Responses.error(rc, 405, "method_not_allowed", "Method not allowed"));
    // the web client's static files: cheap, cached by browsers, not counted against API limits
    new WebClientRoutes(vertx, config).mount(router);
    // everything else counts against the client address's limits (the deep health check too)
    RateLimits limits = new RateLimits(ctx.rateLimiter(), ctx.metrics(), config.rateLimit());
    router.route().handler(limits.byAddress());
    router.get("/health").handler(health::health);
    // upload bodies stream to disk: their route comes before the body handler, which buffers
    new UploadContent(vertx, bus).mount(router);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(cfg.maxBodyBytes()));

    sessions = new SessionCache(vertx, bus);
    TokenAuth auth = new TokenAuth(Jwt.provider(vertx, config.jwt(), false), sessions, limits);
    qr = new QrRoutes(vertx, bus, ctx.metrics());
    new AuthRoutes(bus).mount(router, auth);
    qr.mount(router);
    new UserRoutes(bus).mount(router, auth);
    new ConversationRoutes(bus).mount(router, auth);
    new MessageRoutes(bus).mount(router, auth);
    hub =
        new SseHub(
            vertx, ctx.config().sse(), bus, ctx.relay() != null, streamMetrics(ctx.metrics()));
    new SseRoutes(bus, sessions, hub).mount(router, auth);
    new UploadRoutes(bus, cfg.publicUrl()).mount(router, auth);

    // no catch-all route: the router itself tells 404 (no such path) from 405 (no such method)
    router.errorHandler(404, rc -> Responses.error(rc, 404, "not_found", "No such route"));
    router.errorHandler(
        405, rc -> Responses.error(rc, 405, "method_not_allowed", "Method not allowed"));
    router.errorHandler(
        413, rc -> Responses.error(rc, 413, "payload_too_large", "The request body is too large"));
    router.errorHandler(
        400, rc -> Responses.error(rc, 400, "bad_request", "The request could not be read"));
    router.errorHandler(
        500,
        rc -> {
          if (rc.failure() != null) {
            LOG.error(
                "unhandled failure on {} {}",
                rc.request().method(),
                rc.request().path(),
                rc.failure());
          }
          Responses.error(rc, ApiError.internal());
        });

    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(cfg.host())
            .setPort(cfg.port())
            // gzip when the client accepts it; event streams opt out (Content-Encoding: identity)
            .setCompressionSupported(true);
    if (config.tls().enabled()) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setKeyPath(config.tls().keyPath().toString())
                  .setCertPath(config.tls().certPath().toString()));
    }
    server = vertx.createHttpServer(options);
    return Future.all(sessions.start(), qr.start(), hub.start())
        .compose(v -> server.requestHandler(router).listen())
        .compose(s -> startRedirect(s.actualPort()).map(s))
        .onSuccess(
            s -> {
              onListening.accept(s.actualPort());
              LOG.debug(
                  "HTTP{} listening on {}:{}",
                  config.tls().enabled() ? "S" : "",
                  cfg.host(),
                  s.actualPort());
            });
  }

  /**
   * With TLS and {@code tls.redirectPort}: a plain-HTTP listener that sends every request to the
   * same path over HTTPS (301 for GET and HEAD, 308 otherwise so that the method and body are
   * kept).
   */
  private Future<Void> startRedirect(int httpsPort) {
    var config = ctx.config();
    int port = config.tls().redirectPort();
    if (!config.tls().enabled() || port == 0) {
      return Future.succeededFuture();
    }
    String publicUrl = config.http().publicUrl();
    String base = publicUrl.startsWith("https://") ? publicUrl.replaceAll("/+$", "") : null;
    redirect =
        vertx.createHttpServer(new HttpServerOptions().setHost(config.http().host()).setPort(port));
    return redirect
        .requestHandler(
            req -> {
              String target;
              if (base != null) {
                target = base + req.uri();
              } else {
                String host =
                    req.authority() == null ? config.http().host() : req.authority().host();
                if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
                  host = "[" + host + "]";
                }
                target = "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + req.uri();
              }
              boolean safe = req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD;
              req.response()
                  .setStatusCode(safe ? 301 : 308)
                  .putHeader("Location", target)
                  .putHeader("X-Content-Type-Options", "nosniff")
                  .putHeader("Cache-Control", "no-store")
                  .end();
            })
        .listen()
        .onSuccess(
            s -> LOG.debug("HTTP to HTTPS redirect on {}:{}", config.http().host(), s.actualPort()))
        .mapEmpty();
  }

  /** Stops accepting, then waits (up to the grace period) for in-flight requests to finish. */
  @Override
  public Future<?> stop() {
    if (health != null) {
      health.close();
    }
    // event streams never finish by themselves: end them first, then drain the rest
    Future<Void> streams =
        Future.join(
                qr == null ? Future.succeededFuture() : qr.stop(),
                hub == null ? Future.succeededFuture() : hub.stop())
            .mapEmpty();
    return streams
        .eventually(
            () ->
                server == null
                    ? Future.succeededFuture()
                    : server.shutdown(ctx.config().node().shutdownGraceMs(), TimeUnit.MILLISECONDS))
        .eventually(() -> redirect == null ? Future.succeededFuture() : redirect.close())
        .eventually(() -> sessions == null ? Future.succeededFuture() : sessions.stop());
  }

  /** Open streams, events written and commit-to-write latency, in the node's registry. */
  private static SseHub.StreamListener streamMetrics(ParleyMetrics metrics) {
    return new SseHub.StreamListener() {
      @Override
      public void opened() {
        metrics.sseStreamOpened();
      }

      @Override
      public void closed() {
        metrics.sseStreamClosed();
      }

      @Override
      public void repaired(String kind, int n) {
        metrics.streamRepaired(kind, n);
      }

      @Override
      public void repairFailed(String kind, int streams) {
        metrics.streamRepairFailed(kind, streams);
      }

      @Override
      public void delivered(int streams, ChatEvent e) {
        metrics.eventsDelivered(streams);
        long committed = EventIds.time(e.id()).orElse(-1L);
        if (committed > 0) {
          metrics.fanOutLatency(
              Duration.ofMillis(Math.max(0, System.currentTimeMillis() - committed)));
        }
      }
    };
  }
}
