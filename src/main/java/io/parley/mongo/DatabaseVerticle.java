package io.parley.mongo;

import io.parley.NodeContext;
import io.parley.bus.HealthReport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle that owns MongoDB collections (auth, persistence, uploads): it opens the node's shared
 * client, lets the subclass create its repositories and serve its bus addresses, runs its periodic
 * clean-ups, and when it stops cancels them and closes the client.
 */
public abstract class DatabaseVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseVerticle.class);

  protected final NodeContext ctx;
  private final List<Long> timers = new ArrayList<>();
  private MongoClient mongo;

  protected DatabaseVerticle(NodeContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public final Future<?> start() {
    mongo = MongoSupport.client(vertx, ctx);
    return serve(mongo);
  }

  /**
   * Creates the services on {@code mongo} and registers the verticle's bus addresses; completes
   * once they are registered and the collections' indexes exist.
   */
  protected abstract Future<?> serve(MongoClient mongo);

  /** Releases what the verticle holds besides the client (worker pools, stores); default none. */
  protected void release() {}

  /**
   * Runs {@code task} every {@code intervalMs} until the verticle stops; a failure is logged as
   * "{@code what} failed" and the next round runs as planned.
   */
  protected final void every(long intervalMs, String what, Supplier<Future<?>> task) {
    timers.add(
        vertx.setPeriodic(
            intervalMs,
            id -> task.get().onFailure(err -> LOG.warn("{} failed: {}", what, err.getMessage()))));
  }

  /** The health reply of a verticle whose one dependency is the database. */
  protected final Future<JsonObject> databaseHealth() {
    return HealthReport.of(MongoSupport.ping(mongo), ctx.nodeId(), "database");
  }

  @Override
  public final Future<?> stop() {
    timers.forEach(vertx::cancelTimer);
    release();
    return mongo == null ? Future.succeededFuture() : mongo.close();
  }
}
