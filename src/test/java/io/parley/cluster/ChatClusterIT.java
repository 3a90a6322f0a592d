package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Db;
import io.parley.testing.SseClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes on 127.0.0.1, both running every role against one database (A's embedded
 * server): writes to one conversation race from both nodes' persistence verticles.
 */
class ChatClusterIT extends ClusterSuite {
  Node a;
  Node b;
  Api onA;
  Api onB;
  Db db;

  @Override
  void startNodes() {
    a = start("a");
    env("b").put("MONGO_URI", a.context().mongoUri());
    b = start("b");
  }

  @BeforeAll
  void clientsAndDatabase() {
    onA = new Api(http, a.httpPort());
    onB = onA.on(b.httpPort());
    db = new Db(http.vertx(), a);
    awaitCrossNodeDelivery();
  }

  /**
   * A consumer registered right after a join sees the other node's publishes only after its
   * subscription has spread (about a second): wait for one event to cross before testing.
   */
  private void awaitCrossNodeDelivery() {
    Account x = onA.register("Warm-up");
    Account y = onA.register("Warm-up peer");
    String conv = onA.conversation(x, "direct", null, y).getString("id");
    try (SseClient onNodeB = stream(b, y, null)) {
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        onA.send(x, conv, "ping");
        if (onNodeB.awaitEvent("message.created", 500) != null) {
          return;
        }
      }
    }
    throw new IllegalStateException("events never crossed from node A to node B");
  }

  private SseClient stream(Node node, Account who, String lastEventId) {
    Map<String, String> h = new java.util.HashMap<>();
    h.put("Authorization", "Bearer " + who.token());
    if (lastEventId != null) {
      h.put("Last-Event-ID", lastEventId);
    }
    return SseClient.connect(http.vertx(), node.httpPort(), "/sse", h);
  }

  private static SseClient.Event awaitText(SseClient s, String text) {
    return s.await(
        e ->
            e.event().equals("message.created")
                && text.equals(e.json().getJsonObject("message").getString("text")),
        10_000);
  }

  @Test
  void aMessageSentOnNodeAReachesStreamsOnNodesAAndB() {
    Account ann = onA.register("Ann");
    Account bob = onB.register("Bob");
    Account bobLaptop = onB.login(bob, "Laptop");
    String conv = onA.conversation(ann, "direct", null, bob).getString("id");
    try (SseClient annOnB = stream(b, ann, null);
        SseClient bobOnA = stream(a, bob, null);
        SseClient bobOnB = stream(b, bobLaptop, null)) {
      onA.send(ann, conv, "across the cluster");
      for (SseClient s : List.of(annOnB, bobOnA, bobOnB)) {
        assertThat(awaitText(s, "across the cluster")).isNotNull();
      }
      onB.send(bob, conv, "and back");
      assertThat(awaitText(bobOnA, "and back")).isNotNull();
    }
  }

  @Test
  void aClientResumingOnTheOtherNodeGetsExactlyTheFiftyItMissedInOrder() throws Exception {
    Account ann = onA.register("Ann");
    Account bob = onB.register("Bob");
    String conv = onA.conversation(ann, "group", "Resume", bob).getString("id");
    java.util.Set<String> seen = new java.util.HashSet<>();
    String last;
    try (SseClient first = stream(a, bob, null)) {
      onA.send(ann, conv, "before");
      last = awaitText(first, "before").id();
      first.received().forEach(e -> seen.add(e.id()));
    }
    // fifty writes race from both nodes while Bob is away
    List<Future<HttpResponse<Buffer>>> sends = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      sends.add(sendAsync(a.httpPort(), ann, conv, "missed-a-" + i));
      sends.add(sendAsync(b.httpPort(), bob, conv, "missed-b-" + i));
    }
    Future.join(new ArrayList<>(sends)).await(60, TimeUnit.SECONDS);
    List<Long> acknowledged = new ArrayList<>();
    sends.forEach(
        f ->
            acknowledged.add(
                f.result().bodyAsJsonObject().getJsonObject("message").getLong("seq")));
    acknowledged.sort(null);
    assertThat(acknowledged)
        .containsExactlyElementsOf(LongStream.rangeClosed(2, 51).boxed().toList());

    try (SseClient resumed = stream(b, bob, last)) {
      long deadline = System.currentTimeMillis() + 15_000;
      List<Long> got = new ArrayList<>();
      while (got.size() < 50 && System.currentTimeMillis() < deadline) {
        SseClient.Event e = resumed.next(500);
        if (e != null && e.event().equals("message.created") && seen.add(e.id())) {
          got.add(e.json().getJsonObject("message").getLong("seq"));
        }
      }
      assertThat(got).containsExactlyElementsOf(acknowledged);
      onA.send(ann, conv, "live after resume");
      assertThat(awaitText(resumed, "live after resume")).isNotNull();
    }
  }

  @AfterAll
  void closeDatabase() {
    db.close();
  }

  private Future<HttpResponse<Buffer>> sendAsync(
      int port, Account from, String conv, String clientId) {
    return http.client()
        .post(port, "127.0.0.1", "/api/conversations/" + conv + "/messages")
        .putHeader("Authorization", "Bearer " + from.token())
        .sendJsonObject(new JsonObject().put("clientId", clientId).put("text", "n " + clientId));
  }

  @Test
  void twoHundredConcurrentSendsFromTwoNodesGetSeqOneToTwoHundred() throws Exception {
    Account ann = onA.register("Ann");
    Account bob = onB.register("Bob");
    String conv = onA.conversation(ann, "group", "Race", bob).getString("id");
    List<Future<HttpResponse<Buffer>>> sends = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      sends.add(sendAsync(a.httpPort(), ann, conv, "a-" + i));
      sends.add(sendAsync(b.httpPort(), bob, conv, "b-" + i));
    }
    Future.join(new ArrayList<>(sends)).await(120, TimeUnit.SECONDS);
    List<Long> acknowledged = new ArrayList<>();
    for (var s : sends) {
      assertThat(s.result().statusCode()).as(s.result().bodyAsString()).isEqualTo(201);
      acknowledged.add(s.result().bodyAsJsonObject().getJsonObject("message").getLong("seq"));
    }
    List<Long> expected = LongStream.rangeClosed(1, 200).boxed().toList();
    assertThat(acknowledged).containsExactlyInAnyOrderElementsOf(expected);

    List<Long> stored = new ArrayList<>();
    db.find("messages", new JsonObject().put("conversationId", conv))
        .forEach(m -> stored.add(m.getLong("seq")));
    assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
    JsonObject c = onB.get("/api/conversations/" + conv, ann.token()).bodyAsJsonObject();
    assertThat(c.getJsonObject("conversation").getLong("lastSeq")).isEqualTo(200);
  }

  @Test
  void concurrentRetriesOfOneClientIdOnBothNodesStoreOneMessage() throws Exception {
    Account ann = onA.register("Ann");
    Account bob = onA.register("Bob");
    String conv = onA.conversation(ann, "direct", null, bob).getString("id");
    String clientId = UUID.randomUUID().toString();
    List<Future<HttpResponse<Buffer>>> tries = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tries.add(sendAsync(i % 2 == 0 ? a.httpPort() : b.httpPort(), ann, conv, clientId));
    }
    Future.join(new ArrayList<>(tries)).await(60, TimeUnit.SECONDS);
    assertThat(tries.stream().filter(t -> t.result().statusCode() == 201)).hasSize(1);
    assertThat(tries).allMatch(t -> List.of(200, 201).contains(t.result().statusCode()));
    assertThat(db.count("messages", new JsonObject().put("conversationId", conv))).isEqualTo(1);
  }

  /**
   * Many sends, each retried at once on both nodes while the others race for seqs: every clientId
   * stored exactly once, every answer the stored message, the seqs 1..n without a hole.
   */
  @Test
  void concurrentRetriesAtAHighRateStoreEachSendOnceWithoutAHole() throws Exception {
    Account ann = onA.register("Ann");
    Account bob = onB.register("Bob");
    String conv = onA.conversation(ann, "group", "Retries", bob).getString("id");
    int sends = 60;
    List<Future<HttpResponse<Buffer>>> tries = new ArrayList<>();
    List<String> clientIds = new ArrayList<>();
    for (int i = 0; i < sends; i++) {
      Account who = i % 2 == 0 ? ann : bob;
      String clientId = "retry-" + i + "-" + UUID.randomUUID();
      clientIds.add(clientId);
      for (int t = 0; t < 4; t++) {
        tries.add(sendAsync(t % 2 == 0 ? a.httpPort() : b.httpPort(), who, conv, clientId));
      }
    }
    Future.join(new ArrayList<>(tries)).await(120, TimeUnit.SECONDS);
    java.util.Map<String, Long> seqOf = new java.util.HashMap<>();
    for (var t : tries) {
      int status = t.result().statusCode();
      assertThat(status).as(t.result().bodyAsString()).isIn(200, 201);
      JsonObject m = t.result().bodyAsJsonObject().getJsonObject("message");
      Long before = seqOf.putIfAbsent(m.getString("clientId"), m.getLong("seq"));
      // every answer for one clientId names the same stored message
      assertThat(before == null || before.equals(m.getLong("seq"))).isTrue();
    }
    assertThat(seqOf.keySet()).containsExactlyInAnyOrderElementsOf(clientIds);
    assertThat(tries.stream().filter(t -> t.result().statusCode() == 201)).hasSize(sends);
    List<Long> stored = new ArrayList<>();
    db.find("messages", new JsonObject().put("conversationId", conv))
        .forEach(m -> stored.add(m.getLong("seq")));
    assertThat(stored)
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, sends).boxed().toList());
  }
}
