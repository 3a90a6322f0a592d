package io.parley.ratelimit;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * Fixed-window counters keyed by what is being limited (a client address, a user, a phone number).
 * Implementations share counters across the cluster (Hazelcast, Redis) or keep them in this process
 * (standalone).
 */
public interface RateLimiter {

  /** A limit: at most {@code max} hits per {@code window}; {@code name} namespaces the keys. */
  record Limit(String name, long max, Duration window) {}

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
