package io.parley.mongo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import io.parley.EmbeddedDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database's secondary indexes, over the MongoDB wire: they refuse what MongoDB
 * refuses, and every query they answer returns what a scan of an unindexed twin collection returns.
 */
class SecondaryIndexTest {
  @TempDir Path dir;
  private Vertx vertx;
  private EmbeddedDatabase db;
  private MongoClient mongo;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    db = EmbeddedDatabase.start(dir, 0);
    mongo =
        MongoClient.createShared(
            vertx, new JsonObject().put("connection_string", db.connectionString("t")), "t");
  }

  @AfterEach
  void stop() throws Exception {
    mongo.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    db.close();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aCompoundIndexRefusesTwoArraysInOneDocumentAsMongoDbDoes() throws Exception {
    await(mongo.createIndex("c", new JsonObject().put("members", 1).put("archivedBy", 1)));

    // an empty array is an array too: MongoDB refuses this one (error 171)
    assertRefused(
        new JsonObject()
            .put("_id", "x")
            .put("members", new JsonArray().add("a").add("b"))
            .put("archivedBy", new JsonArray()));
    assertThat(await(mongo.count("c", new JsonObject()))).isZero();

    await(
        mongo.insert(
            "c",
            new JsonObject()
                .put("_id", "y")
                .put("members", new JsonArray().add("a"))
                .put("archivedBy", "a")));
    assertThatThrownBy(
            () ->
                await(
                    mongo.updateCollection(
                        "c",
                        new JsonObject().put("_id", "y"),
                        new JsonObject()
                            .put(
                                "$set",
                                new JsonObject().put("archivedBy", new JsonArray().add("a"))))))
        .hasMessageContaining("cannot index parallel arrays");
    JsonObject kept = await(mongo.findOne("c", new JsonObject().put("_id", "y"), null));
    assertThat(kept.getValue("archivedBy")).isEqualTo("a");
  }

  @Test
  void everyQueryTheIndexAnswersReturnsWhatAScanReturns() throws Exception {
    await(mongo.createIndex("indexed", new JsonObject().put("k", 1).put("t", 1)));
    await(mongo.createIndex("indexed", new JsonObject().put("k", 1).put("other", -1)));
    await(mongo.createIndex("indexed", new JsonObject().put("tag", 1)));
    Random rnd = new Random(17);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      JsonObject d = randomDocument(rnd).put("_id", "d" + i);
      ids.add("d" + i);
      await(mongo.insert("indexed", d.copy()));
      await(mongo.insert("plain", d.copy()));
    }
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 60; i++) {
        String id = ids.get(rnd.nextInt(ids.size()));
        JsonObject byId = new JsonObject().put("_id", id);
        if (rnd.nextInt(4) == 0) {
          await(mongo.removeDocument("indexed", byId));
          await(mongo.removeDocument("plain", byId));
        } else {
          JsonObject set = new JsonObject().put("$set", randomDocument(rnd));
          await(mongo.updateCollection("indexed", byId, set));
          await(mongo.updateCollection("plain", byId, set));
        }
      }
      for (int q = 0; q < 150; q++) {
        JsonObject query = randomQuery(rnd);
        assertThat(idsOf("indexed", query)).as(query.encode()).isEqualTo(idsOf("plain", query));
      }
    }
  }

  private Set<String> idsOf(String collection, JsonObject query) throws Exception {
    Set<String> out = new TreeSet<>();
    for (JsonObject d : await(mongo.find(collection, query))) {
      out.add(d.getString("_id"));
    }
    return out;
  }

  private static final String[] KEYS = {"a", "b", "c", "d"};

  private static Object randomT(Random rnd) {
    return switch (rnd.nextInt(5)) {
      case 0 ->
          new JsonObject()
              .put(
                  "$date",
                  java.time.Instant.ofEpochMilli(1_700_000_000_000L + rnd.nextInt(1000))
                      .toString());
      case 1 -> rnd.nextInt(50);
      case 2 -> (long) rnd.nextInt(50);
      case 3 -> "s" + rnd.nextInt(10);
      default ->
          rnd.nextBoolean()
              ? null
              : rnd.nextBoolean() ? new JsonArray() : new JsonArray().add(rnd.nextInt(50));
    };
  }

  private static JsonObject randomDocument(Random rnd) {
    JsonObject d = new JsonObject();
    switch (rnd.nextInt(4)) {
      case 0 -> d.put("k", new JsonArray().add(KEYS[rnd.nextInt(4)]).add(KEYS[rnd.nextInt(4)]));
      case 1 -> d.putNull("k");
      default -> d.put("k", KEYS[rnd.nextInt(4)]);
    }
    Object t = randomT(rnd);
    if (t instanceof JsonArray && d.getValue("k") instanceof JsonArray) {
      t = 7; // two arrays in one compound index: refused, as by MongoDB
    }
    d.put("t", t); // always set, so that an update never leaves an old array beside a new one
    d.put("other", rnd.nextInt(5));
    d.put("tag", rnd.nextBoolean() ? "x" + rnd.nextInt(3) : (Object) rnd.nextInt(3));
    return d;
  }

  private static JsonObject randomQuery(Random rnd) {
    JsonObject q = new JsonObject();
    switch (rnd.nextInt(5)) {
      case 0 -> q.put("k", new JsonObject().put("$in", new JsonArray().add("a").add("c")));
      case 1 -> q.put("tag", rnd.nextBoolean() ? "x1" : (Object) 1L);
      case 2 -> q.put("k", new JsonObject().put("$eq", KEYS[rnd.nextInt(4)]));
      default -> q.put("k", KEYS[rnd.nextInt(4)]);
    }
    if (q.containsKey("k") && rnd.nextInt(4) > 0) {
      JsonObject range = new JsonObject();
      String[] ops = {"$gt", "$gte", "$lt", "$lte", "$eq", "$ne", "$in"};
      for (int i = 0; i <= rnd.nextInt(2); i++) {
        String op = ops[rnd.nextInt(ops.length)];
        Object v = randomT(rnd);
        range.put(op, "$in".equals(op) ? new JsonArray().add(v == null ? 3 : v) : v);
      }
      q.put("t", range);
    }
    if (rnd.nextInt(5) == 0) {
      q.put("other", new JsonObject().put("$lte", rnd.nextInt(5)));
    }
    return q;
  }

  @Test
  void anIndexReopenedFromTheDataFileAnswersQueriesAndEnforces() throws Exception {
    await(mongo.createIndex("c", new JsonObject().put("members", 1).put("at", 1)));
    for (int i = 0; i < 20; i++) {
      await(
          mongo.insert(
              "c",
              new JsonObject()
                  .put("_id", "c" + i)
                  .put("members", new JsonArray().add("u" + (i % 3)).add("v"))
                  .put("at", i)));
    }
    mongo.close();
    db.close();
    db = EmbeddedDatabase.start(dir, 0);
    mongo =
        MongoClient.createShared(
            vertx, new JsonObject().put("connection_string", db.connectionString("t")), "t2");

    JsonObject query =
        new JsonObject().put("members", "u1").put("at", new JsonObject().put("$gte", 10));
    assertThat(idsOf("c", query)).containsExactly("c10", "c13", "c16", "c19");
    assertRefused(
        new JsonObject()
            .put("_id", "bad")
            .put("members", new JsonArray().add("u1"))
            .put("at", new JsonArray().add(1)));
  }

  /** Inserting {@code doc} into {@code c} fails as MongoDB's error 171 does. */
  private void assertRefused(JsonObject doc) {
    assertThatThrownBy(() -> await(mongo.insert("c", doc)))
        .hasMessageContaining("cannot index parallel arrays");
  }

  @Test
  void anIndexReopenedFromAFileKeepsOldDocumentsFindableUntilItEnforces() {
    SecondaryIndex<Integer> index =
        new SecondaryIndex<>(
            "a_1_b_1", List.of(new IndexKey("a", true), new IndexKey("b", true)), false, false);
    Document stored = new Document("_id", "old").append("a", List.of("x")).append("b", List.of());
    index.checkAdd(stored, null);
    index.add(stored, 1, null);
    assertThat(index.canHandle(new Document("a", "x").append("b", 3))).isTrue();
    assertThat(index.getPositions(new Document("a", "y").append("b", 3))).containsExactly(1);

    index.enforce();
    Document next = new Document("_id", "new").append("a", List.of("x")).append("b", List.of(1));
    assertThatThrownBy(() -> index.checkAdd(next, null)).isInstanceOf(KeyConstraintError.class);
    assertThat(index.remove(stored)).isEqualTo(1);
    assertThat(index.getPositions(new Document("a", "y").append("b", 3))).isEmpty();
  }
}
