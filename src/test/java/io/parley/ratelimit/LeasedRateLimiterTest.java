package io.parley.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.ratelimit.RateLimiter.Decision;
import io.parley.ratelimit.RateLimiter.Limit;
import io.parley.ratelimit.RateLimiter.Taken;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeasedRateLimiterTest {
  private static final Limit PER_MINUTE = Limit.leased("req", 600, Duration.ofMinutes(1));

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final CountingStore store = new CountingStore();
  private final LeasedRateLimiter nodeA = new LeasedRateLimiter(store, now::get);
  private final LeasedRateLimiter nodeB = new LeasedRateLimiter(store, now::get);

  @Test
  void oneNodeLetsExactlyTheLimitThroughWithFewRoundTrips() {
    int allowed = 0;
    for (int i = 0; i < 700; i++) {
      if (nodeA.consume(PER_MINUTE, "k").await().allowed()) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(600);
    // leases of up to 16 while much is left, single hits at the end, then one refusal remembered
    assertThat(store.calls).isLessThan(150);
  }

  @Test
  void nodesSharingTheCounterNeverLetMoreThanTheLimitThrough() {
    Random random = new Random(42);
    int allowed = 0;
    for (int i = 0; i < 2000; i++) {
      LeasedRateLimiter node = random.nextBoolean() ? nodeA : nodeB;
      if (node.consume(PER_MINUTE, "k").await().allowed()) {
        allowed++;
      }
    }
    assertThat(allowed).isLessThanOrEqualTo(600);
    // what one node leased and did not spend is lost to the other: at most one lease's worth
    assertThat(allowed).isGreaterThanOrEqualTo(600 - LeasedRateLimiter.MAX_LEASE);
  }

  @Test
  void aSmallLimitIsCountedHitByHitAcrossNodes() {
    Limit small = Limit.leased("small", 6, Duration.ofMinutes(5));
    for (int i = 0; i < 3; i++) {
      assertThat(nodeA.consume(small, "u").await().allowed()).isTrue();
      assertThat(nodeB.consume(small, "u").await().allowed()).isTrue();
    }
    assertThat(nodeA.consume(small, "u").await().allowed()).isFalse();
    assertThat(nodeB.consume(small, "u").await().allowed()).isFalse();
    assertThat(store.calls).isEqualTo(8);
  }

  @Test
  void aRefusalIsRememberedUntilTheWindowEndsThenTheKeyStartsOver() {
    Limit two = Limit.leased("two", 2, Duration.ofSeconds(10));
    nodeA.consume(two, "k").await();
    nodeA.consume(two, "k").await();
    Decision refused = nodeA.consume(two, "k").await();
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
    assertThat(refused.resetSeconds()).isEqualTo(10);
    int calls = store.calls;
    for (int i = 0; i < 100; i++) {
      assertThat(nodeA.consume(two, "k").await().allowed()).isFalse();
    }
    assertThat(store.calls).isEqualTo(calls);

    now.addAndGet(10_001);
    assertThat(nodeA.consume(two, "k").await().allowed()).isTrue();
  }

  @Test
  void leasedHitsDoNotOutliveTheirWindow() {
    nodeA.consume(PER_MINUTE, "k").await(); // leases 16 (max / 32 = 18, capped)
    assertThat(store.count("req:k")).isEqualTo(16);
    now.addAndGet(60_001);
    nodeA.consume(PER_MINUTE, "k").await();
    // a new lease in the new window, counted there: the old window's 15 unspent hits are gone
    assertThat(store.count("req:k")).isEqualTo(16);
  }

  @Test
  void remainingCountsWhatTheNodeStillHolds() {
    Decision first = nodeA.consume(PER_MINUTE, "k").await();
    assertThat(first.remaining()).isEqualTo(599);
    Decision second = nodeA.consume(PER_MINUTE, "k").await();
    assertThat(second.remaining()).isEqualTo(598);
    assertThat(second.limit()).isEqualTo(600);
  }

  @Test
  void limitsThatAreNotLeasedGoToTheStoreEveryTime() {
    Limit plain = new Limit("plain", 100, Duration.ofMinutes(1));
    for (int i = 0; i < 10; i++) {
      nodeA.consume(plain, "k").await();
    }
    assertThat(store.calls).isEqualTo(10);
    assertThat(store.count("plain:k")).isEqualTo(10);
  }

  @Test
  void resetForgetsTheLease() {
    Limit two = Limit.leased("two", 2, Duration.ofMinutes(1));
    nodeA.consume(two, "k").await();
    nodeA.consume(two, "k").await();
    assertThat(nodeA.consume(two, "k").await().allowed()).isFalse();
    nodeA.reset(two, "k").await();
    assertThat(nodeA.consume(two, "k").await().allowed()).isTrue();
  }

  @Test
  void expiredLeasesAreSweptWhenThereAreMany() {
    for (int i = 0; i <= LeasedRateLimiter.PRUNE_ABOVE; i++) {
      nodeA.consume(PER_MINUTE, "k" + i).await();
    }
    now.addAndGet(60_001);
    nodeA.consume(PER_MINUTE, "fresh").await();
    assertThat(nodeA.size()).isEqualTo(1);
  }

  /** A shared store that counts batches the way the Hazelcast entry processor does. */
  private final class CountingStore implements RateLimiter {
    final Map<String, long[]> counters = new HashMap<>();
    int calls;

    long count(String key) {
      return counters.get(key)[0];
    }

    private long[] add(Limit limit, String key, long n) {
      calls++;
      long t = now.get();
      long[] v = counters.get(limit.name() + ":" + key);
      if (v == null || v[1] <= t) {
        v = new long[] {0, t + limit.window().toMillis()};
      }
      v[0] = Math.max(0, v[0] + n);
      counters.put(limit.name() + ":" + key, v);
      return new long[] {v[0], v[1] - t};
    }

    private Decision decision(Limit limit, long[] r) {
      return new Decision(
          r[0] <= limit.max(),
          limit.max(),
          Math.max(0, limit.max() - r[0]),
          Math.max(1, (r[1] + 999) / 1000));
    }

    @Override
    public Future<Decision> consume(Limit limit, String key) {
      return Future.succeededFuture(decision(limit, add(limit, key, 1)));
    }

    @Override
    public Future<Taken> take(Limit limit, String key, int n) {
      long[] r = add(limit, key, n);
      long granted = Math.max(0, Math.min(n, limit.max() - (r[0] - n)));
      return Future.succeededFuture(new Taken(granted, decision(limit, r), r[1]));
    }

    @Override
    public Future<Void> reset(Limit limit, String key) {
      counters.remove(limit.name() + ":" + key);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> refund(Limit limit, String key) {
      add(limit, key, -1);
      return Future.succeededFuture();
    }
  }
}
