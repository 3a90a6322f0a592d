package io.parley.relay;

import io.parley.bus.ChatEvent;
import io.parley.config.ParleyConfig.RedisConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional Redis relay: events are published to Redis pub/sub as well as on the event bus, so
 * that nodes which do not share a Hazelcast cluster reach each other's clients. Events addressed to
 * one user (a removal) go to the user channel, the others to the conversation channel; every hub
 * subscribes to both and drops copies it already delivered (by event id).
 *
 * <p>The subscriber keeps one dedicated connection and reconnects by itself (1 s, doubling to 30 s)
 * when Redis goes away; delivery over the bus continues meanwhile.
 */
public final class RedisRelay {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRelay.class);
  private static final long MAX_BACKOFF_MS = 30_000;

  private final Vertx vertx;
  private final RedisConfig cfg;
  private final Redis client;
  private volatile boolean closed;
  private RedisConnection subscription;
  private long backoffMs = 1000;
  private long publishFailures;

  public RedisRelay(Vertx vertx, RedisConfig cfg) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.client = Redis.createClient(vertx, options(cfg));
  }

  static RedisOptions options(RedisConfig cfg) {
    RedisOptions o =
        new RedisOptions().setConnectionString(cfg.url()).setMaxPoolSize(4).setMaxPoolWaiting(1024);
    if (!cfg.password().isEmpty()) {
      o.setPassword(cfg.password());
    }
    return o;
  }

  /** Fire and forget: a failed publish is logged; the bus and resume still deliver the event. */
  public void publish(ChatEvent e) {
    String channel =
        e.recipients().size() == 1 && e.type().equals("conversation.updated")
            ? cfg.userChannel()
            : cfg.conversationChannel();
    client
        .send(Request.cmd(Command.PUBLISH).arg(channel).arg(encode(e).toBuffer()))
        .onFailure(
            err -> {
              // one line per 100 failures: an outage must not flood the log
              if (publishFailures++ % 100 == 0) {
                LOG.warn("Redis relay publish failed: {}", err.getMessage());
              }
            });
  }

  /** Delivers every relayed event to {@code sink} on the caller's context, until {@link #close}. */
  public void subscribe(Consumer<ChatEvent> sink) {
    if (closed) {
      return;
    }
    client
        .connect()
        .onSuccess(
            conn -> {
              subscription = conn;
              conn.handler(
                  msg -> {
                    ChatEvent e = decodeMessage(msg);
                    if (e != null) {
                      sink.accept(e);
                    }
                  });
              conn.exceptionHandler(
                  err -> LOG.debug("Redis relay connection: {}", err.getMessage()));
              conn.endHandler(
                  v -> {
                    subscription = null;
                    if (!closed) {
                      LOG.warn("Redis relay subscription lost; reconnecting");
                      retry(sink);
                    }
                  });
              conn.send(
                      Request.cmd(Command.SUBSCRIBE)
                          .arg(cfg.userChannel())
                          .arg(cfg.conversationChannel()))
                  .onSuccess(
                      r -> {
                        backoffMs = 1000;
                        LOG.info(
                            "Redis relay subscribed to {} and {}",
                            cfg.userChannel(),
                            cfg.conversationChannel());
                      })
                  .onFailure(
                      err -> {
                        conn.close();
                      });
            })
        .onFailure(
            err -> {
              LOG.warn("Redis relay cannot connect ({}); retrying", err.getMessage());
              retry(sink);
            });
  }

  private void retry(Consumer<ChatEvent> sink) {
    if (closed) {
      return;
    }
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(delay, id -> subscribe(sink));
  }

  public void close() {
    closed = true;
    if (subscription != null) {
      subscription.close();
    }
    client.close();
  }

  static JsonObject encode(ChatEvent e) {
    return new JsonObject()
        .put("id", e.id())
        .put("type", e.type())
        .put("conversationId", e.conversationId())
        .put("recipients", new JsonArray(e.recipients()))
        .put("frame", e.frame().toString());
  }

  /** A pub/sub push {@code [message, channel, payload]} as an event; anything else is null. */
  static ChatEvent decodeMessage(Response msg) {
    if (msg == null
        || (msg.type() != ResponseType.PUSH && msg.type() != ResponseType.MULTI)
        || msg.size() < 3) {
      return null;
    }
    if (!"message".equals(msg.get(0).toString())) {
      return null;
    }
    try {
      JsonObject j = new JsonObject(msg.get(2).toBuffer());
      List<String> recipients =
          j.getJsonArray("recipients", new JsonArray()).stream().map(String::valueOf).toList();
      return new ChatEvent(
          j.getString("id", ""),
          j.getString("type"),
          j.getString("conversationId", ""),
          recipients,
          Buffer.buffer(j.getString("frame")));
    } catch (RuntimeException e) {
      LOG.warn("ignoring a malformed relay message: {}", e.getMessage());
      return null;
    }
  }
}
