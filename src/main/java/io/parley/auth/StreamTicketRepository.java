package io.parley.auth;

import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.util.List;

/** The {@code ssetickets} collection: one document per unredeemed stream ticket. */
final class StreamTicketRepository extends ExpiringRepository {
  static final String COLLECTION = "ssetickets";

  static final List<Index> INDEXES = List.of(expiryIndex(COLLECTION));

  StreamTicketRepository(MongoClient mongo) {
    super(mongo, COLLECTION);
  }

  Future<Void> insert(StreamTicket ticket) {
    return mongo.insert(COLLECTION, document(ticket)).mapEmpty();
  }

  /** Deletes the ticket with this hash and returns it; null when there is none. */
  Future<StreamTicket> take(String ticketHash) {
    return mongo
        .findOneAndDelete(COLLECTION, new JsonObject().put("_id", ticketHash))
        .map(StreamTicketRepository::fromDocument);
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
  static StreamTicket fromDocument(JsonObject d) {
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
