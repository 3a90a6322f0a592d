package io.parley.ratelimit;

import io.parley.bus.ApiException;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Fixed-window counters keyed by what is being limited (a client address, a user, a phone number).
 * Implementations share counters across the cluster (Hazelcast, Redis) or keep them in this process
 * (standalone).
 */
public interface RateLimiter {

  /**
   * A limit: at most {@code max} hits per {@code window}; {@code name} namespaces the keys. A
   * {@code leased} limit may be counted in batches on a shared store ({@link LeasedRateLimiter}):
   * for limits checked on every request, never for those that refund or reset.
   */
  record Limit(String name, long max, Duration window, boolean leased) {
    public Limit(String name, long max, Duration window) {
      this(name, max, window, false);
    }

    /** The same limit, counted in batches where the store is shared. */
    public static Limit leased(String name, long max, Duration window) {
      return new Limit(name, max, window, true);
    }
  }

  /**
   * Hits taken at once.
   *
   * @param granted how many of the hits asked for fall within the limit (0: refused)
   * @param decision the state after all of them (its {@code allowed} says whether any was)
   * @param leftMs milliseconds left in the window they were counted in
   */
  record Taken(long granted, Decision decision, long leftMs) {}

  /**
   * What a check found.
   *
   * @param allowed whether this hit is within the limit
   * @param limit the limit's max
   * @param remaining hits left in the current window
   * @param resetSeconds seconds until the window resets
   */
  record Decision(boolean allowed, long limit, long remaining, long resetSeconds) {
    public long retryAfterSeconds() {
      return Math.max(1, resetSeconds);
    }
  }

  /** Counts one hit on {@code key} and says whether it is within the limit. */
  Future<Decision> consume(Limit limit, String key);

  /**
   * Counts one hit on {@code key}; past the limit, fails with 429 {@code rate_limited} saying
   * {@code refusal} and when to try again.
   */
  default Future<Void> require(Limit limit, String key, String refusal) {
    return consume(limit, key)
        .compose(
            d ->
                d.allowed()
                    ? Future.succeededFuture()
                    : Future.failedFuture(
                        ApiException.rateLimited(refusal, d.retryAfterSeconds())));
  }

  /**
   * Counts up to {@code n} hits on {@code key} at once. Stores that cannot count a batch count one
   * (the default), which a caller sees as {@code granted} ≤ 1.
   */
  default Future<Taken> take(Limit limit, String key, int n) {
    return consume(limit, key).map(d -> new Taken(d.allowed() ? 1 : 0, d, d.resetSeconds() * 1000));
  }

  /** Forgets the counts of {@code key} (e.g. after a successful sign-in). */
  Future<Void> reset(Limit limit, String key);

  /**
   * Gives back one hit that {@link #consume} counted, when the attempt turned out not to count (the
   * count never goes below zero). Limits that guard work are taken before the work, so that
   * parallel attempts cannot all pass a check made before any of them is counted; a rule that
   * counts only failures refunds the successes afterwards.
   */
  Future<Void> refund(Limit limit, String key);
}
