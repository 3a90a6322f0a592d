package io.parley.bench;

import com.sun.net.httpserver.HttpServer;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.Channel;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The database every storing target uses in the benchmarks: mongo-java-server with its in-memory
 * backend, in its own process (pinned to the server core, its CPU counted with the target).
 * Parley's embedded development database uses the H2 file backend instead, whose Java
 * serialization of every key dominates a send's cost; see docs/benchmarks/README.md.
 *
 * <p>It counts the commands it serves by name (a round trip each) and reports them as JSON on
 * {@code GET http://127.0.0.1:<port+1>/commands}, so the harness can show database round trips
 * per message. Driver hand-shakes and heartbeats (hello, ping, …) are counted under their own names.
 *
 * <p>Its indexes answer queries as MongoDB's would ({@link IndexedMemoryDatabase}): the stock
 * in-memory backend ignores non-unique indexes and answers ranges on unique ones by a scan of the
 * whole collection.
 *
 * <p>Usage: {@code java -cp parley-bench.jar io.parley.bench.MemoryMongo <port>}
 */
public final class MemoryMongo {
  private static final Set<String> OPTIONS =
      Set.of("$db", "lsid", "$clusterTime", "txnNumber", "$readPreference", "autocommit", "startTransaction");

  private MemoryMongo() {}

  static final Map<String, LongAdder> COMMANDS = new ConcurrentHashMap<>();

  private static void count(Document d) {
    if (d == null || d.isEmpty()) {
      return;
    }
    for (String k : d.keySet()) {
      if (!OPTIONS.contains(k)) {
        COMMANDS.computeIfAbsent(k, x -> new LongAdder()).increment();
        return;
      }
    }
  }

  /** The in-memory backend, counting every command it handles. */
  static final class CountingBackend extends MemoryBackend {
    @Override
    public de.bwaldvogel.mongo.backend.memory.MemoryDatabase openOrCreateDatabase(String name) {
      return new IndexedMemoryDatabase(name, getCursorRegistry());
    }

    @Override
    public Document handleMessage(MongoMessage message) {
      count(message.getDocument());
      return super.handleMessage(message);
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
      if (query == null || query.isEmpty()) {
        COMMANDS.computeIfAbsent(command, x -> new LongAdder()).increment();
      }
      return super.handleCommand(channel, database, command, query);
    }
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    MongoServer server = new MongoServer(new CountingBackend());
    server.bind("127.0.0.1", port);
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port + 1), 8);
    http.createContext(
        "/commands",
        ex -> {
          StringBuilder sb = new StringBuilder("{");
          new TreeMap<>(COMMANDS)
              .forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v.sum()));
          byte[] body = sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    http.start();
    System.out.println("memory mongo on " + port + ", command counts on http://127.0.0.1:" + (port + 1) + "/commands");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      http.stop(0);
      server.shutdownNow();
    }));
  }
}
