package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Clients.Stream;
import io.parley.faults.Clients.Target;
import io.parley.testing.LocalRedis;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Everything one scenario runs: the database process, Redis, Parley node processes, the proxies
 * between them, the clients and the history; and the end of every scenario (heal, resume, check,
 * summary line). Closing it stops every process it started.
 */
final class FaultRig implements AutoCloseable {
  static final String DB = "parley";

  /** Longer variants: {@code -Dparley.faults.long=true}. */
  static final boolean LONG = Boolean.getBoolean("parley.faults.long");

  final Path dir;
  final History history = new History();
  final Clients clients = new Clients(history);
  final List<NodeProcess> nodes = new ArrayList<>();
  final List<LinkProxy> proxies = new ArrayList<>();
  WireDatabase db;
  LinkProxy dbProxy;
  LocalRedis redis;
  LinkProxy redisProxy;
  private MongoClient mongo;

  /** The conversations of the scenario (their members' streams are checked). */
  final List<String> conversations = new ArrayList<>();

  FaultRig(Path dir) {
    this.dir = dir;
  }

  // --- processes ----------------------------------------------------------------------------

  /** The database process, reached by nodes through a proxy (so its link can be cut too). */
  String database() {
    db = WireDatabase.start(dir.resolve("mongo"));
    dbProxy = proxy("mongo", db.port());
    return WireDatabase.uri(dbProxy.port(), DB);
  }

  /** A redis-server process, reached through a proxy; returns the URL nodes use. */
  String redis() {
    try {
      Files.createDirectories(dir.resolve("redis"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    redis = new LocalRedis(dir.resolve("redis")).start();
    redisProxy = proxy("redis", redis.port());
    return "redis://127.0.0.1:" + redisProxy.port();
  }

  LinkProxy proxy(String name, int target) {
    LinkProxy p = LinkProxy.start(clients.vertx, name, 0, target);
    proxies.add(p);
    return p;
  }

  NodeProcess node(String name, Map<String, String> env) {
    NodeProcess n = NodeProcess.create(name, dir.resolve(name), env);
    nodes.add(n);
    return n;
  }

  /** Two clustered nodes whose member and event-bus links both run through proxies. */
  record Pair(NodeProcess a, NodeProcess b, List<LinkProxy> link) {}

  Pair cluster(Map<String, String> envA, Map<String, String> envB) {
    int hzA = TestNodes.freePort();
    int hzB = TestNodes.freePort();
    int busA = TestNodes.freePort();
    int busB = TestNodes.freePort();
    LinkProxy pHzA = proxy("hz-a", hzA);
    LinkProxy pHzB = proxy("hz-b", hzB);
    LinkProxy pBusA = proxy("bus-a", busA);
    LinkProxy pBusB = proxy("bus-b", busB);
    String members = "127.0.0.1:" + pHzA.port() + ",127.0.0.1:" + pHzB.port();
    Map<String, String> a = new HashMap<>(envA);
    a.putAll(clusterEnv(hzA, pHzA.port(), busA, pBusA.port(), members));
    Map<String, String> b = new HashMap<>(envB);
    b.putAll(clusterEnv(hzB, pHzB.port(), busB, pBusB.port(), members));
    return new Pair(node("a", a), node("b", b), List.of(pHzA, pHzB, pBusA, pBusB));
  }

  /**
   * Two clustered nodes on this rig's database, started, healthy and seeing each other: the set-up
   * of the scenarios that break one of two nodes or the link between them.
   */
  Pair runningPair() {
    String uri = database();
    Pair pair =
        cluster(
            NodeProcess.baseEnv(dir.resolve("a"), uri), NodeProcess.baseEnv(dir.resolve("b"), uri));
    pair.a().start();
    pair.b().start();
    pair.a().awaitHealthy(90);
    pair.b().awaitHealthy(90);
    awaitMembers(pair.a(), 2, 60);
    awaitMembers(pair.b(), 2, 60);
    return pair;
  }

  private static Map<String, String> clusterEnv(
      int hz, int hzPublic, int bus, int busPublic, String members) {
    return Map.of(
        "PARLEY_CLUSTER_PORT", String.valueOf(hz),
        "PARLEY_CLUSTER_PUBLIC_PORT", String.valueOf(hzPublic),
        "PARLEY_CLUSTER_BUS_PORT", String.valueOf(bus),
        "PARLEY_CLUSTER_BUS_PUBLIC_PORT", String.valueOf(busPublic),
        "PARLEY_CLUSTER_HOST", "127.0.0.1",
        "PARLEY_CLUSTER_MEMBERS", members);
  }

  /** Waits until {@code n}'s /health reports {@code members} cluster members. */
  static void awaitMembers(NodeProcess n, int members, int seconds) {
    await(
        n.name + " sees " + members + " members",
        seconds,
        () -> {
          NodeProcess.Answer h = n.health();
          return h != null && h.body().contains("\"members\":" + members) && h.status() == 200;
        });
  }

  static Target target(NodeProcess n) {
    return new Target(n.name, n.httpPort);
  }

  /** The nodes that are running now, as client targets (clients leave dead nodes). */
  List<Target> live() {
    List<Target> t = new ArrayList<>();
    for (NodeProcess n : nodes) {
      if (n.running()) {
        t.add(target(n));
      }
    }
    return t.isEmpty() ? nodes.stream().map(FaultRig::target).toList() : t;
  }

  static void await(String what, int seconds, BooleanSupplier done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (done.getAsBoolean()) {
        return;
      }
      JarProcess.sleep(200);
    }
    if (!done.getAsBoolean()) {
      throw new AssertionError("timed out after " + seconds + " s waiting until " + what);
    }
  }

  // --- the database as the checker reads it ------------------------------------------------

  private String checkerUri;

  /** Where the checker reads the database when it is not {@link #database()}'s process. */
  void checkDatabase(String uri) {
    checkerUri = uri;
  }

  /** Waits until every stream is connected (again). */
  void awaitStreamsConnected() {
    await(
        "every stream reconnected",
        60,
        () -> clients.streams().stream().allMatch(s -> s.connected));
  }

  private MongoClient mongo() {
    if (mongo == null) {
      mongo =
          MongoClient.create(
              clients.vertx,
              new JsonObject()
                  .put(
                      "connection_string",
                      checkerUri != null ? checkerUri : WireDatabase.uri(db.port(), DB))
                  .put("db_name", DB)
                  .put("serverSelectionTimeoutMS", 10000));
    }
    return mongo;
  }

  List<History.Stored> stored() {
    JsonObject q =
        new JsonObject()
            .put("conversationId", new JsonObject().put("$in", new JsonArray(conversations)));
    List<JsonObject> docs =
        Clients.await(
            mongo()
                .findWithOptions(
                    "messages",
                    q,
                    new FindOptions()
                        .setFields(
                            new JsonObject()
                                .put("conversationId", 1)
                                .put("seq", 1)
                                .put("senderId", 1)
                                .put("clientId", 1))));
    return docs.stream().map(History.Stored::of).toList();
  }

  Map<String, Long> lastSeq() {
    Map<String, Long> m = new HashMap<>();
    JsonObject q =
        new JsonObject().put("_id", new JsonObject().put("$in", new JsonArray(conversations)));
    for (JsonObject c :
        Clients.await(
            mongo()
                .findWithOptions(
                    "conversations",
                    q,
                    new FindOptions().setFields(new JsonObject().put("lastSeq", 1))))) {
      m.put(c.getString("_id"), c.getLong("lastSeq", 0L));
    }
    return m;
  }

  // --- the end of a scenario -----------------------------------------------------------------

  /** Stream name → the "conv#seq" it still lacks of what is stored. */
  Map<String, Integer> missing(List<History.Stored> stored) {
    Map<String, Set<String>> byConv = new HashMap<>();
    for (History.Stored s : stored) {
      byConv
          .computeIfAbsent(s.conversationId(), k -> new HashSet<>())
          .add(s.conversationId() + "#" + s.seq());
    }
    Map<String, Set<String>> seen = new HashMap<>();
    for (History.Delivery d : history.deliveries) {
      seen.computeIfAbsent(d.stream(), k -> new HashSet<>())
          .add(d.conversationId() + "#" + d.seq());
    }
    Map<String, Integer> out = new HashMap<>();
    for (var e : history.streamConversations.entrySet()) {
      int n = 0;
      Set<String> got = seen.getOrDefault(e.getKey(), Set.of());
      for (String conv : e.getValue()) {
        for (String key : byConv.getOrDefault(conv, Set.of())) {
          if (!got.contains(key)) {
            n++;
          }
        }
      }
      if (n > 0) {
        out.put(e.getKey(), n);
      }
    }
    return out;
  }

  /**
   * How many stored messages open streams still lack after waiting {@code seconds} without any
   * reconnect forced by the test (live delivery plus whatever repair the nodes do).
   */
  long liveMissing(int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<History.Stored> stored = stored();
    Map<String, Integer> m = missing(stored);
    while (!m.isEmpty() && System.nanoTime() < deadline) {
      JarProcess.sleep(500);
      m = missing(stored);
    }
    return m.values().stream().mapToLong(Integer::longValue).sum();
  }

  /**
   * Every stream reconnects with its Last-Event-ID (as a client does after any doubt), and the
   * scenario waits for them to converge; then the history is checked against the database.
   */
  History.Result finish(String scenario, int liveWaitSeconds) {
    return finish(scenario, liveWaitSeconds, true);
  }

  /**
   * @param requireLive whether open streams must have converged by themselves (live delivery and
   *     the nodes' own repair) within {@code liveWaitSeconds}, before any forced resume
   */
  History.Result finish(String scenario, int liveWaitSeconds, boolean requireLive) {
    long waitStart = System.nanoTime();
    long live = liveMissing(liveWaitSeconds);
    history.note(
        "missing live before resume="
            + live
            + (live == 0
                ? String.format(
                    java.util.Locale.ROOT,
                    " (open streams complete %.1f s after the load ended)",
                    (System.nanoTime() - waitStart) / 1e9)
                : ""));
    for (Stream s : clients.streams()) {
      s.drop();
    }
    List<History.Stored> stored = stored();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!missing(stored).isEmpty() && System.nanoTime() < deadline) {
      JarProcess.sleep(300);
    }
    History.Result r = history.check(scenario, stored(), lastSeq());
    if (requireLive && live > 0) {
      List<String> v = new ArrayList<>(r.violations());
      v.add(
          KnownDefects.LIVE_GAP
              + live
              + " stored messages were still missing on open streams "
              + liveWaitSeconds
              + " s after the fault ended");
      r = new History.Result(r.summary(), v, r.lostLive());
    }
    report(r.summary());
    dumpAttempts(scenario);
    for (String v : r.violations().subList(0, Math.min(20, r.violations().size()))) {
      System.out.println("  violation: " + v);
    }
    return r;
  }

  /** Every attempt as a line under target/faults/, for reading a failed scenario. */
  private void dumpAttempts(String scenario) {
    StringBuilder b = new StringBuilder();
    for (History.Attempt a : history.attempts) {
      b.append(a).append('\n');
    }
    try {
      Path f =
          Path.of("target", "faults", scenario.replaceAll("[^A-Za-z0-9]+", "-") + "-attempts.txt");
      Files.createDirectories(f.getParent());
      Files.writeString(f, b.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void report(String line) {
    System.out.println("FAULTS " + line);
    try {
      Path f = Path.of("target", "faults", "summaries.txt");
      Files.createDirectories(f.getParent());
      Files.writeString(
          f,
          java.time.Instant.now() + " " + line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Fails with the violations (and where to read the nodes' logs), except those of a {@link
   * KnownDefects known defect}, which are printed as such (and fail too with {@code
   * -Dparley.faults.strict=true}).
   */
  /**
   * {@link #assertClean} with one more check: {@code missingLive} messages sent after the fault
   * that did not reach open streams live, as {@code what} describes them.
   */
  void assertClean(History.Result r, long missingLive, String what) {
    List<String> v = new ArrayList<>(r.violations());
    if (missingLive > 0) {
      v.add(KnownDefects.LIVE_GAP + missingLive + " " + what);
    }
    assertClean(new History.Result(r.summary(), v, r.lostLive()));
  }

  void assertClean(History.Result r) {
    assertThat(KnownDefects.unexpected(r.summary(), r.violations()))
        .as(r.summary() + "\nnode logs under " + dir)
        .isEmpty();
  }

  /** Errors and blocked-thread warnings in every node's log. */
  List<String> trouble() {
    List<String> t = new ArrayList<>();
    for (NodeProcess n : nodes) {
      n.troubleInLog().forEach(l -> t.add(n.name + ": " + l));
    }
    return t;
  }

  @Override
  public void close() {
    for (Stream s : clients.streams()) {
      s.close();
    }
    for (NodeProcess n : nodes) {
      n.close();
    }
    if (mongo != null) {
      try {
        mongo.close().await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // closing anyway
      }
    }
    proxies.forEach(LinkProxy::close);
    if (db != null) {
      db.close();
    }
    if (redis != null) {
      redis.close();
    }
    clients.close();
  }
}
