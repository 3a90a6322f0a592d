package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Scenarios.Chat;
import io.parley.testing.Prometheus;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two standalone nodes on one MongoDB relay events through Redis, which also holds the rate-limit
 * counters; Redis is stopped for 10 s mid-stream and started again on the same port. Nothing
 * acknowledged may be lost; /health says degraded, then healthy again without a restart; rate
 * limits fall back to local counters and a metric says so; after the outage relayed events reach
 * the other node's open streams live again, and every stream converges.
 */
@org.junit.jupiter.api.Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
class RedisOutageIT {
  @TempDir Path dir;

  @Test
  void redisStoppedForTenSecondsMidStream() {
    try (FaultRig rig = new FaultRig(dir)) {
      String uri = rig.database();
      String redisUrl = rig.redis();
      Map<String, String> envA = NodeProcess.baseEnv(dir.resolve("a"), uri);
      Map<String, String> envB = NodeProcess.baseEnv(dir.resolve("b"), uri);
      for (Map<String, String> e : java.util.List.of(envA, envB)) {
        e.put("REDIS_URL", redisUrl);
        e.put("RATE_LIMIT_STORE", "redis");
      }
      NodeProcess a = rig.node("a", envA);
      NodeProcess b = rig.node("b", envB);
      a.start();
      b.start();
      a.awaitHealthy(90);
      b.awaitHealthy(90);
      long pidA = a.pid();
      long pidB = b.pid();
      Chat chat = Scenarios.chat(rig, 4, 3, 3);
      Scenarios.warmUp(rig, chat);

      AtomicReference<NodeProcess.Answer> during = new AtomicReference<>();
      Thread fault =
          new Thread(
              () -> {
                JarProcess.sleep(3000);
                rig.redis.stop();
                JarProcess.sleep(6000);
                during.set(b.health());
                JarProcess.sleep(4000);
                rig.redis.start();
              });
      fault.start();
      rig.clients.load(
          FaultRig.LONG ? 2000 : 500,
          20,
          chat.convs(),
          chat.members(),
          i -> Scenarios.preferring(rig, i),
          60_000,
          null);
      PartitionIT.join(fault);
      rig.history.note("answers " + rig.history.statuses());

      NodeProcess.Answer h = during.get();
      assertThat(h.status()).isEqualTo(503);
      assertThat(
              new JsonObject(h.body())
                  .getJsonObject("checks")
                  .getJsonObject("redis")
                  .getString("status"))
          .isEqualTo("down");
      FaultRig.await(
          "both nodes healthy again",
          60,
          () -> a.status("/health") == 200 && b.status("/health") == 200);
      assertThat(a.pid()).isEqualTo(pidA);
      assertThat(b.pid()).isEqualTo(pidB);
      double fallbacks =
          Prometheus.sample(a.metrics(), "parley_rate_limit_fallbacks_total", "store=\"redis\"")
              + Prometheus.sample(
                  b.metrics(), "parley_rate_limit_fallbacks_total", "store=\"redis\"");
      rig.history.note("rate-limit fallbacks " + (long) fallbacks);
      assertThat(fallbacks).isPositive();

      // what an open stream gets after the outage without reconnecting: new messages, live, on
      // both nodes (through the relay for the other node's streams)
      long afterOutage = Scenarios.newMessagesMissingLive(rig, chat, 20);
      rig.history.note("after Redis is back, new messages missing live=" + afterOutage);
      // and after a quick restart (stopped and started again at once)
      rig.redis.stop();
      rig.redis.start();
      FaultRig.await(
          "both nodes healthy after the restart",
          60,
          () -> a.status("/health") == 200 && b.status("/health") == 200);
      long afterRestart = Scenarios.newMessagesMissingLive(rig, chat, 20);
      rig.history.note("after a quick Redis restart, new messages missing live=" + afterRestart);
      afterOutage += afterRestart;
      History.Result r = rig.finish("redis outage (relay + rate limits, stopped 10 s)", 10);
      rig.assertClean(
          r,
          afterOutage,
          "messages sent after Redis came back (after the outage or a quick restart) never reached open streams on the other node (the relay did not resubscribe)");
    }
  }
}
