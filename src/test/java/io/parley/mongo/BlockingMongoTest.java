package io.parley.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.EmbeddedDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The send path's synchronous client against a real MongoDB-wire server: it stores what the Vert.x
 * client stores (dates as BSON dates), reads back what that client reads, reports a unique index's
 * refusal as false, and a database that does not answer as an outage; its results come back on the
 * caller's event loop.
 */
class BlockingMongoTest {
  @TempDir Path dir;

  private Vertx vertx;
  private EmbeddedDatabase db;
  private MongoClient async;
  private BlockingMongo blocking;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    db = EmbeddedDatabase.start(dir, 0);
    String uri = db.connectionString("t");
    async =
        MongoClient.createShared(
            vertx, new JsonObject().put("connection_string", uri).put("db_name", "t"), "t");
    blocking = BlockingMongo.open(vertx, uri, "t", 2000, 4);
  }

  @AfterEach
  void stop() throws Exception {
    blocking.release();
    await(async.close());
    db.close();
    await(vertx.close());
  }

  @Test
  void aDateWrittenAsEpochMillisIsStoredAsABsonDateAndReadBackAsMillis() throws Exception {
    long at = 1_765_000_000_123L;
    JsonObject doc =
        new JsonObject()
            .put("_id", "m1")
            .put("conversationId", "c1")
            .put("seq", 1L)
            .put("createdAt", new JsonObject().put("$date", at));
    assertThat(await(blocking.run(() -> blocking.insertUnique("messages", doc)))).isTrue();

    // what a range or TTL query needs: a BSON date, not a sub-document
    JsonObject asDate = new JsonObject().put("createdAt", new JsonObject().put("$type", "date"));
    assertThat(await(async.count("messages", asDate))).isEqualTo(1);
    JsonObject read = await(blocking.run(() -> blocking.findOne("messages", asDate, null)));
    assertThat(read.getJsonObject("createdAt").getLong("$date")).isEqualTo(at);
    assertThat(read.getLong("seq")).isEqualTo(1L);
  }

  @Test
  void aUniqueIndexRefusalIsFalseAndStoresNothing() throws Exception {
    await(
        async.createIndexWithOptions(
            "messages",
            new JsonObject().put("conversationId", 1).put("seq", 1),
            new IndexOptions().unique(true)));
    JsonObject first = new JsonObject().put("_id", "a").put("conversationId", "c").put("seq", 7L);
    JsonObject same = new JsonObject().put("_id", "b").put("conversationId", "c").put("seq", 7L);
    assertThat(await(blocking.run(() -> blocking.insertUnique("messages", first)))).isTrue();
    assertThat(await(blocking.run(() -> blocking.insertUnique("messages", same)))).isFalse();
    assertThat(await(async.find("messages", new JsonObject())))
        .extracting(d -> d.getString("_id"))
        .containsExactly("a");
  }

  @Test
  void findSortsLimitsAndProjectsAndUpdateSaysWhetherItMatched() throws Exception {
    for (long seq = 1; seq <= 5; seq++) {
      await(
          async.insert(
              "messages",
              new JsonObject().put("conversationId", "c").put("seq", seq).put("text", "t" + seq)));
    }
    List<JsonObject> last =
        await(
            blocking.run(
                () ->
                    blocking.find(
                        "messages",
                        new JsonObject().put("conversationId", "c"),
                        new JsonObject().put("seq", -1),
                        2,
                        new JsonObject().put("seq", 1))));
    assertThat(last).extracting(d -> d.getLong("seq")).containsExactly(5L, 4L);
    assertThat(last.get(0).containsKey("text")).isFalse();

    await(async.insert("conversations", new JsonObject().put("_id", "c").put("lastSeq", 3L)));
    JsonObject max = new JsonObject().put("$max", new JsonObject().put("lastSeq", 5L));
    assertThat(
            await(
                blocking.run(
                    () ->
                        blocking.updateOne(
                            "conversations", new JsonObject().put("_id", "c"), max))))
        .isTrue();
    assertThat(
            await(
                blocking.run(
                    () ->
                        blocking.updateOne(
                            "conversations", new JsonObject().put("_id", "nope"), max))))
        .isFalse();
    JsonObject c =
        await(
                async.findWithOptions(
                    "conversations", new JsonObject().put("_id", "c"), new FindOptions()))
            .get(0);
    assertThat(c.getLong("lastSeq")).isEqualTo(5L);
  }

  @Test
  void theResultComesBackOnTheCallersEventLoop() throws Exception {
    CompletableFuture<Boolean> onEventLoop = new CompletableFuture<>();
    CompletableFuture<Boolean> workOnWorker = new CompletableFuture<>();
    vertx.runOnContext(
        v ->
            blocking
                .run(
                    () -> {
                      workOnWorker.complete(!io.vertx.core.Context.isOnEventLoopThread());
                      return blocking.findOne("messages", new JsonObject(), null);
                    })
                .onComplete(
                    ar -> onEventLoop.complete(io.vertx.core.Context.isOnEventLoopThread())));
    assertThat(workOnWorker.get(15, TimeUnit.SECONDS)).isTrue();
    assertThat(onEventLoop.get(15, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aDatabaseThatDoesNotAnswerIsAnOutage() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    BlockingMongo nowhere = BlockingMongo.open(vertx, "mongodb://127.0.0.1:" + port, "t", 1000, 2);
    try {
      assertThat(
              nowhere
                  .run(() -> nowhere.findOne("messages", new JsonObject(), null))
                  .toCompletionStage())
          .failsWithin(15, TimeUnit.SECONDS)
          .withThrowableThat()
          .matches(MongoSupport::isOutage, "an outage (503 database_unavailable)");
    } finally {
      nowhere.release();
    }
  }
}
