package io.parley.ratelimit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Counters in a Hazelcast map shared by the cluster's members. Each hit runs an entry processor on
 * the key's owner, so increments are atomic without locks; entries expire with their window. The
 * window starts at a key's first hit and is timed by the owner's clock.
 */
public final class HazelcastRateLimiter implements RateLimiter {
  static final String MAP = "parley.ratelimits";

  private final IMap<String, long[]> counters;
  private final long timeoutMs;

  public HazelcastRateLimiter(HazelcastInstance hazelcast, long timeoutMs) {
    this.counters = hazelcast.getMap(MAP);
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Decision> consume(Limit limit, String key) {
    return hit(limit, key, 1);
  }

  @Override
  public Future<Taken> take(Limit limit, String key, int n) {
    return submit(limit, key, n)
        .map(
            r -> {
              long before = r[0] - n;
              long granted = Math.max(0, Math.min(n, limit.max() - before));
              return new Taken(granted, decision(limit, r), r[1]);
            });
  }

  @Override
  public Future<Void> reset(Limit limit, String key) {
    return onCaller(counters.removeAsync(limit.name() + ":" + key)).mapEmpty();
  }

  @Override
  public Future<Void> refund(Limit limit, String key) {
    return hit(limit, key, -1).mapEmpty();
  }

  private Future<Decision> hit(Limit limit, String key, long n) {
    return submit(limit, key, n).map(r -> decision(limit, r));
  }

  /** {count, ms left in the window} after adding {@code n}, from the key's owner. */
  private Future<long[]> submit(Limit limit, String key, long n) {
    return onCaller(
        counters.submitToKey(limit.name() + ":" + key, new Hit(n, limit.window().toMillis())));
  }

  private static Decision decision(Limit limit, long[] r) {
    long count = r[0];
    return new Decision(
        count <= limit.max(),
        limit.max(),
        Math.max(0, limit.max() - count),
        Math.max(1, (r[1] + 999) / 1000));
  }

  /** Completes on the caller's Vert.x context (Hazelcast completes on its own threads). */
  private <T> Future<T> onCaller(CompletionStage<T> stage) {
    Context context = Vertx.currentContext();
    Future<T> f =
        context == null
            ? Future.fromCompletionStage(stage)
            : Future.fromCompletionStage(stage, context);
    return f.timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Runs on the key's owner: {count, ms left in the window}. It crosses the wire on every hit, so
   * it writes its two longs itself ({@link DataSerializable}) instead of going through Java
   * serialization.
   */
  public static final class Hit
      implements EntryProcessor<String, long[], long[]>, DataSerializable {
    private static final long serialVersionUID = 1L;
    private long n;
    private long windowMs;

    /** For Hazelcast, which creates the instance and then reads it. */
    public Hit() {}

    Hit(long n, long windowMs) {
      this.n = n;
      this.windowMs = windowMs;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(n);
      out.writeLong(windowMs);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      n = in.readLong();
      windowMs = in.readLong();
    }

    @Override
    public long[] process(Map.Entry<String, long[]> entry) {
      long now = System.currentTimeMillis();
      long[] v = entry.getValue();
      if (v == null || v[1] <= now) {
        v = new long[] {0, now + windowMs};
      }
      long count = Math.max(0, v[0] + n);
      long left = v[1] - now;
      if (n != 0) {
        ((ExtendedMapEntry<String, long[]>) entry)
            .setValue(new long[] {count, v[1]}, left, TimeUnit.MILLISECONDS);
      }
      return new long[] {count, left};
    }
  }
}
