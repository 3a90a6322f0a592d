package io.parley.auth;

import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A collection whose documents end at their {@code expiresAt} date. MongoDB removes them itself
 * through {@link #expiryIndex}; the embedded database ignores TTL indexes, hence {@link
 * #deleteExpired} for a periodic sweep.
 */
abstract class ExpiringRepository {
  final MongoClient mongo;
  private final String collection;

  ExpiringRepository(MongoClient mongo, String collection) {
    this.mongo = mongo;
    this.collection = collection;
  }

  /** The TTL index that removes a document once its {@code expiresAt} has passed. */
  static Index expiryIndex(String collection) {
    return new Index(
        collection,
        new JsonObject().put("expiresAt", 1),
        new IndexOptions().expireAfter(0L, TimeUnit.SECONDS));
  }

  /** Removes the documents that expired before {@code cutoff}; returns how many. */
  Future<Long> deleteExpired(Instant cutoff) {
    return mongo
        .removeDocuments(
            collection,
            new JsonObject()
                .put("expiresAt", new JsonObject().put("$lt", MongoSupport.date(cutoff))))
        .map(r -> r == null ? 0L : r.getRemovedCount());
  }
}
