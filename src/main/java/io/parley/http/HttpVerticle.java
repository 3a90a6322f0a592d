package io.parley.http;

import io.parley.NodeContext;
import io.parley.security.Jwt;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
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
  private HealthHandler health;
  private SessionCache sessions;
  private QrRoutes qr;

  public HttpVerticle(NodeContext ctx, IntConsumer onListening) {
    this.ctx = ctx;
    this.onListening = onListening;
  }

  @Override
  public Future<?> start() {
    var cfg = ctx.config().http();
    BusClient bus = new BusClient(vertx, cfg.busTimeoutMs());
    health = new HealthHandler(vertx, ctx, bus);

    Router router = Router.router(vertx);
    router.get("/health/live").handler(health::live);
    router.get("/health").handler(health::health);
    UploadRoutes uploads = new UploadRoutes(vertx, bus, cfg.publicUrl());
    // upload bodies stream to disk: their route comes before the body handler, which buffers
    uploads.mountContent(router);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(cfg.maxBodyBytes()));

    sessions = new SessionCache(vertx, bus);
    TokenAuth auth = new TokenAuth(Jwt.provider(vertx, ctx.config().jwt(), false), sessions);
    qr = new QrRoutes(vertx, bus);
    new AuthRoutes(bus).mount(router, auth);
    qr.mount(router);
    new UserRoutes(bus).mount(router, auth);
    new ConversationRoutes(bus).mount(router, auth);
    new MessageRoutes(bus).mount(router, auth);
    uploads.mount(router, auth);

    router.route().last().handler(rc -> Responses.error(rc, 404, "not_found", "No such route"));
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
          Responses.error(rc, 500, "internal_error", "Something went wrong on our side");
        });

    server =
        vertx.createHttpServer(new HttpServerOptions().setHost(cfg.host()).setPort(cfg.port()));
    return Future.all(sessions.start(), qr.start())
        .compose(v -> server.requestHandler(router).listen())
        .onSuccess(
            s -> {
              onListening.accept(s.actualPort());
              LOG.debug("HTTP listening on {}:{}", cfg.host(), s.actualPort());
            });
  }

  /** Stops accepting, then waits (up to the grace period) for in-flight requests to finish. */
  @Override
  public Future<?> stop() {
    if (health != null) {
      health.close();
    }
    // event streams never finish by themselves: end them first, then drain the rest
    Future<Void> streams = qr == null ? Future.succeededFuture() : qr.stop();
    return streams
        .eventually(
            () ->
                server == null
                    ? Future.succeededFuture()
                    : server.shutdown(ctx.config().node().shutdownGraceMs(), TimeUnit.MILLISECONDS))
        .eventually(() -> sessions == null ? Future.succeededFuture() : sessions.stop());
  }
}
