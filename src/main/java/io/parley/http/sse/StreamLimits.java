package io.parley.http.sse;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Open-stream counts per user and per client address on this node, shared by all HTTP verticle
 * instances of the node (a Vert.x local map updated with compare-and-set).
 */
final class StreamLimits {
  private final LocalMap<String, Integer> counts;
  private final int perUser;
  private final int perAddress;

  StreamLimits(Vertx vertx, int perUser, int perAddress) {
    this.counts = vertx.sharedData().getLocalMap("parley.sse.streams");
    this.perUser = perUser;
    this.perAddress = perAddress;
  }

  boolean acquire(String userId, String address) {
    if (!increment("u:" + userId, perUser)) {
      return false;
    }
    if (!increment("a:" + address, perAddress)) {
      decrement("u:" + userId);
      return false;
    }
    return true;
  }

  void release(String userId, String address) {
    decrement("u:" + userId);
    decrement("a:" + address);
  }

  private boolean increment(String key, int max) {
    while (true) {
      Integer n = counts.get(key);
      if (n == null) {
        if (counts.putIfAbsent(key, 1) == null) {
          return true;
        }
      } else if (n >= max) {
        return false;
      } else if (counts.replace(key, n, n + 1)) {
        return true;
      }
    }
  }

  private void decrement(String key) {
    while (true) {
      Integer n = counts.get(key);
      if (n == null) {
        return;
      }
      if (n <= 1 ? counts.removeIfPresent(key, n) : counts.replace(key, n, n - 1)) {
        return;
      }
    }
  }
}
