package io.parley.ratelimit;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Counters in this process: right for a standalone node, and the fallback of the shared ones. */
public final class LocalRateLimiter implements RateLimiter {
  /** A key's window: when it started and ended (its limit's length), and its count. */
  private record Window(long start, long end, long count) {}

  /** Above this many keys, windows that have ended are dropped (at most once a second). */
  static final int PRUNE_ABOVE = 100_000;

  private volatile long prunedAt;

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
                    ? new Window(start, start + windowMs, Math.max(0, n))
                    : new Window(start, start + windowMs, Math.max(0, old.count() + n)));
    if (windows.size() > PRUNE_ABOVE && now - prunedAt >= 1000) {
      // each window by its own end: a limit with a longer window keeps its live counts
      prunedAt = now;
      windows.values().removeIf(x -> x.end() <= now);
    }
    long count = w.count();
    boolean allowed = count <= limit.max();
    long remaining = Math.max(0, limit.max() - count);
    long resetSeconds = Math.max(1, (start + windowMs - now + 999) / 1000);
    return new Decision(allowed, limit.max(), remaining, resetSeconds);
  }

  /** How many keys have a window (for tests of the pruning). */
  int size() {
    return windows.size();
  }
}
