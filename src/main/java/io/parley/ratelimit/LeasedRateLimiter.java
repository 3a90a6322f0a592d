package io.parley.ratelimit;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Request limits without a cluster round trip per request. For a {@link Limit#leased() leased}
 * limit, a node takes several hits at once from the shared counter (a lease) and lets requests
 * spend them here until they run out or the window ends; other limits go straight to the shared
 * store.
 *
 * <p>Never more than the limit: leased hits are counted in the shared counter when they are taken,
 * so the cluster as a whole lets at most {@code max} requests through per window. The price is the
 * other way round: hits a node leased and did not spend are lost for that window, so a client whose
 * requests move between nodes can be refused a little early, by at most the unspent leases of the
 * other nodes. A lease is 1/{@value #SHARE} of what the window has left (at most {@value
 * #MAX_LEASE}), so it shrinks to a single hit as the window runs out and the last hits are counted
 * exactly. A refusal is remembered until the window ends (counts only grow within a window), so a
 * client hammering past its limit costs no round trips either.
 */
public final class LeasedRateLimiter implements RateLimiter {
  static final int MAX_LEASE = 16;
  static final int SHARE = 32;

  /** Above this many leases, expired ones are swept (at most once a second). */
  static final int PRUNE_ABOVE = 10_000;

  private final RateLimiter shared;
  private final LongSupplier clock;
  private final Map<String, Lease> leases = new ConcurrentHashMap<>();
  private volatile long lastPruneMs;

  /** What this node holds of one key's window. Guarded by its own monitor. */
  private static final class Lease {
    long tokens;
    long sharedRemaining;
    long endsAtMs;
    boolean refused;
  }

  public LeasedRateLimiter(RateLimiter shared) {
    this(shared, System::currentTimeMillis);
  }

  LeasedRateLimiter(RateLimiter shared, LongSupplier clock) {
    this.shared = shared;
    this.clock = clock;
  }

  @Override
  public Future<Decision> consume(Limit limit, String key) {
    if (!limit.leased()) {
      return shared.consume(limit, key);
    }
    String k = limit.name() + ":" + key;
    long now = clock.getAsLong();
    Lease lease = leases.get(k);
    long ask = limit.max();
    if (lease != null) {
      synchronized (lease) {
        if (lease.endsAtMs > now) {
          if (lease.refused) {
            return Future.succeededFuture(refused(limit, lease, now));
          }
          if (lease.tokens > 0) {
            lease.tokens--;
            return Future.succeededFuture(allowed(limit, lease, now));
          }
          ask = lease.sharedRemaining;
        }
      }
    }
    prune(now);
    int n = (int) Math.max(1, Math.min(MAX_LEASE, ask / SHARE));
    return shared.take(limit, key, n).map(t -> record(limit, k, t, clock.getAsLong()));
  }

  /** Keeps what a take brought beyond the hit this request spends, and answers the request. */
  private Decision record(Limit limit, String k, Taken t, long now) {
    long endsAt = now + t.leftMs();
    Lease lease = leases.computeIfAbsent(k, x -> new Lease());
    synchronized (lease) {
      if (endsAt < lease.endsAtMs - 1000) {
        // a late answer about a window that has since ended: keep the newer lease
        return t.granted() == 0 ? refused(limit, lease, now) : allowed(limit, lease, now);
      }
      if (lease.endsAtMs <= now || lease.endsAtMs < endsAt - 1000) {
        // an expired lease, or one of an earlier window: start over
        lease.tokens = 0;
        lease.refused = false;
      }
      lease.endsAtMs = endsAt;
      lease.sharedRemaining = t.decision().remaining();
      if (t.granted() == 0) {
        lease.refused = true;
        lease.tokens = 0;
        return refused(limit, lease, now);
      }
      lease.tokens += t.granted() - 1;
      return allowed(limit, lease, now);
    }
  }

  private static Decision allowed(Limit limit, Lease lease, long now) {
    return new Decision(
        true, limit.max(), lease.sharedRemaining + lease.tokens, seconds(lease.endsAtMs - now));
  }

  private static Decision refused(Limit limit, Lease lease, long now) {
    return new Decision(false, limit.max(), 0, seconds(lease.endsAtMs - now));
  }

  private static long seconds(long ms) {
    return Math.max(1, (ms + 999) / 1000);
  }

  private void prune(long now) {
    if (leases.size() > PRUNE_ABOVE && now - lastPruneMs >= 1000) {
      lastPruneMs = now;
      leases.values().removeIf(l -> l.endsAtMs <= now);
    }
  }

  /** Leases held (for tests). */
  int size() {
    return leases.size();
  }

  @Override
  public Future<Taken> take(Limit limit, String key, int n) {
    return shared.take(limit, key, n);
  }

  @Override
  public Future<Void> reset(Limit limit, String key) {
    leases.remove(limit.name() + ":" + key);
    return shared.reset(limit, key);
  }

  @Override
  public Future<Void> refund(Limit limit, String key) {
    Lease lease = limit.leased() ? leases.get(limit.name() + ":" + key) : null;
    if (lease != null) {
      synchronized (lease) {
        if (lease.endsAtMs > clock.getAsLong() && !lease.refused) {
          lease.tokens++;
          return Future.succeededFuture();
        }
      }
    }
    return shared.refund(limit, key);
  }
}
