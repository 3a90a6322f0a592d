package io.parley.auth;

import io.parley.bus.AuthApi.User;
import io.parley.mongo.MongoSupport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;
import java.util.List;

/** The {@code users} collection. */
final class UserRepository {
  static final String COLLECTION = "users";

  private final MongoClient mongo;

  UserRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  /** Inserts a user; fails with a duplicate-key error when the phone is taken. */
  Future<String> insert(String phone, String name, String passwordHash, Instant now) {
    String id = MongoSupport.newId();
    JsonObject doc =
        new JsonObject()
            .put("_id", id)
            .put("phone", phone)
            .put("name", name)
            .put("passwordHash", passwordHash)
            .put("createdAt", MongoSupport.date(now));
    return mongo.insert(COLLECTION, doc).map(ignored -> id);
  }

  Future<JsonObject> findByPhone(String phone) {
    return mongo.findOne(COLLECTION, new JsonObject().put("phone", phone), null);
  }

  Future<JsonObject> findById(String id) {
    if (!MongoSupport.isId(id)) {
      return Future.succeededFuture(null);
    }
    return mongo.findOne(COLLECTION, new JsonObject().put("_id", id), null);
  }

  Future<List<JsonObject>> findByIds(List<String> ids) {
    List<String> valid = ids.stream().filter(MongoSupport::isId).distinct().toList();
    if (valid.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return mongo.findWithOptions(
        COLLECTION,
        new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(valid))),
        new FindOptions().setFields(new JsonObject().put("passwordHash", 0)));
  }

  Future<JsonObject> updateName(String id, String name) {
    return mongo.findOneAndUpdateWithOptions(
        COLLECTION,
        new JsonObject().put("_id", id),
        new JsonObject().put("$set", new JsonObject().put("name", name)),
        new FindOptions(),
        new UpdateOptions().setReturningNewDocument(true));
  }

  static User view(JsonObject doc) {
    return new User(doc.getString("_id"), doc.getString("phone"), doc.getString("name"));
  }
}
