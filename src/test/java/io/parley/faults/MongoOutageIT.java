package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Scenarios.Chat;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MongoDB goes away for 10 s while clients send and stream. Nothing unstored may be acknowledged;
 * sends answer 503 with Retry-After in bounded time (none hangs to the client's timeout); {@code
 * /health} names the database; after it is back the same node (no restart) stores every retried
 * send once and every stream converges.
 */
class MongoOutageIT {
  @TempDir Path dir;

  @Test
  void databaseStoppedForTenSecondsMidStream() {
    run("mongo outage (database stopped 10 s)", rig -> rig.db.stop(), rig -> rig.db.up());
  }

  @Test
  void databaseLinkBlackHoledForTenSeconds() {
    run(
        "mongo outage (database link black-holed 10 s)",
        rig -> rig.dbProxy.blackhole(),
        rig -> rig.dbProxy.heal());
  }

  private void run(
      String scenario,
      java.util.function.Consumer<FaultRig> fail,
      java.util.function.Consumer<FaultRig> recover) {
    try (FaultRig rig = new FaultRig(dir)) {
      String uri = rig.database();
      NodeProcess node = rig.node("a", NodeProcess.baseEnv(dir.resolve("a"), uri)).up();
      long pid = node.pid();
      Chat chat = Scenarios.chat(rig, 4, 3, 3);
      Scenarios.warmUp(rig, chat);
      AtomicReference<NodeProcess.Answer> healthDuring = new AtomicReference<>();
      List<Long> outage = new ArrayList<>();
      Thread fault =
          new Thread(
              () -> {
                JarProcess.sleep(3000);
                outage.add(System.currentTimeMillis());
                fail.accept(rig);
                JarProcess.sleep(6000);
                healthDuring.set(node.health());
                JarProcess.sleep(4000);
                recover.accept(rig);
                outage.add(System.currentTimeMillis());
              });
      fault.start();
      rig.clients.load(
          FaultRig.LONG ? 3000 : 600,
          50,
          chat.convs(),
          chat.members(),
          i -> Scenarios.preferring(rig, i),
          90_000,
          null);
      try {
        fault.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      rig.history.note("answers " + rig.history.statuses());
      History.Result r = rig.finish(scenario, 10);

      // during the outage: only acknowledgements of stored sends, or 503 + Retry-After
      List<History.Attempt> bad = new ArrayList<>();
      long slowest = 0;
      for (History.Attempt a : rig.history.attempts) {
        slowest = Math.max(slowest, a.millis());
        boolean ok = a.acknowledged() || (a.status() == 503 && a.retryAfter() != null);
        if (!ok) {
          bad.add(a);
        }
      }
      rig.history.note("slowest answer " + slowest + " ms");
      assertThat(bad).as("answers other than 2xx or 503 with Retry-After").isEmpty();
      NodeProcess.Answer h = healthDuring.get();
      assertThat(h).isNotNull();
      assertThat(h.status()).isEqualTo(503);
      JsonObject checks = new JsonObject(h.body()).getJsonObject("checks");
      assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("down");
      assertThat(checks.getJsonObject("database").getString("detail")).contains("database");
      rig.assertClean(r);
      assertThat(node.pid()).isEqualTo(pid);
      assertThat(node.status("/health")).isEqualTo(200);
      assertThat(Map.of("trouble", node.troubleInLog())).isNotNull();
    }
  }
}
