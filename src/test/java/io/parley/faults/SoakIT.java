package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Clients.Stream;
import io.parley.faults.Clients.Target;
import io.parley.faults.Clients.User;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
      List<User> users = new ArrayList<>();
      for (int i = 0; i < usersCount; i++) {
        users.add(rig.clients.register(t, "k" + i));
      }
      List<String> convs = new ArrayList<>();
      Map<String, List<User>> members = new HashMap<>();
      for (int c = 0; c < usersCount / 3; c++) {
        List<User> ms = users.subList(3 * c, 3 * c + 3);
        String id = rig.clients.group(t, ms.get(0), ms.subList(1, 3));
        convs.add(id);
        members.put(id, ms);
      }
      rig.conversations.addAll(convs);
      List<Stream> streams = new ArrayList<>();
      List<Future<Void>> opened = new ArrayList<>();
      for (int i = 0; i < users.size(); i++) {
        for (int d = 0; d < devices; d++) {
          Stream s =
              rig.clients.stream(
                  "k" + i + "d" + d, users.get(i), Set.of(convs.get(i / 3)), () -> List.of(t));
          streams.add(s);
          opened.add(s.open());
        }
      }
      Clients.await(Future.all(opened));
      // warm up the node (JIT, pools) before taking the baseline
      churn(rig, streams, convs, members, t, 10);
      NodeProcess.Vitals start = node.vitals();
      churn(rig, streams, convs, members, t, seconds);
      NodeProcess.Vitals end = node.vitals();
      rig.history.note("start " + start);
      rig.history.note("end " + end);
      History.Result r =
          rig.finish("soak (" + seconds + " s, " + streams.size() + " streams, churn)", 10);
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
  private static void churn(
      FaultRig rig,
      List<Stream> streams,
      List<String> convs,
      Map<String, List<User>> members,
      Target t,
      int seconds) {
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
    rig.clients.load(seconds * 20, 20, convs, members, i -> () -> List.of(t), 60_000, null);
    PartitionIT.join(churner);
  }
}
