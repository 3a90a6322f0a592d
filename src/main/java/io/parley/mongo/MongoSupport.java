package io.parley.mongo;

import com.mongodb.MongoClientSettings;
import io.parley.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.mongo.impl.config.MongoClientOptionsParser;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.codecs.configuration.CodecRegistries;

/** Shared MongoDB plumbing for the verticles that own collections. */
public final class MongoSupport {
  /** Duplicate key error code (unique index violation). */
  public static final int DUPLICATE_KEY = 11000;

  private MongoSupport() {}

  /** How long a health check waits for the database's ping before reporting it down. */
  static final long PING_TIMEOUT_MS = 2000;

  /** The Retry-After sent with 503 database_unavailable. */
  public static final int RETRY_AFTER_SECONDS = 2;

  /**
   * One pool per node, shared by every verticle instance that asks for it. Every wait on the
   * database (choosing a server, connecting, a read, a free pooled connection) ends well before the
   * HTTP layer's bus timeout, so that an unreachable or hanging database surfaces as 503
   * database_unavailable with Retry-After instead of a request that hangs until it times out.
   */
  public static MongoClient client(Vertx vertx, NodeContext ctx) {
    String uri = ctx.mongoUri();
    long wait = operationTimeoutMs(ctx.config().http().busTimeoutMs());
    JsonObject cfg =
        new JsonObject()
            .put("connection_string", uri)
            .put("db_name", databaseName(uri, ctx.config().mongo().database()))
            .put("maxPoolSize", ctx.config().mongo().maxPoolSize())
            .put("serverSelectionTimeoutMS", wait)
            .put("connectTimeoutMS", wait)
            .put("socketTimeoutMS", wait)
            .put("waitQueueTimeoutMS", wait);
    // the client's own settings from this configuration, with dates carried as numbers
    // (EpochDateCodec)
    MongoClientSettings parsed = new MongoClientOptionsParser(vertx, cfg).settings();
    MongoClientSettings settings =
        MongoClientSettings.builder(parsed)
            .codecRegistry(
                CodecRegistries.fromRegistries(
                    CodecRegistries.fromCodecs(new EpochDateCodec(cfg)), parsed.getCodecRegistry()))
            .build();
    return MongoClient.createWithMongoSettings(vertx, cfg, "parley-mongo", settings);
  }

  /** Each database wait: a third of the bus timeout (a send makes a few calls in a row), 1–5 s. */
  static long operationTimeoutMs(long busTimeoutMs) {
    return Math.max(1000, Math.min(5000, busTimeoutMs / 3));
  }

  /**
   * Whether a failure means the database could not be reached or did not answer (as opposed to a
   * refused operation): no server selectable, a broken or timed-out socket, a primary stepping
   * down. Such requests are worth retrying; they become 503 database_unavailable.
   */
  public static boolean isOutage(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof com.mongodb.MongoTimeoutException
          || c instanceof com.mongodb.MongoSocketException
          || c instanceof com.mongodb.MongoNotPrimaryException
          || c instanceof com.mongodb.MongoNodeIsRecoveringException
          || c instanceof com.mongodb.MongoConnectionPoolClearedException
          || c instanceof com.mongodb.MongoExecutionTimeoutException) {
        return true;
      }
      if (c == c.getCause()) {
        break;
      }
    }
    return false;
  }

  /** The error a client gets when {@link #isOutage} holds. */
  public static io.parley.bus.ApiException unavailable() {
    return new io.parley.bus.ApiException(
        io.parley.bus.ApiError.of(
                io.parley.bus.Failure.UNAVAILABLE,
                "database_unavailable",
                "The database is unreachable; retry shortly")
            .withRetryAfter(RETRY_AFTER_SECONDS));
  }

  /** The database named in the URI's path, or the configured default. */
  static String databaseName(String uri, String fallback) {
    try {
      String afterScheme = uri.substring(uri.indexOf("://") + 3);
      int slash = afterScheme.indexOf('/');
      if (slash < 0) {
        return fallback;
      }
      String path = afterScheme.substring(slash + 1);
      int q = path.indexOf('?');
      String db = q >= 0 ? path.substring(0, q) : path;
      return db.isEmpty() ? fallback : URI.create("x:" + db).getSchemeSpecificPart();
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  /** An index to create at start-up. */
  public record Index(String collection, JsonObject keys, IndexOptions options) {
    public static Index of(String collection, JsonObject keys) {
      return new Index(collection, keys, new IndexOptions());
    }

    public static Index unique(String collection, JsonObject keys) {
      return new Index(collection, keys, new IndexOptions().unique(true));
    }
  }

  /**
   * An index an earlier version created and this one drops at start-up (by its name, MongoDB's
   * default {@code field_1_other_1}), because it must not stay.
   */
  public record RetiredIndex(String collection, String name) {}

  /** How long a starting verticle waits for an unreachable database before giving up. */
  static final long START_WAIT_MS = 60_000;

  /**
   * Creates every index (idempotent: MongoDB ignores an identical existing index). While the
   * database is unreachable (a node started together with it, or during its restart) it tries again
   * every second for up to a minute, so the node waits for its database instead of exiting.
   */
  public static Future<Void> ensureIndexes(MongoClient mongo, List<Index> indexes) {
    return ensureIndexes(mongo, indexes, List.of());
  }

  /** The same, after dropping the {@code retired} indexes that exist. */
  public static Future<Void> ensureIndexes(
      MongoClient mongo, List<Index> indexes, List<RetiredIndex> retired) {
    io.vertx.core.Context ctx = Vertx.currentContext();
    if (ctx == null) {
      return dropRetired(mongo, retired).compose(v -> createIndexes(mongo, indexes));
    }
    return ensureIndexes(
        ctx.owner(), mongo, indexes, retired, System.currentTimeMillis() + START_WAIT_MS);
  }

  private static Future<Void> ensureIndexes(
      Vertx vertx,
      MongoClient mongo,
      List<Index> indexes,
      List<RetiredIndex> retired,
      long deadline) {
    return dropRetired(mongo, retired)
        .compose(v -> createIndexes(mongo, indexes))
        .recover(
            err -> {
              if (!isOutage(err) || System.currentTimeMillis() > deadline) {
                return Future.failedFuture(err);
              }
              org.slf4j.LoggerFactory.getLogger(MongoSupport.class)
                  .warn("waiting for the database: {}", err.getMessage());
              return vertx
                  .timer(1, java.util.concurrent.TimeUnit.SECONDS)
                  .compose(t -> ensureIndexes(vertx, mongo, indexes, retired, deadline));
            });
  }

  /** MongoDB's IndexNotFound (27), or mongo-java-server's words for it. */
  public static boolean indexNotFound(Throwable t) {
    for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof com.mongodb.MongoCommandException e && e.getErrorCode() == 27) {
        return true;
      }
      if (String.valueOf(c.getMessage()).contains("index not found")) {
        return true;
      }
    }
    return false;
  }

  /** Drops each retired index that exists (listing first: dropping a missing one is an error). */
  private static Future<Void> dropRetired(MongoClient mongo, List<RetiredIndex> retired) {
    Map<String, List<String>> byCollection = new LinkedHashMap<>();
    retired.forEach(
        r -> byCollection.computeIfAbsent(r.collection(), c -> new ArrayList<>()).add(r.name()));
    Future<Void> done = Future.succeededFuture();
    for (Map.Entry<String, List<String>> e : byCollection.entrySet()) {
      done = done.compose(v -> dropExisting(mongo, e.getKey(), e.getValue()));
    }
    return done;
  }

  /** Lists the collection's indexes once and drops those of {@code names} it has. */
  private static Future<Void> dropExisting(
      MongoClient mongo, String collection, List<String> names) {
    return mongo
        .listIndexes(collection)
        .compose(
            existing -> {
              Future<Void> done = Future.succeededFuture();
              for (Object o : existing) {
                String name = o instanceof JsonObject ix ? ix.getString("name") : null;
                if (names.contains(name)) {
                  done = done.compose(v -> drop(mongo, collection, name));
                }
              }
              return done;
            });
  }

  private static Future<Void> drop(MongoClient mongo, String collection, String name) {
    org.slf4j.LoggerFactory.getLogger(MongoSupport.class)
        .info("dropping the retired index {} of {}", name, collection);
    // another node starting at the same time may drop it first
    return mongo
        .dropIndex(collection, name)
        .recover(err -> indexNotFound(err) ? Future.succeededFuture() : Future.failedFuture(err));
  }

  private static Future<Void> createIndexes(MongoClient mongo, List<Index> indexes) {
    List<Future<Void>> all = new ArrayList<>();
    for (Index i : indexes) {
      all.add(
          mongo
              .createIndexWithOptions(i.collection(), i.keys(), i.options())
              .recover(
                  err ->
                      Future.failedFuture(
                          new IllegalStateException(
                              "creating index "
                                  + i.keys().encode()
                                  + " on "
                                  + i.collection()
                                  + " failed: "
                                  + err.getMessage(),
                              err))));
    }
    return Future.all(all).mapEmpty();
  }

  /**
   * A date as MongoDB stores it (BSON date), e.g. for TTL indexes and range queries: epoch
   * milliseconds, which the node's client encodes without parsing (EpochDateCodec).
   */
  public static JsonObject date(java.time.Instant i) {
    return new JsonObject().put("$date", i.toEpochMilli());
  }

  /** Reads a BSON date field ({@code {"$date": …}}) back. */
  public static java.time.Instant instant(JsonObject doc, String key) {
    Object v = doc == null ? null : doc.getValue(key);
    if (v instanceof JsonObject d && d.getValue("$date") != null) {
      Object inner = d.getValue("$date");
      if (inner instanceof Number n) {
        return java.time.Instant.ofEpochMilli(n.longValue());
      }
      return java.time.Instant.parse(String.valueOf(inner));
    }
    if (v instanceof String s) {
      return java.time.Instant.parse(s);
    }
    if (v instanceof java.time.Instant i) {
      return i;
    }
    return null;
  }

  /** A new document id in the same form as the ones MongoDB generates. */
  public static String newId() {
    return new org.bson.types.ObjectId().toHexString();
  }

  /** Inserts a document: true when stored, false when a unique index refused it. */
  public static Future<Boolean> insertUnique(MongoClient mongo, String collection, JsonObject doc) {
    return mongo
        .insert(collection, doc)
        .map(true)
        .recover(
            err -> isDuplicateKey(err) ? Future.succeededFuture(false) : Future.failedFuture(err));
  }

  /** Whether a failed write broke a unique index. */
  public static boolean isDuplicateKey(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof com.mongodb.MongoException me && me.getCode() == DUPLICATE_KEY) {
        return true;
      }
      String m = c.getMessage();
      if (m != null && m.contains("E11000")) {
        return true;
      }
    }
    return false;
  }

  /** Pings the database; a ping not answered in 2 s fails. */
  public static Future<String> ping(MongoClient mongo) {
    return mongo
        .runCommand("ping", new JsonObject().put("ping", 1))
        .timeout(PING_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .map(r -> "ping ok");
  }
}
