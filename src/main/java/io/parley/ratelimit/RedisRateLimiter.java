package io.parley.ratelimit;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;

/**
 * Counters in Redis, shared by every node that uses the same Redis, clustered or not. One atomic
 * script per hit: increment, start the window's expiry on the first hit, answer count and time
 * left. The window starts at a key's first hit and is timed by Redis, so node clocks do not matter.
 */
public final class RedisRateLimiter implements RateLimiter {
  private static final String KEY_PREFIX = "parley:rl:";

  /** KEYS[1] counter; ARGV[1] hits to add; ARGV[2] window in ms. Returns {count, pttl}. */
  static final String SCRIPT =
      "local c = redis.call('INCRBY', KEYS[1], ARGV[1])\n"
          + "local ttl = redis.call('PTTL', KEYS[1])\n"
          + "if ttl < 0 then\n"
          + "  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
          + "  ttl = tonumber(ARGV[2])\n"
          + "end\n"
          + "return {c, ttl}\n";

  private final Redis redis;
  private final long timeoutMs;

  /**
   * @param redis a client (pooled; this class does not close it)
   * @param timeoutMs how long one check may take before it counts as a store failure
   */
  public RedisRateLimiter(Redis redis, long timeoutMs) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Decision> consume(Limit limit, String key) {
    return hit(limit, key, 1);
  }

  @Override
  public Future<Void> reset(Limit limit, String key) {
    return redis
        .send(Request.cmd(Command.DEL).arg(redisKey(limit, key)))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .mapEmpty();
  }

  /** KEYS[1] counter: one less, never below zero, keeping its expiry. */
  static final String REFUND =
      "local c = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
          + "if c > 0 then c = redis.call('DECR', KEYS[1]) end\n"
          + "return c\n";

  @Override
  public Future<Void> refund(Limit limit, String key) {
    return redis
        .send(Request.cmd(Command.EVAL).arg(REFUND).arg(1).arg(redisKey(limit, key)))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .mapEmpty();
  }

  private Future<Decision> hit(Limit limit, String key, long n) {
    long windowMs = limit.window().toMillis();
    return redis
        .send(
            Request.cmd(Command.EVAL)
                .arg(SCRIPT)
                .arg(1)
                .arg(redisKey(limit, key))
                .arg(n)
                .arg(windowMs))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(r -> decide(limit, n, r));
  }

  private static Decision decide(Limit limit, long n, Response r) {
    long count = r.get(0).toLong();
    long ttlMs = Math.max(0, r.get(1).toLong());
    boolean allowed = count <= limit.max();
    long remaining = Math.max(0, limit.max() - count);
    return new Decision(allowed, limit.max(), remaining, Math.max(1, (ttlMs + 999) / 1000));
  }

  private static String redisKey(Limit limit, String key) {
    return KEY_PREFIX + limit.name() + ":" + key;
  }
}
