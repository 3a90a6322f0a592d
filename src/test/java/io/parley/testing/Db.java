package io.parley.testing;

import io.parley.Node;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Direct access to a node's MongoDB, to check what was (not) stored. */
public final class Db implements AutoCloseable {
  private final MongoClient mongo;

  public Db(Vertx vertx, Node node) {
    String uri = node.context().mongoUri();
    String db = uri.substring(uri.lastIndexOf('/') + 1).replaceFirst("\\?.*$", "");
    this.mongo =
        MongoClient.create(
            vertx,
            new JsonObject()
                .put("connection_string", uri)
                .put("db_name", db.isEmpty() ? "parley" : db));
  }

  public long count(String collection, JsonObject query) {
    return await(mongo.count(collection, query));
  }

  public List<JsonObject> find(String collection, JsonObject query) {
    return await(mongo.find(collection, query));
  }

  public JsonObject findOne(String collection, JsonObject query) {
    return await(mongo.findOne(collection, query, null));
  }

  public void update(String collection, JsonObject query, JsonObject update) {
    await(mongo.updateCollection(collection, query, update));
  }

  /** Sets the document's {@code expiresAt} a second in the past, as if its time had run out. */
  public void expire(String collection, String id) {
    update(
        collection,
        new JsonObject().put("_id", id),
        new JsonObject()
            .put(
                "$set",
                new JsonObject()
                    .put(
                        "expiresAt",
                        new JsonObject()
                            .put("$date", java.time.Instant.now().minusSeconds(1).toString()))));
  }

  public MongoClient client() {
    return mongo;
  }

  private static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    await(mongo.close());
  }
}
