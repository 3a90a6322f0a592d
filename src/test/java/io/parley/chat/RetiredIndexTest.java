package io.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.EmbeddedDatabase;
import io.parley.mongo.MongoSupport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database set up by a version that created {@code {members:1, archivedBy:1}}: on MongoDB that
 * index refuses every conversation (two arrays in one compound index), so start-up drops it.
 */
class RetiredIndexTest {
  @TempDir Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static List<String> names(JsonArray indexes) {
    List<String> out = new ArrayList<>();
    indexes.forEach(i -> out.add(((JsonObject) i).getString("name")));
    return out;
  }

  @Test
  void startUpDropsTheIndexThatRefusedEveryConversation() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, 0)) {
      MongoClient mongo =
          MongoClient.createShared(
              vertx, new JsonObject().put("connection_string", db.connectionString("t")), "t");
      String coll = ConversationRepository.COLLECTION;
      await(mongo.createIndex(coll, new JsonObject().put("members", 1).put("archivedBy", 1)));
      JsonObject conversation =
          new JsonObject()
              .put("_id", "c1")
              .put("members", new JsonArray().add("u1").add("u2"))
              .put("archivedBy", new JsonArray());
      assertThat(mongo.insert(coll, conversation.copy()).toCompletionStage())
          .failsWithin(10, TimeUnit.SECONDS)
          .withThrowableThat()
          .withMessageContaining("cannot index parallel arrays");

      await(
          MongoSupport.ensureIndexes(
              mongo, ConversationRepository.INDEXES, ConversationRepository.RETIRED_INDEXES));
      assertThat(names(await(mongo.listIndexes(coll))))
          .doesNotContain("members_1_archivedBy_1")
          .contains("members_1_lastMessageAt_-1");
      await(mongo.insert(coll, conversation.copy()));

      // two nodes starting at once both find it and both drop it: the second drop is not an error
      await(mongo.createIndex("other", new JsonObject().put("a", 1).put("b", 1)));
      List<MongoSupport.RetiredIndex> retired =
          List.of(new MongoSupport.RetiredIndex("other", "a_1_b_1"));
      await(
          Future.all(
              MongoSupport.ensureIndexes(mongo, List.of(), retired),
              MongoSupport.ensureIndexes(mongo, List.of(), retired)));
      assertThat(names(await(mongo.listIndexes("other")))).doesNotContain("a_1_b_1");
      assertThat(mongo.dropIndex("other", "a_1_b_1").toCompletionStage())
          .failsWithin(10, TimeUnit.SECONDS)
          .withThrowableThat()
          .matches(e -> MongoSupport.indexNotFound(e), "is MongoDB's IndexNotFound");

      // a second start finds nothing to drop
      await(
          MongoSupport.ensureIndexes(
              mongo, ConversationRepository.INDEXES, ConversationRepository.RETIRED_INDEXES));
      assertThat(await(mongo.count(coll, new JsonObject()))).isEqualTo(1);
      mongo.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
