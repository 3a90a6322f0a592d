package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Db;
import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered nodes on 127.0.0.1, both running every role against one database (A's embedded
 * server): writes to one conversation race from both nodes' persistence verticles.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatClusterIT {
  @TempDir static Path dir;
  Node a;
  Node b;
  Http http;
  Api onA;
  Api onB;
  Db db;

  @BeforeAll
  void startCluster() {
    http = new Http();
    int portA = TestNodes.freePort();
    int portB = TestNodes.freePort();
    List<Integer> members = List.of(portA, portB);
    a =
        TestNodes.start(
            TestNodes.clustered(TestNodes.env(dir.resolve("a")), portA, members), dir.resolve("a"));
    Map<String, String> envB = TestNodes.clustered(TestNodes.env(dir.resolve("b")), portB, members);
    envB.put("MONGO_URI", a.context().mongoUri());
    b = TestNodes.start(envB, dir.resolve("b"));
    onA = new Api(http, a.httpPort());
    onB = onA.on(b.httpPort());
    db = new Db(http.vertx(), a);
  }

  @AfterAll
  void stopCluster() {
    db.close();
    TestNodes.stop(b, a);
    http.close();
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
    assertThat(tries).allMatch(t -> List.of(200, 201, 503).contains(t.result().statusCode()));
    assertThat(db.count("messages", new JsonObject().put("conversationId", conv))).isEqualTo(1);
  }
}
