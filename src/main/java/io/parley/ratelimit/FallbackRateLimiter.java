package io.parley.ratelimit;

import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared store with this process's counters behind it: when the shared store fails or is slow,
 * the check is answered locally (limits then hold per node instead of per cluster) rather than
 * refusing or waving through every request. Every check answered locally is counted ({@code
 * parley_rate_limit_fallbacks_total}); the log says when it starts falling back and, on recovery,
 * how many checks were answered locally meanwhile.
 */
public final class FallbackRateLimiter implements RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(FallbackRateLimiter.class);

  private final String name;
  private final RateLimiter shared;
  private final RateLimiter local;
  private final AtomicBoolean degraded = new AtomicBoolean();
  private final AtomicLong sinceDegraded = new AtomicLong();
  private final ParleyMetrics metrics;

  public FallbackRateLimiter(
      String name, RateLimiter shared, RateLimiter local, ParleyMetrics metrics) {
    this.name = name;
    this.shared = shared;
    this.local = local;
    this.metrics = metrics;
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
  public Future<Taken> take(Limit limit, String key, int n) {
    return withFallback(l -> l.take(limit, key, n));
  }

  @Override
  public Future<Void> reset(Limit limit, String key) {
    // forget both: the local counters may hold hits from a period of fallback
    return local.reset(limit, key).compose(v -> withFallback(l -> l.reset(limit, key)));
  }

  @Override
  public Future<Void> refund(Limit limit, String key) {
    return withFallback(l -> l.refund(limit, key));
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
                LOG.info(
                    "rate limits: the {} store is back; counters are shared again ({} checks"
                        + " were answered on this node meanwhile)",
                    name,
                    sinceDegraded.getAndSet(0));
              }
            })
        .recover(
            err -> {
              metrics.rateLimitFallback(name);
              sinceDegraded.incrementAndGet();
              if (degraded.compareAndSet(false, true)) {
                LOG.warn(
                    "rate limits: the {} store failed ({}); counting on this node until it is back",
                    name,
                    err.getMessage());
              }
              return op.apply(local);
            });
  }
}
