package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Scenarios.Chat;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MongoDB goes away for 10 s while clients send and stream. Nothing unstored may be acknowledged;
 * sends answer 503 with Retry-After in bounded time (none hangs to the client's timeout); {@code
 * /health} names the database; after it is back the same node (no restart) stores every retried
 * send once and every stream converges.
 */
@org.junit.jupiter.api.Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
class MongoOutageIT {
  @TempDir Path dir;

  /**
   * Two outages in one run: the database process stopped for 10 s (connections refused), then,
   * after it is back, its link black-holed for 10 s (connections open, nothing answers: the case
   * where requests would hang without bounded waits).
   */
  @Test
  void databaseStoppedThenBlackHoledTenSecondsEachMidStream() {
    try (FaultRig rig = new FaultRig(dir)) {
      String uri = rig.database();
      NodeProcess node = rig.node("a", NodeProcess.baseEnv(dir.resolve("a"), uri)).up();
      long pid = node.pid();
      Chat chat = Scenarios.chat(rig, 4, 3, 3);
      Scenarios.warmUp(rig, chat);
      List<NodeProcess.Answer> healthDuring = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread fault =
          new Thread(
              () -> {
                JarProcess.sleep(3000);
                rig.db.stop();
                JarProcess.sleep(6000);
                healthDuring.add(node.health());
                JarProcess.sleep(4000);
                rig.db.up();
                JarProcess.sleep(5000);
                rig.dbProxy.blackhole();
                JarProcess.sleep(6000);
                healthDuring.add(node.health());
                JarProcess.sleep(4000);
                rig.dbProxy.heal();
              });
      fault.start();
      rig.clients.load(
          FaultRig.LONG ? 4000 : 1200,
          40,
          chat.convs(),
          chat.members(),
          i -> Scenarios.preferring(rig, i),
          90_000,
          null);
      PartitionIT.join(fault);
      long slowest =
          rig.history.attempts.stream().mapToLong(History.Attempt::millis).max().orElse(0);
      rig.history.note("slowest answer " + slowest + " ms");
      rig.history.note("answers " + rig.history.statuses());
      History.Result r =
          rig.finish("mongo outages (database stopped 10 s, then its link black-holed 10 s)", 10);

      // during the outage: only acknowledgements of stored sends, or 503 + Retry-After
      List<History.Attempt> bad = new ArrayList<>();
      for (History.Attempt a : rig.history.attempts) {
        boolean ok = a.acknowledged() || (a.status() == 503 && a.retryAfter() != null);
        if (!ok) {
          bad.add(a);
        }
      }
      assertThat(bad).as("answers other than 2xx or 503 with Retry-After").isEmpty();
      assertThat(healthDuring).hasSize(2);
      for (NodeProcess.Answer h : healthDuring) {
        assertThat(h.status()).as(h.body()).isEqualTo(503);
        JsonObject checks = new JsonObject(h.body()).getJsonObject("checks");
        assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("down");
        assertThat(checks.getJsonObject("database").getString("detail")).contains("database");
      }
      rig.assertClean(r);
      assertThat(node.pid()).isEqualTo(pid);
      assertThat(node.status("/health")).isEqualTo(200);
    }
  }
}
