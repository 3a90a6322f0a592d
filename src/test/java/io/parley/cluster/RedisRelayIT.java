package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Await;
import io.parley.testing.Http;
import io.parley.testing.LocalRedis;
import io.parley.testing.SseClient;
import io.parley.testing.TcpProxy;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes that do NOT form a Hazelcast cluster (standalone, sharing one database) reach each
 * other's streams only through a real redis-server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisRelayIT {
  static final long WAIT = 10_000;
  @TempDir static Path dir;
  LocalRedis redis;
  TcpProxy link;
  Node a;
  Node b;
  Http http;
  Api onA;
  Api onB;

  @BeforeAll
  void start() throws Exception {
    Files.createDirectories(dir.resolve("redis"));
    redis = new LocalRedis(dir.resolve("redis")).start();
    Map<String, String> envA = TestNodes.env(dir.resolve("a"));
    envA.put("REDIS_URL", redis.url());
    a = TestNodes.start(envA, dir.resolve("a"));
    // B reaches Redis through a link the tests can cut
    link = new TcpProxy(redis.port());
    Map<String, String> envB = TestNodes.env(dir.resolve("b"));
    envB.put("REDIS_URL", "redis://127.0.0.1:" + link.port());
    envB.put("MONGO_URI", a.context().mongoUri());
    b = TestNodes.start(envB, dir.resolve("b"));
    http = new Http();
    onA = new Api(http, a.httpPort());
    onB = onA.on(b.httpPort());
  }

  @AfterAll
  void stop() {
    TestNodes.stop(b, a);
    http.close();
    link.close();
    redis.close();
  }

  private SseClient stream(Node node, Account who) {
    return SseClient.connect(
        http.vertx(), node.httpPort(), "/sse", Map.of("Authorization", "Bearer " + who.token()));
  }

  private static SseClient.Event awaitText(SseClient s, String text, long timeoutMs) {
    return s.await(
        e ->
            e.event().equals("message.created")
                && text.equals(e.json().getJsonObject("message").getString("text")),
        timeoutMs);
  }

  @Test
  void theNodesAreNotClustered() {
    JsonObject health = onA.get("/health", null).bodyAsJsonObject();
    assertThat(health.getJsonObject("checks").getJsonObject("cluster").getString("mode"))
        .isEqualTo("standalone");
  }

  @Test
  void aMessageSentOnAReachesAStreamOnBThroughRedisOnce() {
    Account ann = onA.register("Ann");
    Account bob = onB.register("Bob");
    String conv = onA.conversation(ann, "direct", null, bob).getString("id");
    try (SseClient bobOnB = stream(b, bob);
        SseClient annOnA = stream(a, ann)) {
      JsonObject first = onA.send(ann, conv, "via redis");
      assertThat(awaitText(bobOnB, "via redis", WAIT)).isNotNull();
      assertThat(awaitText(annOnA, "via redis", WAIT)).isNotNull();
      onA.send(ann, conv, "second");
      assertThat(awaitText(annOnA, "second", WAIT)).isNotNull();
      assertThat(awaitText(bobOnB, "second", WAIT)).isNotNull();
      // A's hub got the first event over its bus and through Redis: written once
      String firstId = first.getString("id");
      assertThat(
              annOnA.received().stream()
                  .filter(e -> e.event().equals("message.created") && e.data().contains(firstId)))
          .hasSize(1);
    }
  }

  @Test
  void withoutRedisHealthDegradesLocalDeliveryGoesOnAndTheRelayReconnects() {
    Account ann = onA.register("Ann");
    Account bob = onB.register("Bob");
    String conv = onA.conversation(ann, "direct", null, bob).getString("id");
    try (SseClient annOnA = stream(a, ann);
        SseClient bobOnB = stream(b, bob)) {
      redis.stop();
      try {
        // the deep check is cached for a second: wait for the next one
        assertThat(Await.until(5000, () -> onA.get("/health", null).statusCode() == 503)).isTrue();
        var health = onA.get("/health", null);
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(
                health
                    .bodyAsJsonObject()
                    .getJsonObject("checks")
                    .getJsonObject("redis")
                    .getString("status"))
            .isEqualTo("down");
        onA.send(ann, conv, "redis is down");
        assertThat(awaitText(annOnA, "redis is down", WAIT)).isNotNull();
      } finally {
        redis.start();
      }
      // the subscriber reconnects by itself (backoff up to 30 s): B hears A again
      long deadline = System.currentTimeMillis() + 45_000;
      SseClient.Event back = null;
      for (int i = 0; back == null && System.currentTimeMillis() < deadline; i++) {
        onA.send(ann, conv, "back " + i);
        back = bobOnB.await(e -> e.data().contains("\"text\":\"back "), 1000);
      }
      assertThat(back).as("relay reconnected").isNotNull();
      assertThat(Await.until(5000, () -> onA.get("/health", null).statusCode() == 200)).isTrue();
    }
  }

  /** Signing out on one node ends the session on the other within a second, streams included. */
  @Test
  void aLogoutOnANodeReachesTheOtherNodeThroughRedis() {
    Account carol = onA.register("Carol");
    Account dave = onA.register("Dave");
    String conv = onA.conversation(dave, "direct", null, carol).getString("id");
    // B knows the session as signed in (cached) and holds a stream of it
    assertThat(onB.get("/api/users/me", carol.token()).statusCode()).isEqualTo(200);
    try (SseClient carolOnB = stream(b, carol)) {
      assertThat(carolOnB.status()).isEqualTo(200);
      assertThat(onA.post("/api/auth/logout", null, carol.token()).statusCode()).isEqualTo(204);
      assertThat(carolOnB.awaitEvent("session.revoked", 1000)).isNotNull();
      assertThat(carolOnB.awaitEnd(1000)).isTrue();
      assertThat(
              Await.until(1000, () -> onB.get("/api/users/me", carol.token()).statusCode() == 401))
          .isTrue();
      // and nothing sent afterwards reaches the signed-out device
      onA.send(dave, conv, "after logout");
      assertThat(carolOnB.received()).noneMatch(e -> e.data().contains("after logout"));
    }
  }

  /**
   * The link from B to Redis is cut while A keeps sending: B's open stream gets, soon after the
   * link is back and without reconnecting, every message stored meanwhile, in order; new ones
   * arrive live; B's health said down during the cut and up after it.
   */
  @Test
  void afterACutLinkToRedisAnOpenStreamCatchesUpByItselfAndLiveDeliveryResumes() {
    Account ann = onA.register("Ann");
    Account bob = onB.register("Bob");
    String conv = onA.conversation(ann, "direct", null, bob).getString("id");
    try (SseClient bobOnB = stream(b, bob)) {
      onA.send(ann, conv, "before the cut");
      assertThat(awaitText(bobOnB, "before the cut", WAIT)).isNotNull();
      link.stop();
      assertThat(Await.until(10_000, () -> onB.get("/health", null).statusCode() == 503))
          .as("health says down while the link is cut")
          .isTrue();
      for (int i = 0; i < 5; i++) {
        onA.send(ann, conv, "during the cut " + i);
      }
      link.start();
      for (int i = 0; i < 5; i++) {
        assertThat(awaitText(bobOnB, "during the cut " + i, 15_000)).as("missed " + i).isNotNull();
      }
      assertThat(Await.until(10_000, () -> onB.get("/health", null).statusCode() == 200)).isTrue();
      onA.send(ann, conv, "after the heal");
      assertThat(awaitText(bobOnB, "after the heal", WAIT)).isNotNull();
      assertThat(bobOnB.ended()).isFalse();
      List<Long> seqs = new java.util.ArrayList<>();
      for (SseClient.Event e : bobOnB.received()) {
        if (e.event().equals("message.created") && e.data().contains(conv)) {
          seqs.add(e.json().getJsonObject("message").getLong("seq"));
        }
      }
      assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(b.context().metrics().registry().find("parley.relay.reconnects").counter().count())
          .isPositive();
    }
  }
}
