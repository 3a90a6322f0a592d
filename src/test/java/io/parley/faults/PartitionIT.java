package io.parley.faults;

import io.parley.faults.Scenarios.Chat;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link between two clustered nodes (their Hazelcast member port and their event-bus port, each
 * through a proxy) is cut for 30 s while both keep serving clients on a shared MongoDB, then
 * healed. Nothing acknowledged may be lost or get a duplicate seq; the cluster must re-form; events
 * must cross nodes again; every member's stream, after resuming, must hold everything.
 */
@org.junit.jupiter.api.Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
class PartitionIT {
  @TempDir Path dir;

  @Test
  void cutTheClusterLinkThirtySecondsThenHeal() {
    int splitSeconds = FaultRig.LONG ? 120 : 30;
    try (FaultRig rig = new FaultRig(dir)) {
      FaultRig.Pair pair = rig.runningPair();
      Chat chat = Scenarios.chat(rig, 6, 4, 3);
      Scenarios.warmUp(rig, chat);

      long[] phase = new long[2];
      Thread fault =
          new Thread(
              () -> {
                JarProcess.sleep(5000);
                phase[0] = System.currentTimeMillis();
                pair.link().forEach(LinkProxy::cut);
                JarProcess.sleep(splitSeconds * 1000L);
                pair.link().forEach(LinkProxy::heal);
                phase[1] = System.currentTimeMillis();
              });
      fault.start();
      int perSecond = 30;
      int seconds = splitSeconds + 15;
      // each sender stays on its own node: both sides keep serving during the split
      rig.clients.load(
          seconds * perSecond,
          perSecond,
          chat.convs(),
          chat.members(),
          i -> Scenarios.preferring(rig, i),
          90_000,
          null);
      join(fault);
      FaultRig.awaitMembers(pair.a(), 2, 120);
      FaultRig.awaitMembers(pair.b(), 2, 120);
      rig.history.note(
          "cluster re-formed at most "
              + (System.currentTimeMillis() - phase[1]) / 1000
              + " s after the heal");
      rig.history.note("answers during the split " + during(rig.history, phase[0], phase[1]));

      // cross-node fan-out works again: new messages reach every member's open stream live
      long fanOutMissing = Scenarios.newMessagesMissingLive(rig, chat, 30);
      rig.history.note("after the heal, new messages missing live=" + fanOutMissing);
      int open = (int) chat.streams().stream().filter(s -> s.connected).count();
      rig.history.note("streams open after the heal " + open + "/" + chat.streams().size());
      History.Result r = rig.finish("partition (cluster link cut " + splitSeconds + " s)", 10);
      rig.assertClean(
          r,
          fanOutMissing,
          "messages sent after the cluster re-formed did not reach open streams on the other node");
    }
  }

  /** Answers by node and status for attempts that started during the split. */
  static Map<String, Integer> during(History h, long from, long to) {
    Map<String, Integer> m = new TreeMap<>();
    for (History.Attempt a : h.attempts) {
      long started = a.finishedAt() - a.millis();
      if (started >= from && started <= to) {
        m.merge(a.node() + ":" + a.status(), 1, Integer::sum);
      }
    }
    return m;
  }

  static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
