package io.parley.bench;

import io.parley.bench.Http.Req;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/** A server set-up under test: its processes, how to subscribe and how to send. */
abstract class Target {
  /** One SSE stream the harness opens. */
  record Sub(int port, String uri, Map<String, String> headers) {}

  /** Builds the request that sends message {@code idx} (with {@code text}) to conversation c. */
  interface Sender {
    Req request(int conv, long idx, String text);
  }

  /**
   * Conversations with their members' streams.
   *
   * @param subs the streams to open
   * @param streamsPerConv how many of those streams receive a message sent to conversation c
   * @param sender builds send requests
   */
  record Fixture(List<Sub> subs, int[] streamsPerConv, Sender sender) {
    int conversations() {
      return streamsPerConv.length;
    }
  }

  final String name;
  final String description;
  final List<Proc> procs = new ArrayList<>();
  /** Fixtures set up on this instance (its database), by layout. */
  final Map<String, Fixture> fixtures = new HashMap<>();
  Path home;
  /**
   * The database process's collector (Bench's {@code --db-gc}): MongoDB itself has no
   * collector to pause, so the stand-in's pauses are kept short.
   */
  static volatile DatabaseGc databaseGc = DatabaseGc.G1_SHORT;

  /** Where the target's {@link MemoryMongo} reports its command counts; -1 without one. */
  int dbCountsPort = -1;

  Target(String name, String description) {
    this.name = name;
    this.description = description;
  }

  abstract void start(Path dir) throws Exception;

  /**
   * Stops the server processes and starts them again on the same database, Redis and secrets (a
   * deploy or restart of the nodes): for the cold-start scenario.
   */
  void restartServers() throws Exception {
    throw new UnsupportedOperationException(name + " cannot restart its servers");
  }

  /** Whether a stream resumes with Last-Event-ID (replays what it missed). */
  boolean resumes() {
    return false;
  }

  /**
   * {@code conversations} conversations of {@code members} members each, every member holding
   * {@code streamsPerMember} streams. Conversation c's members are users c*members … (mod pool),
   * so with few users each user is in many conversations (one stream then receives all of them).
   */
  abstract Fixture fixture(int conversations, int members, int streamsPerMember, int userPool)
      throws Exception;

  /** {@code streams} idle streams, all to the process {@link #memoryProc()}. */
  abstract List<Sub> idleSubs(int streams) throws Exception;

  /** The process whose memory per connection is measured (it holds every stream when asked). */
  abstract Proc memoryProc();

  /** Heap after GC, direct memory, RSS of {@link #memoryProc()} in bytes. */
  abstract long[] memory() throws Exception;

  /** Total CPU seconds of every process of this target (servers, Redis, databases). */
  double cpuSeconds() {
    double s = 0;
    for (Proc p : procs) {
      s += p.cpuSeconds();
    }
    return s;
  }

  /** CPU seconds of the servers themselves, without databases and Redis. */
  double nodeCpuSeconds() {
    double s = 0;
    for (Proc p : procs) {
      if (!p.infra) {
        s += p.cpuSeconds();
      }
    }
    return s;
  }

  /** CPU seconds by kind of thread, summed over this target's JVM servers (not databases). */
  Map<String, Double> serverThreadCpuSeconds() {
    Map<String, Double> out = new java.util.TreeMap<>();
    for (Proc p : procs) {
      if (p.jvm && !p.infra) {
        p.threadCpuSeconds().forEach((k, v) -> out.merge(k, v, Double::sum));
      }
    }
    return out;
  }

  /** The JVM server processes (profiled with --profile). */
  List<Proc> javaServers() {
    return procs.stream().filter(p -> p.jvm && !p.infra).toList();
  }

  void checkAlive() {
    for (Proc p : procs) {
      if (!p.alive()) {
        throw new IllegalStateException(p.name + " died:\n" + p.tail());
      }
    }
  }

  void stop() {
    for (int i = procs.size() - 1; i >= 0; i--) {
      procs.get(i).stop();
    }
    procs.clear();
  }

  /** Stops and forgets the server processes (not the database or Redis). */
  void stopServers() {
    for (int i = procs.size() - 1; i >= 0; i--) {
      if (!procs.get(i).infra) {
        procs.get(i).stop();
        procs.remove(i);
      }
    }
  }

  /** Member j of conversation c: users c*members … (mod pool), the layout every target uses. */
  static int member(int c, int j, int members, int pool) {
    return (c * members + j) % pool;
  }

  /**
   * Every member's streams, each member once however many conversations it is in (one stream
   * then receives all of them), spread over the ports; {@code perConv} gets the streams a message
   * to each conversation reaches.
   */
  static Fixture memberStreams(
      int conversations,
      int members,
      int streamsPerMember,
      int pool,
      int[] ports,
      IntFunction<Sub> subOfUser,
      Sender sender) {
    Set<Integer> involved = new LinkedHashSet<>();
    for (int c = 0; c < conversations; c++) {
      for (int j = 0; j < members; j++) {
        involved.add(member(c, j, members, pool));
      }
    }
    List<Sub> subs = new ArrayList<>();
    int k = 0;
    for (int u : involved) {
      Sub proto = subOfUser.apply(u);
      for (int s = 0; s < streamsPerMember; s++) {
        subs.add(new Sub(ports[k++ % ports.length], proto.uri(), proto.headers()));
      }
    }
    int[] perConv = new int[conversations];
    Arrays.fill(perConv, members * streamsPerMember);
    return new Fixture(subs, perConv, sender);
  }

  /** A throw-away redis-server on the server core, counted as infrastructure. */
  void startRedis(String cpus, int port, Path home) throws Exception {
    Proc redis =
        Proc.start(
            name + "-redis",
            cpus,
            List.of(
                "redis-server", "--port", "" + port, "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no"),
            Map.of(),
            home);
    redis.infra = true;
    procs.add(redis);
    Proc.awaitPort(port, 10_000, redis);
  }

  /**
   * The database every storing target uses: mongo-java-server's in-memory backend ({@link
   * MemoryMongo}) in its own JVM on the server core, counted as infrastructure.
   */
  void startMemoryMongo(String cpus, Path benchJar, int port, Path home) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("java", "-Xms1g", "-Xmx6g"));
    cmd.addAll(databaseGc.flags);
    cmd.addAll(List.of(Bench.QUIET_JVM.split(" ")));
    cmd.addAll(List.of("-cp", benchJar.toAbsolutePath().toString(), "io.parley.bench.MemoryMongo", "" + port));
    Proc db = Proc.start(name + "-db", cpus, cmd, Map.of(), home);
    db.infra = true;
    db.jvm = true;
    procs.add(db);
    Proc.awaitPort(port, 30_000, db);
    dbCountsPort = port + 1;
    Proc.awaitPort(dbCountsPort, 30_000, db);
  }

  /** Commands the target's database has served so far, by name (empty without a MemoryMongo). */
  Map<String, Long> dbCommands() {
    if (dbCountsPort < 0) {
      return Map.of();
    }
    try {
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + dbCountsPort + "/commands")).build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      Map<String, Long> out = new java.util.TreeMap<>();
      new io.vertx.core.json.JsonObject(r.body()).forEach(e -> out.put(e.getKey(), ((Number) e.getValue()).longValue()));
      return out;
    } catch (Exception e) {
      return Map.of();
    }
  }

  /** Waits until {@code GET /health} on the port answers 200. */
  void awaitHealthy(Http http, int port, long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      checkAlive();
      try {
        if (http.json(port, HttpMethod.GET, "/health", Map.of(), null).status() == 200) {
          return;
        }
      } catch (RuntimeException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " never became healthy");
  }

  static long[] javaMemory(Proc p) throws Exception {
    long heap = p.heapAfterGc();
    return new long[] {heap, p.directBytes(), p.rssBytes()};
  }
}
