package io.parley.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.parley.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonDocumentWrapper;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;

/**
 * MongoDB for a request that makes several database calls in a row (a send makes three): the
 * synchronous driver, on a pool of worker threads, so that the whole sequence costs one hand-off to
 * a worker and one back. With the Vert.x client every call costs two or three (the driver hands
 * each connection checkout to its own thread, and each reply comes back through a Netty event
 * loop): on one core those wake-ups cost about as much as the calls' work
 * (docs/benchmarks/README.md, "Findings: 2026-12-08 (later)"). The documents are the same {@link
 * JsonObject}s the repositories give the Vert.x client, encoded by the same codec ({@link
 * EpochDateCodec}); errors are the same driver exceptions, so {@link MongoSupport#isOutage} and
 * {@link MongoSupport#isDuplicateKey} read them alike.
 *
 * <p>One per node (a connection pool of {@code mongo.maxPoolSize} and as many worker threads),
 * shared by the verticles that ask for it and closed when the last one releases it. The methods
 * other than {@link #run} block: call them only inside {@link #run}.
 */
public final class BlockingMongo {
  private static final Map<Vertx, BlockingMongo> SHARED = new ConcurrentHashMap<>();

  private final Vertx vertx;
  private final com.mongodb.client.MongoClient client;
  private final MongoDatabase database;
  private final WorkerExecutor workers;
  private final CodecRegistry codecs;
  private int users;

  private BlockingMongo(Vertx vertx, String uri, String databaseName, long waitMs, int poolSize) {
    this.vertx = vertx;
    this.codecs =
        CodecRegistries.fromRegistries(
            CodecRegistries.fromCodecs(new EpochDateCodec(new JsonObject())),
            MongoClientSettings.getDefaultCodecRegistry());
    // the same waits as the Vert.x client's (MongoSupport.client): an unreachable or hanging
    // database ends each call well before the HTTP layer's bus timeout
    MongoClientSettings settings =
        MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(uri))
            .applyToClusterSettings(b -> b.serverSelectionTimeout(waitMs, TimeUnit.MILLISECONDS))
            .applyToSocketSettings(
                b ->
                    b.connectTimeout((int) waitMs, TimeUnit.MILLISECONDS)
                        .readTimeout((int) waitMs, TimeUnit.MILLISECONDS))
            .applyToConnectionPoolSettings(
                b -> b.maxSize(poolSize).maxWaitTime(waitMs, TimeUnit.MILLISECONDS))
            .codecRegistry(codecs)
            .build();
    this.client = MongoClients.create(settings);
    this.database = client.getDatabase(databaseName);
    this.workers = vertx.createSharedWorkerExecutor("parley-db", poolSize);
    this.users = 1;
  }

  /** An instance of its own (not the node's shared one), for tests; {@link #release} closes it. */
  static BlockingMongo open(
      Vertx vertx, String uri, String databaseName, long waitMs, int poolSize) {
    return new BlockingMongo(vertx, uri, databaseName, waitMs, poolSize);
  }

  /** The node's instance; each caller must {@link #release} it once. */
  public static BlockingMongo acquire(Vertx vertx, NodeContext ctx) {
    synchronized (SHARED) {
      BlockingMongo shared = SHARED.get(vertx);
      if (shared != null) {
        shared.users++;
        return shared;
      }
      String uri = ctx.mongoUri();
      BlockingMongo created =
          new BlockingMongo(
              vertx,
              uri,
              MongoSupport.databaseName(uri, ctx.config().mongo().database()),
              MongoSupport.operationTimeoutMs(ctx.config().http().busTimeoutMs()),
              ctx.config().mongo().maxPoolSize());
      SHARED.put(vertx, created);
      return created;
    }
  }

  /** Gives the instance back; the last user closes the pool and the worker threads. */
  public void release() {
    synchronized (SHARED) {
      if (--users > 0) {
        return;
      }
      SHARED.remove(vertx, this);
    }
    workers.close();
    client.close();
  }

  /**
   * Runs {@code work} on a worker thread; its result (or failure) comes back on the caller's
   * context. Calls to run at once beyond the pool's size wait in line.
   */
  public <T> Future<T> run(Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  /** The first document matching {@code filter}, only {@code fields} (all when null); or null. */
  public JsonObject findOne(String collection, JsonObject filter, JsonObject fields) {
    var find = collection(collection).find(bson(filter));
    if (fields != null) {
      find = find.projection(bson(fields));
    }
    return find.first();
  }

  /** The documents matching {@code filter} in {@code sort} order, at most {@code limit}. */
  public List<JsonObject> find(
      String collection, JsonObject filter, JsonObject sort, int limit, JsonObject fields) {
    var find = collection(collection).find(bson(filter)).sort(bson(sort)).limit(limit);
    if (fields != null) {
      find = find.projection(bson(fields));
    }
    return find.into(new ArrayList<>());
  }

  /** Inserts {@code doc}; false when a unique index refused it (duplicate key). */
  public boolean insertUnique(String collection, JsonObject doc) {
    try {
      collection(collection).insertOne(doc);
      return true;
    } catch (com.mongodb.MongoException e) {
      if (MongoSupport.isDuplicateKey(e)) {
        return false;
      }
      throw e;
    }
  }

  /** Applies {@code update} to the first document matching {@code filter}; whether one matched. */
  public boolean updateOne(String collection, JsonObject filter, JsonObject update) {
    return collection(collection).updateOne(bson(filter), bson(update)).getMatchedCount() > 0;
  }

  private MongoCollection<JsonObject> collection(String name) {
    return database.getCollection(name, JsonObject.class);
  }

  private Bson bson(JsonObject json) {
    return new Bson() {
      @Override
      public <D> BsonDocument toBsonDocument(Class<D> documentClass, CodecRegistry registry) {
        return new BsonDocumentWrapper<>(json, codecs.get(JsonObject.class));
      }
    };
  }
}
