package io.parley.ratelimit;

import com.hazelcast.core.HazelcastInstance;
import io.parley.config.ParleyConfig;
import io.parley.config.ParleyConfig.RedisConfig;
import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/**
 * Chooses where a node keeps its rate-limit counters ({@code rateLimit.store}): Redis when
 * configured, else the Hazelcast cluster, else this process. Shared stores fall back to local
 * counters when they fail. See docs/adr/0001-rate-limit-store.md.
 */
public final class RateLimitStore {
  /** A shared store slower than this is treated as failed for that check (answered locally). */
  static final long SHARED_TIMEOUT_MS = 1000;

  private final String kind;
  private final RateLimiter limiter;
  private final Redis redis;

  private RateLimitStore(String kind, RateLimiter limiter, Redis redis) {
    this.kind = kind;
    this.limiter = limiter;
    this.redis = redis;
  }

  /**
   * @param hazelcast the cluster's member, or null when standalone
   */
  public static RateLimitStore create(
      Vertx vertx, ParleyConfig config, HazelcastInstance hazelcast, ParleyMetrics metrics) {
    String store = config.rateLimit().store();
    if (store.equals("auto")) {
      store = config.redis().enabled() ? "redis" : hazelcast != null ? "hazelcast" : "local";
    }
    LocalRateLimiter local = new LocalRateLimiter();
    switch (store) {
      case "redis" -> {
        Redis redis = Redis.createClient(vertx, redisOptions(config.redis()));
        return new RateLimitStore(
            "redis",
            new FallbackRateLimiter(
                "redis", new RedisRateLimiter(redis, SHARED_TIMEOUT_MS), local, metrics),
            redis);
      }
      case "hazelcast" -> {
        if (hazelcast == null) {
          return new RateLimitStore("local", local, null);
        }
        // every request checks two limits: leases keep that off the wire for most of them
        return new RateLimitStore(
            "hazelcast",
            new LeasedRateLimiter(
                new FallbackRateLimiter(
                    "hazelcast",
                    new HazelcastRateLimiter(hazelcast, SHARED_TIMEOUT_MS),
                    local,
                    metrics)),
            null);
      }
      default -> {
        return new RateLimitStore("local", local, null);
      }
    }
  }

  static RedisOptions redisOptions(RedisConfig cfg) {
    // a burst (say, parallel sign-ins) queues for a connection rather than failing over to local
    // counts: the default wait queue of 24 overflowed under 40 parallel logins
    RedisOptions opts =
        new RedisOptions()
            .setConnectionString(cfg.url())
            .setMaxPoolSize(cfg.poolSize())
            .setMaxPoolWaiting(8192)
            .setMaxWaitingHandlers(8192);
    if (!cfg.password().isEmpty()) {
      opts.setPassword(cfg.password());
    }
    return opts;
  }

  /** redis, hazelcast or local. */
  public String kind() {
    return kind;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  /** Closes the store's connections (the counters themselves live on in a shared store). */
  public void close() {
    if (redis != null) {
      redis.close();
    }
  }
}
