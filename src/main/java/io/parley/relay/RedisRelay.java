package io.parley.relay;

import io.parley.bus.Addresses;
import io.parley.bus.AuthApi.SessionsRevoked;
import io.parley.bus.ChatEvent;
import io.parley.bus.FeedGap;
import io.parley.config.ParleyConfig.RedisConfig;
import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional Redis relay, one per node: what this node's writers publish on the event bus also
 * goes to Redis pub/sub, and what other nodes published there comes back onto this node's bus
 * (local delivery only), so that nodes which do not share a Hazelcast cluster reach each other's
 * clients. It carries chat events (to the user channel when addressed to one user, else to the
 * conversation channel) and session revocations (user channel), so that signing out on one node
 * ends the session on all of them. Hubs drop an event that arrives both ways by its id.
 *
 * <p>The subscription is watched, not trusted: besides the connection's end and failure, a
 * heartbeat this node publishes every {@link #HEARTBEAT_MS} to a channel of its own must come back
 * on the subscription, or the connection counts as lost (a cut link can stay silently half-open). A
 * lost subscription is reconnected with backoff, and once subscribed again the node announces a
 * {@link FeedGap} on its bus: events relayed meanwhile were missed, and the SSE hubs replay them
 * from MongoDB for their open streams. Writers never wait on Redis: a publish that fails is counted
 * and the bus, the gap repair and resume still deliver the event.
 */
public final class RedisRelay {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRelay.class);
  static final long HEARTBEAT_MS = 2_000;
  static final long HEARTBEAT_LOST_MS = 6_000;
  private static final long MIN_BACKOFF_MS = 250;
  private static final long MAX_BACKOFF_MS = 10_000;
  private static final long PUBLISH_TIMEOUT_MS = 2_000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final RedisConfig cfg;
  private final String nodeId;
  private final ParleyMetrics metrics;
  private final String heartbeatChannel;
  private final Redis publisher;
  private final Redis subscriber;

  // state of the subscription; touched on the relay's own context only
  private boolean closed;
  private RedisConnection subscription;
  private int generation;
  private boolean subscribed;
  private Instant since = Instant.now();
  private Instant lostAt;
  private long lastHeartbeat;
  private long reconnects;
  private long backoffMs = MIN_BACKOFF_MS;
  private long heartbeatTimer = -1;
  private long publishFailures;
  private String lastProblem = "connecting";

  public RedisRelay(Vertx vertx, RedisConfig cfg, String nodeId, ParleyMetrics metrics) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.heartbeatChannel = cfg.userChannel() + ":relay-heartbeat:" + nodeId;
    this.publisher = Redis.createClient(vertx, options(cfg, 4));
    this.subscriber = Redis.createClient(vertx, options(cfg, 1));
  }

  static RedisOptions options(RedisConfig cfg, int pool) {
    RedisOptions o =
        new RedisOptions()
            .setConnectionString(cfg.url())
            .setMaxPoolSize(pool)
            .setMaxPoolWaiting(4096)
            .setPreferredProtocolVersion(ProtocolVersion.RESP3);
    o.getNetClientOptions().setTcpKeepAlive(true).setConnectTimeout(2_000);
    if (!cfg.password().isEmpty()) {
      o.setPassword(cfg.password());
    }
    return o;
  }

  /**
   * Starts subscribing (in the background: a node starts while Redis is away) and the heartbeat.
   */
  public void start() {
    vertx.runOnContext(
        v -> {
          subscribe();
          heartbeatTimer = vertx.setPeriodic(HEARTBEAT_MS, t -> heartbeat());
        });
  }

  // --- publishing -------------------------------------------------------------------------------

  /** Fire and forget: a failed publish is counted and logged; the bus and resume deliver anyway. */
  public void publish(ChatEvent e) {
    String channel =
        e.recipients().size() == 1 && e.type().equals("conversation.updated")
            ? cfg.userChannel()
            : cfg.conversationChannel();
    send(channel, encode(e, nodeId));
  }

  /** A revocation for every other node: they evict the sessions and end their streams. */
  public void publishRevoked(SessionsRevoked r) {
    send(
        cfg.userChannel(),
        new JsonObject()
            .put("control", "sessions.revoked")
            .put("origin", nodeId)
            .put("revoked", r.toJson()));
  }

  private void send(String channel, JsonObject payload) {
    publisher
        .send(Request.cmd(Command.PUBLISH).arg(channel).arg(payload.toBuffer()))
        .timeout(PUBLISH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onFailure(
            err -> {
              metrics.relayPublishFailed();
              // one line per 100 failures: an outage must not flood the log
              if (publishFailures++ % 100 == 0) {
                LOG.warn("Redis relay publish failed: {}", err.getMessage());
              }
            });
  }

  // --- the subscription -------------------------------------------------------------------------

  private void subscribe() {
    if (closed) {
      return;
    }
    int gen = ++generation;
    subscriber
        .connect()
        .onSuccess(
            conn -> {
              if (closed || gen != generation) {
                conn.close();
                return;
              }
              subscription = conn;
              conn.handler(this::received);
              conn.exceptionHandler(err -> lost(gen, "connection failed: " + err.getMessage()));
              conn.endHandler(v -> lost(gen, "connection closed"));
              conn.send(
                      Request.cmd(Command.SUBSCRIBE)
                          .arg(cfg.userChannel())
                          .arg(cfg.conversationChannel())
                          .arg(heartbeatChannel))
                  .onSuccess(r -> subscribedNow(gen))
                  .onFailure(err -> lost(gen, "subscribe failed: " + err.getMessage()));
            })
        .onFailure(err -> lost(gen, "cannot connect: " + err.getMessage()));
  }

  private void subscribedNow(int gen) {
    if (gen != generation || closed) {
      return;
    }
    subscribed = true;
    since = Instant.now();
    lastHeartbeat = System.currentTimeMillis();
    backoffMs = MIN_BACKOFF_MS;
    LOG.info("Redis relay subscribed to {} and {}", cfg.userChannel(), cfg.conversationChannel());
    if (lostAt != null) {
      Instant from = lostAt;
      lostAt = null;
      reconnects++;
      metrics.relayReconnected();
      // whatever was relayed while we were away is missing here: the hubs replay it
      vertx
          .eventBus()
          .publish(
              Addresses.FEED_GAP, new FeedGap("redis relay reconnected", from).toJson(), LOCAL);
    }
  }

  /** The connection {@code gen} is gone (or went silent): note it once, reconnect with backoff. */
  private void lost(int gen, String why) {
    if (gen != generation || closed) {
      return;
    }
    generation++; // later news of the old connection is ignored
    if (lostAt == null) {
      // events may be missed from the last moment the subscription was known to be alive
      lostAt = subscribed ? Instant.ofEpochMilli(lastHeartbeat) : since;
    }
    if (subscribed) {
      LOG.warn("Redis relay subscription lost ({}); reconnecting", why);
    } else {
      LOG.debug("Redis relay still away ({})", why);
    }
    subscribed = false;
    since = Instant.now();
    lastProblem = why;
    RedisConnection old = subscription;
    subscription = null;
    if (old != null) {
      old.close();
    }
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(delay, t -> subscribe());
  }

  private void heartbeat() {
    if (closed) {
      return;
    }
    if (subscribed && System.currentTimeMillis() - lastHeartbeat > HEARTBEAT_LOST_MS) {
      lost(generation, "no heartbeat for " + HEARTBEAT_LOST_MS + " ms");
      return;
    }
    publisher
        .send(
            Request.cmd(Command.PUBLISH)
                .arg(heartbeatChannel)
                .arg(String.valueOf(System.currentTimeMillis())))
        .timeout(PUBLISH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  private void received(Response msg) {
    if (msg == null
        || (msg.type() != ResponseType.PUSH && msg.type() != ResponseType.MULTI)
        || msg.size() < 3
        || !"message".equals(msg.get(0).toString())) {
      return;
    }
    if (heartbeatChannel.equals(msg.get(1).toString())) {
      lastHeartbeat = System.currentTimeMillis();
      return;
    }
    JsonObject j;
    try {
      j = new JsonObject(msg.get(2).toBuffer());
    } catch (RuntimeException e) {
      LOG.warn("ignoring a malformed relay message: {}", e.getMessage());
      return;
    }
    if (nodeId.equals(j.getString("origin"))) {
      return; // our own: already on our bus
    }
    if ("sessions.revoked".equals(j.getString("control"))) {
      JsonObject r = j.getJsonObject("revoked");
      if (r != null) {
        vertx.eventBus().publish(Addresses.SESSIONS_REVOKED, r, LOCAL);
      }
      return;
    }
    ChatEvent e = decode(j);
    if (e != null) {
      vertx.eventBus().publish(Addresses.EVENTS, e, LOCAL);
    }
  }

  // --- state ------------------------------------------------------------------------------------

  /**
   * For {@code /health}: {@code {status, subscribed, since, reconnects, detail}}; down while the
   * subscription is not established (events from other nodes are not arriving).
   */
  public Future<JsonObject> health() {
    return Future.succeededFuture(
        new JsonObject()
            .put("status", subscribed ? "up" : "down")
            .put("subscribed", subscribed)
            .put("since", since.toString())
            .put("reconnects", reconnects)
            .put("detail", subscribed ? "subscribed" : "not subscribed: " + lastProblem));
  }

  public void close() {
    closed = true;
    vertx.cancelTimer(heartbeatTimer);
    if (subscription != null) {
      subscription.close();
    }
    subscriber.close();
    publisher.close();
  }

  // --- wire format ------------------------------------------------------------------------------

  static JsonObject encode(ChatEvent e, String origin) {
    return new JsonObject()
        .put("origin", origin)
        .put("id", e.id())
        .put("type", e.type())
        .put("conversationId", e.conversationId())
        .put("recipients", new JsonArray(e.recipients()))
        .put("frame", e.frame().toString());
  }

  static ChatEvent decode(JsonObject j) {
    try {
      List<String> recipients =
          j.getJsonArray("recipients", new JsonArray()).stream().map(String::valueOf).toList();
      String frame = j.getString("frame");
      if (frame == null || j.getString("type") == null) {
        return null;
      }
      return new ChatEvent(
          j.getString("id", ""),
          j.getString("type"),
          j.getString("conversationId", ""),
          recipients,
          Buffer.buffer(frame));
    } catch (RuntimeException e) {
      LOG.warn("ignoring a malformed relay message: {}", e.getMessage());
      return null;
    }
  }
}
