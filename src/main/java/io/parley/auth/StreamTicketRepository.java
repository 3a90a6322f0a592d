package io.parley.auth;

import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code ssetickets} collection: one document per unredeemed stream ticket. */
final class StreamTicketRepository {
  static final String COLLECTION = "ssetickets";

  /**
   * MongoDB removes expired tickets itself; the embedded database does not, hence {@link
   * #deleteExpired}.
   */
  static final List<Index> INDEXES =
      List.of(
          new Index(
              COLLECTION,
              new JsonObject().put("expiresAt", 1),
              new IndexOptions().expireAfter(0L, TimeUnit.SECONDS)));

  private final MongoClient mongo;

  StreamTicketRepository(MongoClient mongo) {
    this.mongo = mongo;
  }

  Future<Void> insert(StreamTicket ticket) {
    return mongo.insert(COLLECTION, document(ticket)).mapEmpty();
  }

  /** Deletes the ticket with this hash and returns it; null when there is none. */
  Future<StreamTicket> take(String ticketHash) {
    return mongo
        .findOneAndDelete(COLLECTION, new JsonObject().put("_id", ticketHash))
        .map(StreamTicketRepository::ticket);
  }

  /** Removes tickets that expired before {@code cutoff} (MongoDB's TTL index does it too). */
  Future<Long> deleteExpired(Instant cutoff) {
    return mongo
        .removeDocuments(
            COLLECTION,
            new JsonObject()
                .put("expiresAt", new JsonObject().put("$lt", MongoSupport.date(cutoff))))
        .map(r -> r == null ? 0L : r.getRemovedCount());
  }

  static JsonObject document(StreamTicket t) {
    return new JsonObject()
        .put("_id", t.ticketHash())
        .put("userId", t.userId())
        .put("sessionId", t.sessionId())
        .put("createdAt", MongoSupport.date(t.createdAt()))
        .put("expiresAt", MongoSupport.date(t.expiresAt()));
  }

  /** The stored document as a record; null for null. */
  static StreamTicket ticket(JsonObject d) {
    return d == null
        ? null
        : new StreamTicket(
            d.getString("_id"),
            d.getString("userId"),
            d.getString("sessionId"),
            MongoSupport.instant(d, "createdAt"),
            MongoSupport.instant(d, "expiresAt"));
  }
}
