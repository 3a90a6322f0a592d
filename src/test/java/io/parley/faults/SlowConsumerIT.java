package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Clients.Stream;
import io.parley.faults.Clients.Target;
import io.parley.faults.Clients.User;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams that stop reading (their socket stays open) and half-open streams (a proxy stops
 * forwarding without closing) in a busy conversation. The node must close them by its slow-consumer
 * rule instead of queueing for them (memory stays bounded), keep delivering to every other stream
 * live, and the dropped streams must resume without gaps once they read again.
 */
@org.junit.jupiter.api.Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
class SlowConsumerIT {
  @TempDir Path dir;

  @Test
  void stalledAndHalfOpenStreamsAreDroppedOthersKeepUp() {
    try (FaultRig rig = new FaultRig(dir)) {
      String uri = rig.database();
      Map<String, String> env = NodeProcess.baseEnv(dir.resolve("a"), uri);
      env.put("SSE_MAX_QUEUED_BYTES", "65536");
      env.put("SSE_HEARTBEAT_MS", "2000");
      NodeProcess node = rig.node("a", env).up();
      Target direct = FaultRig.target(node);
      LinkProxy lossy = LinkProxy.start(rig.clients.vertx, "client-link", 0, node.httpPort, 8192);
      rig.proxies.add(lossy);
      Target viaProxy = new Target("a-via-proxy", lossy.port());

      List<User> users = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        users.add(rig.clients.register(direct, "c" + i));
      }
      // three busy groups of the same ten people (one conversation's seq is a single document:
      // spreading the load keeps the database from being what limits the send rate)
      List<String> convs = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        convs.add(rig.clients.group(direct, users.get(0), users.subList(1, users.size())));
      }
      rig.conversations.addAll(convs);
      // users 1-4 read normally, 5-7 stop reading, 8-9 sit behind the proxy that goes silent
      List<Stream> healthy = new ArrayList<>();
      List<Stream> stalled = new ArrayList<>();
      List<Stream> halfOpen = new ArrayList<>();
      for (int i = 1; i < users.size(); i++) {
        boolean behindProxy = i >= 8;
        Target t = behindProxy ? viaProxy : direct;
        Stream s = rig.clients.stream("c" + i, users.get(i), Set.copyOf(convs), () -> List.of(t));
        s.smallWindow = i >= 5 && i <= 7;
        Clients.await(s.open());
        (i <= 4 ? healthy : i <= 7 ? stalled : halfOpen).add(s);
      }
      Map<String, List<User>> members = new HashMap<>();
      convs.forEach(c -> members.put(c, List.of(users.get(0))));
      rig.clients.load(21, 10, convs, members, i -> () -> List.of(direct), 30_000, null);
      FaultRig.await(
          "every stream has the first messages", 30, () -> rig.missing(rig.stored()).isEmpty());
      NodeProcess.Vitals before = node.vitals();

      stalled.forEach(Stream::pause);
      lossy.blackhole();
      rig.clients.padding = "x".repeat(3000);
      int total = FaultRig.LONG ? 6000 : 1500;
      rig.clients.load(total, 60, convs, members, i -> () -> List.of(direct), 30_000, null);
      FaultRig.await(
          "the node dropped the 5 stalled streams",
          60,
          () -> dropped(node) >= stalled.size() + halfOpen.size());
      NodeProcess.Vitals after = node.vitals();
      rig.history.note("before " + before);
      rig.history.note("after " + after);
      rig.history.note("drops logged " + dropped(node));

      // the healthy readers got every message live, on their first connection
      long live = missingFor(rig, healthy);
      rig.history.note("healthy streams latency " + latency(rig.history, healthy));
      assertThat(live).as("messages healthy streams lacked").isZero();
      for (Stream s : healthy) {
        assertThat(s.connects.get()).as(s.name + " connections").isEqualTo(1);
      }
      // memory: nothing queued for the dropped streams (64 KiB each at most)
      assertThat(after.heapAfterGc() - before.heapAfterGc())
          .as("heap growth after GC")
          .isLessThan(48L << 20);

      // they read again: every dropped stream resumes and gets what it missed
      for (Stream s : stalled) {
        s.paused = false;
        s.drop();
      }
      lossy.heal();
      History.Result r = rig.finish("slow and half-open consumers", 5, false);
      rig.assertClean(r);
    }
  }

  static int dropped(NodeProcess n) {
    return (int) n.logText().lines().filter(l -> l.contains("slow_consumer")).count();
  }

  static long missingFor(FaultRig rig, List<Stream> streams) {
    Map<String, Integer> m = rig.missing(rig.stored());
    long n = 0;
    for (Stream s : streams) {
      n += m.getOrDefault(s.name, 0);
    }
    return n;
  }

  /** p50/p99/max of send start, and of acknowledgement, to arrival on the streams, in ms. */
  static String latency(History h, List<Stream> streams) {
    Map<String, Long> sentAt = new HashMap<>();
    Map<String, Long> ackAt = new HashMap<>();
    for (History.Attempt a : h.attempts) {
      if (a.acknowledged()) {
        sentAt.putIfAbsent(a.messageId(), a.finishedAt() - a.millis());
        ackAt.putIfAbsent(a.messageId(), a.finishedAt());
      }
    }
    return "from send "
        + percentiles(h, streams, sentAt)
        + ", from acknowledgement "
        + percentiles(h, streams, ackAt);
  }

  private static String percentiles(History h, List<Stream> streams, Map<String, Long> sentAt) {
    Set<String> names = new java.util.HashSet<>();
    streams.forEach(s -> names.add(s.name));
    List<Long> ms = new ArrayList<>();
    for (History.Delivery d : h.deliveries) {
      Long at = sentAt.get(d.messageId());
      if (at != null && names.contains(d.stream())) {
        ms.add(d.receivedAt() - at);
      }
    }
    if (ms.isEmpty()) {
      return "n/a";
    }
    ms.sort(null);
    return "p50="
        + ms.get(ms.size() / 2)
        + "ms p99="
        + ms.get(Math.min(ms.size() - 1, ms.size() * 99 / 100))
        + "ms max="
        + ms.get(ms.size() - 1)
        + "ms";
  }
}
