package io.parley.ratelimit;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared store with this process's counters behind it: when the shared store fails or is slow,
 * the check is answered locally (limits then hold per node instead of per cluster) rather than
 * refusing or waving through every request. Logs once when it falls back and once when it recovers.
 */
public final class FallbackRateLimiter implements RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(FallbackRateLimiter.class);

  private final String name;
  private final RateLimiter shared;
  private final RateLimiter local;
  private final AtomicBoolean degraded = new AtomicBoolean();
  private final Runnable onFallback;

  public FallbackRateLimiter(String name, RateLimiter shared, RateLimiter local) {
    this(name, shared, local, () -> {});
  }

  /**
   * @param onFallback called for every check answered locally (a metric counts them)
   */
  public FallbackRateLimiter(
      String name, RateLimiter shared, RateLimiter local, Runnable onFallback) {
    this.name = name;
    this.shared = shared;
    this.local = local;
    this.onFallback = onFallback;
  }

  /** Whether the last check had to fall back to local counters. */
  public boolean degraded() {
    return degraded.get();
  }

  @Override
  public Future<Decision> consume(Limit limit, String key) {
    return withFallback(l -> l.consume(limit, key));
  }

  @Override
  public Future<Decision> peek(Limit limit, String key) {
    return withFallback(l -> l.peek(limit, key));
  }

  @Override
  public Future<Void> reset(Limit limit, String key) {
    // forget both: the local counters may hold hits from a period of fallback
    return local.reset(limit, key).compose(v -> withFallback(l -> l.reset(limit, key)));
  }

  private <T> Future<T> withFallback(Function<RateLimiter, Future<T>> op) {
    Future<T> attempt;
    try {
      attempt = op.apply(shared);
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    return attempt
        .onSuccess(
            ok -> {
              if (degraded.compareAndSet(true, false)) {
                LOG.info("rate limits: the {} store is back; counters are shared again", name);
              }
            })
        .recover(
            err -> {
              if (degraded.compareAndSet(false, true)) {
                LOG.warn(
                    "rate limits: the {} store failed ({}); counting on this node until it is back",
                    name,
                    err.getMessage());
              }
              onFallback.run();
              return op.apply(local);
            });
  }
}
