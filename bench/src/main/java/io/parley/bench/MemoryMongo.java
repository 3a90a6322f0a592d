package io.parley.bench;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * The database Parley's targets use in the benchmarks: mongo-java-server with its in-memory
 * backend, in its own process (pinned to the server core, its CPU counted with the target).
 * Parley's embedded development database uses the H2 file backend instead, whose Java
 * serialization of every key dominates a send's cost; see docs/benchmarks/README.md.
 *
 * <p>Usage: {@code java -cp parley-bench.jar io.parley.bench.MemoryMongo <port>}
 */
public final class MemoryMongo {
  private MemoryMongo() {}

  public static void main(String[] args) {
    MongoServer server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", Integer.parseInt(args[0]));
    System.out.println("memory mongo on " + args[0]);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
  }
}
