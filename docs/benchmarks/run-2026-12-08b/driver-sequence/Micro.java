import com.mongodb.client.*;
import com.mongodb.client.model.*;
import io.vertx.core.*;
import io.vertx.core.json.*;
import io.vertx.ext.mongo.*;
import org.bson.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.atomic.*;
import java.util.concurrent.CountDownLatch;

public class Micro {
  static long cpu() throws Exception {
    String[] f = Files.readString(Path.of("/proc/self/stat")).split("\\) ")[1].split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000; // µs (100 Hz)
  }
  public static void main(String[] a) throws Exception {
    String mode = a[0]; int rate = Integer.parseInt(a[1]); int warm = Integer.parseInt(a[2]); int meas = Integer.parseInt(a[3]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    String uri = "mongodb://127.0.0.1:27999";
    AtomicLong done = new AtomicLong(); AtomicLong seq = new AtomicLong();
    java.util.function.Supplier<Future<?>> op;
    String db = "micro_" + mode;
    if (mode.equals("vertx")) {
      io.vertx.ext.mongo.MongoClient m = io.vertx.ext.mongo.MongoClient.createShared(vertx, new JsonObject().put("connection_string", uri).put("db_name", db));
      op = () -> {
        long s = seq.incrementAndGet(); String conv = "c" + (s % 20);
        return m.findOne("conv", new JsonObject().put("_id", conv).put("members", "u1"), null)
          .compose(x -> m.insert("msg", new JsonObject().put("conversationId", conv).put("seq", s).put("text", "hello there").put("createdAt", new JsonObject().put("$date", java.time.Instant.now().toString()))))
          .compose(x -> m.updateCollection("conv", new JsonObject().put("_id", conv), new JsonObject().put("$max", new JsonObject().put("lastSeq", s).put("lastMessageAt", new JsonObject().put("$date", java.time.Instant.now().toString())))));
      };
    } else {
      com.mongodb.client.MongoClient sc = MongoClients.create(uri);
      MongoDatabase d = sc.getDatabase(db);
      MongoCollection<BsonDocument> conv = d.getCollection("conv", BsonDocument.class), msg = d.getCollection("msg", BsonDocument.class);
      WorkerExecutor w = vertx.createSharedWorkerExecutor("db", 8);
      if (mode.equals("sync1")) op = () -> {
        long s = seq.incrementAndGet(); String c = "c" + (s % 20);
        return w.executeBlocking(() -> { // the three calls in a row on one worker
          conv.find(new BsonDocument("_id", new BsonString(c)).append("members", new BsonString("u1"))).first();
          msg.insertOne(new BsonDocument("conversationId", new BsonString(c)).append("seq", new BsonInt64(s)).append("text", new BsonString("hello there")).append("createdAt", new BsonDateTime(System.currentTimeMillis())));
          return conv.updateOne(new BsonDocument("_id", new BsonString(c)), new BsonDocument("$max", new BsonDocument("lastSeq", new BsonInt64(s)).append("lastMessageAt", new BsonDateTime(System.currentTimeMillis())))); }, false);
      }; else op = () -> {
        long s = seq.incrementAndGet(); String c = "c" + (s % 20);
        return w.executeBlocking(() -> conv.find(new BsonDocument("_id", new BsonString(c)).append("members", new BsonString("u1"))).first(), false)
          .compose(x -> w.executeBlocking(() -> msg.insertOne(new BsonDocument("conversationId", new BsonString(c)).append("seq", new BsonInt64(s)).append("text", new BsonString("hello there")).append("createdAt", new BsonDateTime(System.currentTimeMillis()))), false))
          .compose(x -> w.executeBlocking(() -> conv.updateOne(new BsonDocument("_id", new BsonString(c)), new BsonDocument("$max", new BsonDocument("lastSeq", new BsonInt64(s)).append("lastMessageAt", new BsonDateTime(System.currentTimeMillis())))), false));
      };
    }
    long periodNs = 1_000_000_000L / rate;
    Context ctx = vertx.getOrCreateContext();
    for (int phase = 0; phase < 2; phase++) {
      int secs = phase == 0 ? warm : meas;
      long c0 = cpu(); long d0 = done.get(); long t0 = System.nanoTime();
      CountDownLatch l = new CountDownLatch(1);
      ctx.runOnContext(v -> {
        long[] n = {0};
        vertx.setPeriodic(Math.max(1, 1000 / rate), id -> {
          long due = (System.nanoTime() - t0) / periodNs;
          while (n[0] < due) { n[0]++; op.get().onSuccess(x -> done.incrementAndGet()).onFailure(Throwable::printStackTrace); }
          if (System.nanoTime() - t0 > secs * 1_000_000_000L) { vertx.cancelTimer(id); l.countDown(); }
        });
      });
      l.await(); Thread.sleep(200);
      long ops = done.get() - d0, us = cpu() - c0;
      System.out.printf("%s %s rate %d: %d ops, %.0f us CPU per op (3 calls)%n", mode, phase == 0 ? "warm" : "MEAS", rate, ops, (double) us / ops);
    }
    System.exit(0);
  }
}
