package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Clients.Stream;
import io.parley.faults.Clients.Target;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steady load for a while: a few hundred streams, messages flowing, streams dropping and resuming
 * all the time. What the node holds must stay flat — heap after a full GC, file descriptors,
 * threads, event-bus consumers — with no error and no blocked event loop in its log, and every
 * stream must end up with everything. {@code -Dparley.faults.soakSeconds=N} sets the length (120 s,
 * or 1800 s with {@code -Dparley.faults.long=true}).
 */
class SoakIT {
  @TempDir Path dir;

  @Test
  void steadyLoadWithChurnStaysFlat() {
    int seconds = Integer.getInteger("parley.faults.soakSeconds", FaultRig.LONG ? 1800 : 120);
    int usersCount = 24;
    int devices = 10;
    try (FaultRig rig = new FaultRig(dir)) {
      String uri = rig.database();
      Map<String, String> env = NodeProcess.baseEnv(dir.resolve("a"), uri);
      env.put("SSE_MAX_STREAMS_PER_USER", String.valueOf(devices * 2));
      NodeProcess node = rig.node("a", env).up();
      Target t = FaultRig.target(node);
      Crowd crowd = Crowd.gather(rig, t, usersCount, devices, "k", "k", s -> {});
      // warm up the node (JIT, pools) before taking the baseline
      churn(rig, crowd, t, 10);
      NodeProcess.Vitals start = node.vitals();
      churn(rig, crowd, t, seconds);
      NodeProcess.Vitals end = node.vitals();
      rig.history.note("start " + start);
      rig.history.note("end " + end);
      History.Result r =
          rig.finish("soak (" + seconds + " s, " + crowd.streams().size() + " streams, churn)", 10);
      rig.assertClean(r);
      assertThat(node.troubleInLog()).as("errors and blocked threads in the node's log").isEmpty();
      assertThat(end.heapAfterGc() - start.heapAfterGc())
          .as("heap growth after GC")
          .isLessThan(24L << 20);
      assertThat(end.fds() - start.fds()).as("file descriptor growth").isLessThanOrEqualTo(20);
      assertThat(end.threads() - start.threads()).as("thread growth").isLessThanOrEqualTo(4);
      assertThat(end.busConsumers()).as("event-bus consumers").isEqualTo(start.busConsumers());
    }
  }

  /** {@code seconds} of 20 sends/s while 5 random streams a second drop and resume. */
  private static void churn(FaultRig rig, Crowd crowd, Target t, int seconds) {
    List<Stream> streams = crowd.streams();
    Random random = new Random(seconds);
    Thread churner =
        new Thread(
            () -> {
              for (int s = 0; s < seconds; s++) {
                for (int k = 0; k < 5; k++) {
                  streams.get(random.nextInt(streams.size())).drop();
                }
                JarProcess.sleep(1000);
              }
            });
    churner.start();
    rig.clients.load(
        seconds * 20, 20, crowd.convs(), crowd.members(), i -> () -> List.of(t), 60_000, null);
    PartitionIT.join(churner);
  }
}
