package io.parley.auth;

import io.parley.bus.Ids;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The {@code users} collection. */
final class UserRepository {
  static final String COLLECTION = "users";

  /** One account per phone number. */
  static final List<Index> INDEXES =
      List.of(Index.unique(COLLECTION, new JsonObject().put("phone", 1)));

  private final MongoClient mongo;

  UserRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  /** Inserts a new user; empty when the phone number is taken. */
  Future<Optional<User>> insert(String phone, String name, String passwordHash, Instant now) {
    User user = new User(MongoSupport.newId(), phone, name, passwordHash, now);
    return mongo
        .insert(COLLECTION, document(user))
        .map(ignored -> Optional.of(user))
        .recover(
            err ->
                MongoSupport.isDuplicateKey(err)
                    ? Future.succeededFuture(Optional.empty())
                    : Future.failedFuture(err));
  }

  /** The user with this phone number; null when there is none. */
  Future<User> findByPhone(String phone) {
    return mongo
        .findOne(COLLECTION, new JsonObject().put("phone", phone), null)
        .map(UserRepository::fromDocument);
  }

  /** The user with this id; null when there is none (or the id is malformed). */
  Future<User> findById(String id) {
    if (!Ids.valid(id)) {
      return Future.succeededFuture(null);
    }
    return mongo
        .findOne(COLLECTION, new JsonObject().put("_id", id), null)
        .map(UserRepository::fromDocument);
  }

  /** The users among these ids, without their password hashes; malformed ids name no one. */
  Future<List<User>> findByIds(List<String> ids) {
    List<String> valid = ids.stream().filter(Ids::valid).distinct().toList();
    if (valid.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return mongo
        .findWithOptions(
            COLLECTION,
            new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(valid))),
            new FindOptions().setFields(new JsonObject().put("passwordHash", 0)))
        .map(docs -> docs.stream().map(UserRepository::fromDocument).toList());
  }

  /** Renames the user and returns it renamed; null when there is no such user. */
  Future<User> updateName(String id, String name) {
    return mongo
        .findOneAndUpdateWithOptions(
            COLLECTION,
            new JsonObject().put("_id", id),
            new JsonObject().put("$set", new JsonObject().put("name", name)),
            new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .map(UserRepository::fromDocument);
  }

  static JsonObject document(User u) {
    return new JsonObject()
        .put("_id", u.id())
        .put("phone", u.phone())
        .put("name", u.name())
        .put("passwordHash", u.passwordHash())
        .put("createdAt", MongoSupport.date(u.createdAt()));
  }

  /** The stored document as a record; null for null. */
  static User fromDocument(JsonObject d) {
    return d == null
        ? null
        : new User(
            d.getString("_id"),
            d.getString("phone"),
            d.getString("name"),
            d.getString("passwordHash"),
            MongoSupport.instant(d, "createdAt"));
  }
}
