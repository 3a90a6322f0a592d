package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Scenarios.Chat;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node b of two clustered nodes is frozen with SIGSTOP for 25 s, past the cluster's 15 s heartbeat
 * limit, as a long GC pause or a stalled VM would freeze it, while clients keep sending on node a.
 * The streams that b holds stay open (the kernel keeps their sockets) but get nothing while b is
 * frozen, and the events published during the freeze never reach b's bus. After SIGCONT the streams
 * b holds must receive every missed message within seconds, without reconnecting (b's own gap
 * repair), new messages must reach them live, and nothing acknowledged may be lost.
 */
@org.junit.jupiter.api.Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
class FreezeIT {
  @TempDir Path dir;

  @Test
  void freezeOneOfTwoClusteredNodesPastTheHeartbeatLimit() {
    int frozenSeconds = 25;
    try (FaultRig rig = new FaultRig(dir)) {
      FaultRig.Pair pair = rig.runningPair();
      Chat chat = Scenarios.chat(rig, 6, 4, 3);
      Scenarios.warmUp(rig, chat);
      List<Clients.Stream> onB =
          chat.streams().stream()
              .filter(s -> Integer.parseInt(s.name.substring(1, s.name.indexOf('-'))) % 2 == 1)
              .toList();

      long[] thawedAt = new long[1];
      Thread fault =
          new Thread(
              () -> {
                JarProcess.sleep(3000);
                pair.b().freeze();
                JarProcess.sleep(frozenSeconds * 1000L);
                pair.b().thaw();
                thawedAt[0] = System.currentTimeMillis();
              });
      fault.start();
      int perSecond = 20;
      // every send goes to a: a client of b would hang on the frozen node, not test the streams
      rig.clients.load(
          (frozenSeconds + 8) * perSecond,
          perSecond,
          chat.convs(),
          chat.members(),
          i -> () -> List.of(FaultRig.target(pair.a())),
          90_000,
          null);
      PartitionIT.join(fault);
      rig.history.note(
          "b's streams reconnected during the test: "
              + onB.stream().mapToInt(s -> s.connects.get() - 1).sum());

      // the streams b holds converge by themselves: the time from the thaw until none misses any
      // stored message is this scenario's figure for "an open stream never misses a stored event
      // for longer than N seconds"
      long converged = rig.liveMissing(30);
      rig.history.note(
          "open streams complete "
              + (System.currentTimeMillis() - thawedAt[0]) / 1000
              + " s after the thaw (missing "
              + converged
              + ")");
      FaultRig.awaitMembers(pair.a(), 2, 120);
      FaultRig.awaitMembers(pair.b(), 2, 120);
      long fanOutMissing = Scenarios.newMessagesMissingLive(rig, chat, 30);
      rig.history.note("after the cluster re-formed, new messages missing live=" + fanOutMissing);
      History.Result r = rig.finish("freeze (SIGSTOP one of two clustered nodes 25 s)", 10);
      rig.assertClean(
          r, fanOutMissing, "messages sent after the cluster re-formed did not reach open streams");
      assertThat(converged)
          .as("stored messages missing on open streams 30 s after the thaw")
          .isZero();
    }
  }
}
