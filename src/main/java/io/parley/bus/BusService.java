package io.parley.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one address: the handler's result becomes the reply, an {@link ApiException} becomes a
 * coded failure, anything else a logged 1500.
 */
public final class BusService {
  private static final Logger LOG = LoggerFactory.getLogger(BusService.class);

  private static final java.util.concurrent.atomic.AtomicLong LAST_OUTAGE_LOG =
      new java.util.concurrent.atomic.AtomicLong();

  private BusService() {}

  /** At most one line per 5 s while the database is unreachable (an outage must not flood logs). */
  private static void logOutage(String address, Throwable t) {
    long now = System.currentTimeMillis();
    long last = LAST_OUTAGE_LOG.get();
    if (now - last > 5000 && LAST_OUTAGE_LOG.compareAndSet(last, now)) {
      LOG.warn("database unavailable (request on {}): {}", address, t.getMessage());
    }
  }

  /** Collects the addresses one verticle serves, so that its start can wait for all of them. */
  public static Registrations registrations(Vertx vertx) {
    return new Registrations(vertx);
  }

  /** Addresses being registered with {@link #serve}; see {@link #registrations}. */
  public static final class Registrations {
    private final Vertx vertx;
    private final List<Future<?>> pending = new ArrayList<>();

    private Registrations(Vertx vertx) {
      this.vertx = vertx;
    }

    /** Registers {@code handler} on {@code address} now; {@link #completion} waits for it. */
    public Registrations serve(String address, Function<JsonObject, Future<?>> handler) {
      pending.add(BusService.serve(vertx, address, handler));
      return this;
    }

    /** Completes when every registration has reached the cluster; fails if one failed. */
    public Future<?> completion() {
      return Future.all(pending);
    }
  }

  /**
   * Registers {@code handler} on {@code address} (clustered). Completes when the registration has
   * reached the cluster.
   */
  public static Future<MessageConsumer<JsonObject>> serve(
      Vertx vertx, String address, Function<JsonObject, Future<?>> handler) {
    MessageConsumer<JsonObject> consumer =
        vertx.eventBus().consumer(address, msg -> handle(address, msg, handler));
    return consumer.completion().map(v -> consumer);
  }

  private static void handle(
      String address, Message<JsonObject> msg, Function<JsonObject, Future<?>> handler) {
    Future<?> result;
    try {
      JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
      result = handler.apply(body);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(
        ar -> {
          if (ar.succeeded()) {
            msg.reply(ar.result());
          } else {
            Throwable t = ar.cause();
            if (t instanceof ClassCastException
                || t instanceof io.vertx.core.json.DecodeException) {
              // a payload field of the wrong type: the caller broke the contract
              ReplyException re =
                  ApiError.of(Failure.BAD_REQUEST, "invalid_request", "A field has the wrong type")
                      .toReplyException();
              msg.fail(re.failureCode(), re.getMessage());
            } else if (t instanceof ApiException e) {
              ReplyException re = e.error().toReplyException();
              msg.fail(re.failureCode(), re.getMessage());
            } else if (io.parley.mongo.MongoSupport.isOutage(t)) {
              // the database is down or hanging: a retryable 503, logged once per burst
              logOutage(address, t);
              ReplyException re =
                  io.parley.mongo.MongoSupport.unavailable().error().toReplyException();
              msg.fail(re.failureCode(), re.getMessage());
            } else {
              LOG.error("request on {} failed", address, t);
              ReplyException re = ApiError.internal().toReplyException();
              msg.fail(re.failureCode(), re.getMessage());
            }
          }
        });
  }
}
