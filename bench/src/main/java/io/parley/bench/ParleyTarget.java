package io.parley.bench;

import io.parley.bench.Http.Reply;
import io.parley.bench.Http.Req;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Parley from its jar: one node, two nodes clustered over Hazelcast (events cross on the clustered
 * bus), or two standalone nodes relaying events through Redis pub/sub. The first node runs the
 * embedded MongoDB-wire database; the second uses it through MONGO_URI, as in the README.
 */
final class ParleyTarget extends Target {
  enum Mode {
    ONE,
    CLUSTER,
    REDIS
  }

  private final Mode mode;
  private final Path jar;
  private final String cpus;
  private final int basePort;
  private final List<String> jvm;
  private final Http http;
  private final Path benchJar; // null: the node's embedded H2 database
  private final int[] ports;
  private final List<String[]> users = new ArrayList<>(); // {id, token}
  private final List<Map<String, String>> userHeaders = new ArrayList<>();

  ParleyTarget(
      String name,
      Mode mode,
      Path jar,
      String cpus,
      int basePort,
      List<String> jvm,
      Http http,
      Path benchJar) {
    super(
        name,
        switch (mode) {
          case ONE -> "Parley, 1 node";
          case CLUSTER -> "Parley, 2 nodes clustered (Hazelcast event bus)";
          case REDIS -> "Parley, 2 standalone nodes relaying through Redis pub/sub";
        });
    this.mode = mode;
    this.jar = jar;
    this.cpus = cpus;
    this.basePort = basePort;
    this.jvm = jvm;
    this.http = http;
    this.benchJar = benchJar;
    this.ports = mode == Mode.ONE ? new int[] {basePort} : new int[] {basePort, basePort + 1};
  }

  @Override
  void start(Path dir) throws Exception {
    Path home = dir.resolve(name);
    Proc.deleteTree(home); // a fresh database every run
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
    int mongoPort = basePort + 17;
    int redisPort = basePort + 19;
    if (mode == Mode.REDIS) {
      startRedis(cpus, redisPort, home);
    }
    if (benchJar != null) {
      Proc db =
          Proc.start(
              name + "-db",
              cpus,
              List.of(
                  "java", "-Xms1g", "-Xmx6g", "-cp", benchJar.toAbsolutePath().toString(),
                  "io.parley.bench.MemoryMongo", "" + mongoPort),
              Map.of(),
              home);
      db.infra = true;
      procs.add(db);
      Proc.awaitPort(mongoPort, 30_000, db);
    }
    for (int i = 0; i < ports.length; i++) {
      Map<String, String> env = new HashMap<>();
      env.put("NODE_ENV", "development");
      env.put("PORT", "" + ports[i]);
      env.put("HOST", "127.0.0.1");
      env.put("JWT_SECRET", secret);
      env.put("LOG_LEVEL", "warn");
      env.put("PARLEY_DATA_DIR", home.resolve("data").toString());
      env.put("UPLOAD_DIR", home.resolve("uploads").toString());
      env.put("PARLEY_EMBEDDED_MONGO_PORT", "" + mongoPort);
      // every client of the harness shares 127.0.0.1: lift the per-address limits
      env.put("RATE_LIMIT_MAX_REQUESTS", "1000000000");
      env.put("RATE_LIMIT_USER_MAX_REQUESTS", "1000000000");
      env.put("RATE_LIMIT_AUTH_MAX_REQUESTS", "1000000000");
      env.put("PARLEY_REGISTRATIONS_PER_HOUR", "1000000");
      env.put("SSE_MAX_STREAMS_PER_USER", "100000");
      env.put("SSE_MAX_STREAMS_PER_ADDRESS", "1000000");
      if (i > 0 || benchJar != null) {
        env.put("MONGO_URI", "mongodb://127.0.0.1:" + mongoPort + "/parley");
      }
      if (mode == Mode.CLUSTER) {
        env.put("PARLEY_CLUSTER_PORT", "" + (basePort + 10 + i));
        env.put(
            "PARLEY_CLUSTER_MEMBERS",
            "127.0.0.1:" + (basePort + 10) + ",127.0.0.1:" + (basePort + 11));
      }
      if (mode == Mode.REDIS) {
        env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
      }
      // experiments: e.g. BENCH_PARLEY_ENV="RATE_LIMIT_STORE=local METRICS_ENABLED=false"
      String extra = System.getenv("BENCH_PARLEY_ENV");
      if (extra != null) {
        for (String kv : extra.trim().split("\\s+")) {
          int eq = kv.indexOf('=');
          if (eq > 0) {
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
        }
      }
      List<String> cmd = new ArrayList<>(List.of("java"));
      cmd.addAll(jvm);
      cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
      Proc p = Proc.start(name + "-node" + (i + 1), cpus, cmd, env, home);
      procs.add(p);
      Proc.awaitPort(ports[i], 120_000, p);
    }
    for (int port : ports) {
      awaitHealthy(http, port, 120_000);
    }
  }

  /** Registers users until the pool holds n (a few at a time: Argon2 costs ~20 MiB each). */
  private void ensureUsers(int n) {
    int before = users.size();
    while (users.size() < n) {
      int batch = Math.min(8, n - users.size());
      List<Future<Reply>> fs = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        int k = users.size() + i;
        String phone = String.format("+1415%07d", 5_550_000 + k % 1_000_000);
        JsonObject body =
            new JsonObject()
                .put("phone", phone)
                .put("name", "bench user " + k)
                .put("password", "bench password for user " + k);
        fs.add(
            http.call(
                new Req(
                    ports[0], HttpMethod.POST, "/api/auth/register", Map.of(), body.toBuffer())));
      }
      for (Future<Reply> f : fs) {
        Reply r = f.await();
        if (r.status() != 201) {
          throw new IllegalStateException("register: " + r.status() + " " + r.body());
        }
        JsonObject g = r.json();
        String token = g.getString("token");
        users.add(new String[] {g.getJsonObject("user").getString("id"), token});
        userHeaders.add(Http.bearer(token));
      }
      if (users.size() % 200 < batch) {
        Bench.progress("  %s: %d/%d users registered", name, users.size(), n);
      }
    }
    if (users.size() > before) {
      Bench.progress("  %s: %d users", name, users.size());
    }
  }

  @Override
  Fixture fixture(int conversations, int members, int streamsPerMember, int userPool)
      throws Exception {
    int pool = Math.max(userPool, members);
    ensureUsers(pool);
    String[] convIds = new String[conversations];
    int[][] convMembers = new int[conversations][members];
    List<Future<Reply>> pending = new ArrayList<>();
    for (int c = 0; c < conversations; c++) {
      JsonArray ids = new JsonArray();
      for (int j = 0; j < members; j++) {
        int u = member(c, j, members, pool);
        convMembers[c][j] = u;
        if (j > 0) {
          ids.add(users.get(u)[0]);
        }
      }
      JsonObject body =
          new JsonObject().put("type", "group").put("title", "bench " + c).put("memberIds", ids);
      pending.add(
          http.call(
              new Req(
                  ports[0],
                  HttpMethod.POST,
                  "/api/conversations",
                  userHeaders.get(convMembers[c][0]),
                  body.toBuffer())));
      if (pending.size() == 16 || c == conversations - 1) {
        int first = c - pending.size() + 1;
        for (int k = 0; k < pending.size(); k++) {
          Reply r = pending.get(k).await();
          if (r.status() != 201) {
            throw new IllegalStateException("create conversation: " + r.status() + " " + r.body());
          }
          convIds[first + k] = r.json().getJsonObject("conversation").getString("id");
        }
        pending.clear();
        if ((c + 1) % 2000 == 0) {
          Bench.progress("  %s: %d/%d conversations", name, c + 1, conversations);
        }
      }
    }
    Sender sender =
        (conv, idx, text) -> {
          int[] m = convMembers[conv];
          int from = m[(int) ((idx / conversations) % m.length)];
          JsonObject body =
              new JsonObject().put("clientId", Load.clientId(text)).put("text", text);
          return new Req(
              ports[(int) (idx % ports.length)],
              HttpMethod.POST,
              "/api/conversations/" + convIds[conv] + "/messages",
              userHeaders.get(from),
              body.toBuffer());
        };
    return memberStreams(
        conversations,
        members,
        streamsPerMember,
        pool,
        ports,
        u -> new Sub(0, "/sse", userHeaders.get(u)),
        sender);
  }

  /** Streams for the memory measurement all go to the first node. */
  @Override
  List<Sub> idleSubs(int streams) {
    int userPool = 100;
    ensureUsers(userPool);
    List<Sub> subs = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      subs.add(new Sub(ports[0], "/sse", userHeaders.get(i % userPool)));
    }
    return subs;
  }

  @Override
  Proc memoryProc() {
    return procs.stream().filter(p -> p.name.endsWith("-node1")).findFirst().orElseThrow();
  }

  @Override
  long[] memory() throws Exception {
    return javaMemory(memoryProc());
  }
}
