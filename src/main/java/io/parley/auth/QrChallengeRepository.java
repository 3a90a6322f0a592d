package io.parley.auth;

import io.parley.bus.AuthApi.Client;
import io.parley.bus.Ids;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.parley.security.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.UpdateOptions;
import java.time.Instant;
import java.util.List;

/**
 * The {@code qrchallenges} collection. Every state change is a conditional update on the current
 * state (and on expiry), so concurrent scans, approvals and redemptions have exactly one winner.
 */
final class QrChallengeRepository extends ExpiringRepository {
  static final String COLLECTION = "qrchallenges";

  /** A token names one challenge. */
  static final List<Index> INDEXES =
      List.of(Index.unique(COLLECTION, new JsonObject().put("token", 1)), expiryIndex(COLLECTION));

  QrChallengeRepository(MongoClient mongo) {
    super(mongo, COLLECTION);
  }

  /** Stores a new, pending challenge and returns it. */
  Future<QrChallenge> create(
      String token, String secretHash, Client requester, Instant now, Instant expiresAt) {
    // the id appears in URLs and is shown to whoever holds it: 128 random bits, not an ObjectId
    // (whose counter lets one requester guess the next one's id)
    QrChallenge challenge =
        QrChallenge.pending(Secrets.randomHex(16), token, secretHash, requester, now, expiresAt);
    return mongo.insert(COLLECTION, document(challenge)).map(ignored -> challenge);
  }

  /** The challenge with this id; null when there is none (or the id is malformed). */
  Future<QrChallenge> findById(String id) {
    if (!Ids.validChallenge(id)) {
      return Future.succeededFuture(null);
    }
    return mongo
        .findOne(COLLECTION, new JsonObject().put("_id", id), null)
        .map(QrChallengeRepository::fromDocument);
  }

  /** The challenge this token names; null when there is none. */
  Future<QrChallenge> findByToken(String token) {
    return mongo
        .findOne(COLLECTION, new JsonObject().put("token", token), null)
        .map(QrChallengeRepository::fromDocument);
  }

  /** pending (or scanned by the same user) → scanned, while unexpired. */
  Future<QrChallenge> markScanned(String id, String userId, Instant now) {
    JsonObject query =
        unexpired(id, now)
            .put(
                "$or",
                new JsonArray()
                    .add(new JsonObject().put("status", QrChallenge.PENDING))
                    .add(
                        new JsonObject()
                            .put("status", QrChallenge.SCANNED)
                            .put("scannedBy", userId)));
    return transition(
        query,
        new JsonObject()
            .put("status", QrChallenge.SCANNED)
            .put("scannedBy", userId)
            .put("scannedAt", MongoSupport.date(now)));
  }

  /** scanned by this user → approved, while unexpired. */
  Future<QrChallenge> markApproved(String id, String userId, String deviceName, Instant now) {
    return transition(
        unexpired(id, now).put("status", QrChallenge.SCANNED).put("scannedBy", userId),
        new JsonObject()
            .put("status", QrChallenge.APPROVED)
            .put("approvedBy", userId)
            .put("deviceName", deviceName)
            .put("approvedAt", MongoSupport.date(now)));
  }

  /** approved → redeemed, while unexpired: the single use. */
  Future<QrChallenge> markRedeemed(String id, Instant now) {
    return transition(
        unexpired(id, now).put("status", QrChallenge.APPROVED),
        new JsonObject()
            .put("status", QrChallenge.REDEEMED)
            .put("redeemedAt", MongoSupport.date(now)));
  }

  /** True the first time only: the secret's URL form ({@code ?secret=}) is single-use. */
  Future<Boolean> markUrlSecretUsed(String id) {
    return mongo
        .updateCollection(
            COLLECTION,
            new JsonObject().put("_id", id).put("urlSecretUsed", false),
            new JsonObject().put("$set", new JsonObject().put("urlSecretUsed", true)))
        .map(r -> r != null && r.getDocModified() > 0);
  }

  Future<Void> recordSession(String id, String sessionId) {
    return mongo
        .updateCollection(
            COLLECTION,
            new JsonObject().put("_id", id),
            new JsonObject().put("$set", new JsonObject().put("sessionId", sessionId)))
        .mapEmpty();
  }

  private static JsonObject unexpired(String id, Instant now) {
    return new JsonObject()
        .put("_id", id)
        .put("expiresAt", new JsonObject().put("$gt", MongoSupport.date(now)));
  }

  /** The challenge after the change; null when {@code query} matched none. */
  private Future<QrChallenge> transition(JsonObject query, JsonObject set) {
    return mongo
        .findOneAndUpdateWithOptions(
            COLLECTION,
            query,
            new JsonObject().put("$set", set),
            new FindOptions(),
            new UpdateOptions().setReturningNewDocument(true))
        .map(QrChallengeRepository::fromDocument);
  }

  /** The stored form; the fields of steps not yet taken are absent, except the three ids. */
  static JsonObject document(QrChallenge c) {
    JsonObject d =
        new JsonObject()
            .put("_id", c.id())
            .put("token", c.token())
            .put("requesterSecretHash", c.requesterSecretHash())
            .put("requester", c.requester().toJson())
            .put("status", c.status())
            .put("urlSecretUsed", c.urlSecretUsed())
            .put("createdAt", MongoSupport.date(c.createdAt()))
            .put("expiresAt", MongoSupport.date(c.expiresAt()))
            .put("scannedBy", c.scannedBy())
            .put("approvedBy", c.approvedBy())
            .put("sessionId", c.sessionId());
    if (c.scannedAt() != null) {
      d.put("scannedAt", MongoSupport.date(c.scannedAt()));
    }
    if (c.deviceName() != null) {
      d.put("deviceName", c.deviceName());
    }
    if (c.approvedAt() != null) {
      d.put("approvedAt", MongoSupport.date(c.approvedAt()));
    }
    if (c.redeemedAt() != null) {
      d.put("redeemedAt", MongoSupport.date(c.redeemedAt()));
    }
    return d;
  }

  /** The stored document as a record; null for null. */
  static QrChallenge fromDocument(JsonObject d) {
    return d == null
        ? null
        : new QrChallenge(
            d.getString("_id"),
            d.getString("token"),
            d.getString("requesterSecretHash"),
            Client.fromJson(d.getJsonObject("requester")),
            d.getString("status"),
            d.getBoolean("urlSecretUsed", false),
            MongoSupport.instant(d, "createdAt"),
            MongoSupport.instant(d, "expiresAt"),
            d.getString("scannedBy"),
            MongoSupport.instant(d, "scannedAt"),
            d.getString("approvedBy"),
            d.getString("deviceName"),
            MongoSupport.instant(d, "approvedAt"),
            MongoSupport.instant(d, "redeemedAt"),
            d.getString("sessionId"));
  }
}
