package io.parley.ratelimit;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Counters in this process: right for a standalone node, and the fallback of the shared ones. */
public final class LocalRateLimiter implements RateLimiter {
  private record Window(long start, long count) {}

  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private final Clock clock;

  public LocalRateLimiter() {
    this(Clock.systemUTC());
  }

  public LocalRateLimiter(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<Decision> consume(Limit limit, String key) {
    return Future.succeededFuture(hit(limit, key, 1));
  }

  @Override
  public Future<Void> reset(Limit limit, String key) {
    windows.remove(limit.name() + ":" + key);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> refund(Limit limit, String key) {
    hit(limit, key, -1);
    return Future.succeededFuture();
  }

  private Decision hit(Limit limit, String key, long n) {
    long now = clock.millis();
    long windowMs = limit.window().toMillis();
    long start = now - Math.floorMod(now, windowMs);
    String k = limit.name() + ":" + key;
    Window w =
        windows.compute(
            k,
            (ignored, old) ->
                old == null || old.start() != start
                    ? new Window(start, Math.max(0, n))
                    : new Window(start, Math.max(0, old.count() + n)));
    if (windows.size() > 100_000) {
      windows.values().removeIf(x -> x.start() < start);
    }
    long count = w.count();
    boolean allowed = count <= limit.max();
    long remaining = Math.max(0, limit.max() - count);
    long resetSeconds = Math.max(1, (start + windowMs - now + 999) / 1000);
    return new Decision(allowed, limit.max(), remaining, resetSeconds);
  }
}
