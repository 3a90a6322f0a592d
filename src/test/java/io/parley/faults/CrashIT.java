package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Scenarios.Chat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a node while clients send: clients retry every unacknowledged send on the
 * survivor with the same clientId; nothing acknowledged may be lost, nothing stored twice, and
 * every member's stream, after resuming, holds every conversation's full seq range.
 */
@org.junit.jupiter.api.Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
class CrashIT {
  @TempDir Path dir;

  @Test
  void killOneOfTwoClusteredNodesDuringSends() {
    try (FaultRig rig = new FaultRig(dir)) {
      FaultRig.Pair pair = rig.runningPair();
      Chat chat = Scenarios.chat(rig, 6, 4, 3);
      Scenarios.warmUp(rig, chat);

      int total = FaultRig.LONG ? 5000 : 1000;
      rig.clients.load(
          total,
          150,
          chat.convs(),
          chat.members(),
          i -> Scenarios.preferring(rig, i),
          60_000,
          () -> {
            pair.a().kill();
            rig.history.note("node a killed at send " + total / 2);
          });
      rig.history.note("answers " + rig.history.statuses());
      History.Result r = rig.finish("crash (kill -9 one of two clustered nodes)", 10);
      rig.assertClean(r);
      FaultRig.awaitMembers(pair.b(), 1, 60);
      assertThat(pair.b().troubleInLog()).as("the survivor's log").isEmpty();
    }
  }

  /**
   * The two-node development set-up (README): node a runs the embedded database, node b uses it
   * over MONGO_URI. a is killed while clients send on b, then started again on the same data
   * folder. While a is down b answers 503 with Retry-After and /health names the database; after a
   * is back b serves again without a restart. The embedded database commits every write to its file
   * before answering it, so no acknowledged send is lost and no seq is handed out twice.
   */
  @Test
  void killTheNodeThatOwnsTheEmbeddedDatabase() {
    try (FaultRig rig = new FaultRig(dir)) {
      int dbPort = io.parley.testing.TestNodes.freePort();
      java.util.Map<String, String> envA = NodeProcess.baseEnv(dir.resolve("a"), null);
      envA.put("PARLEY_EMBEDDED_MONGO_PORT", String.valueOf(dbPort));
      String uri = WireDatabase.uri(dbPort, FaultRig.DB);
      java.util.Map<String, String> envB = NodeProcess.baseEnv(dir.resolve("b"), uri);
      FaultRig.Pair pair = rig.cluster(envA, envB);
      pair.a().up();
      pair.b().up();
      FaultRig.awaitMembers(pair.b(), 2, 60);
      rig.checkDatabase(uri);
      Chat chat = Scenarios.chat(rig, 4, 3, 3);
      Scenarios.warmUp(rig, chat);
      java.util.List<Clients.Target> onB = java.util.List.of(FaultRig.target(pair.b()));
      java.util.concurrent.atomic.AtomicReference<NodeProcess.Answer> during =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread fault =
          new Thread(
              () -> {
                JarProcess.sleep(4000);
                pair.a().kill();
                JarProcess.sleep(4000);
                during.set(pair.b().health());
                pair.a().up();
              });
      fault.start();
      rig.clients.load(
          FaultRig.LONG ? 1500 : 400,
          30,
          chat.convs(),
          chat.members(),
          i -> () -> onB,
          90_000,
          null);
      PartitionIT.join(fault);
      rig.history.note("answers " + rig.history.statuses());
      rig.awaitStreamsConnected();
      History.Result r =
          rig.finish("crash of the node owning the embedded database (dev set-up)", 10);

      assertThat(during.get().status()).isEqualTo(503);
      assertThat(
              new io.vertx.core.json.JsonObject(during.get().body())
                  .getJsonObject("checks")
                  .getJsonObject("database")
                  .getString("status"))
          .isEqualTo("down");
      for (History.Attempt a : rig.history.attempts) {
        if (!a.acknowledged()) {
          assertThat(a.status() == 503 && a.retryAfter() != null).as(a.toString()).isTrue();
        }
      }
      // nothing acknowledged is lost across the kill, no seq is taken twice
      assertThat(KnownDefects.unexpected(r.summary(), r.violations())).isEmpty();
      assertThat(pair.b().status("/health")).isEqualTo(200);
    }
  }
}
