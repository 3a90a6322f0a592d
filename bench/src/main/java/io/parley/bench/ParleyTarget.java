package io.parley.bench;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Parley from its jar: one standalone node, n nodes clustered over Hazelcast (events cross on the
 * clustered bus; streams and sends are spread over the nodes), or two standalone nodes relaying
 * events through Redis pub/sub. The database is {@link MemoryMongo} in its own process (or, with
 * --embedded-db, the first node's embedded database, which the others use through MONGO_URI).
 */
final class ParleyTarget extends ApiTarget {
  enum Mode {
    ONE,
    CLUSTER,
    REDIS
  }

  private final Mode mode;
  private final int nodes;
  private final Path jar;
  private final String cpus;
  private final int basePort;
  private final List<String> jvm;
  private final Path benchJar; // null: the node's embedded H2 database
  private final String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));

  ParleyTarget(
      String name,
      Mode mode,
      int nodes,
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
          case CLUSTER -> "Parley, " + nodes + " nodes clustered (Hazelcast event bus), streams and sends spread over them";
          case REDIS -> "Parley, " + nodes + " standalone nodes relaying through Redis pub/sub";
        },
        http);
    this.mode = mode;
    this.nodes = mode == Mode.ONE ? 1 : nodes;
    this.jar = jar;
    this.cpus = cpus;
    this.basePort = basePort;
    this.jvm = jvm;
    this.benchJar = benchJar;
    this.ports = new int[this.nodes];
    for (int i = 0; i < this.nodes; i++) {
      ports[i] = basePort + i;
    }
  }

  private int mongoPort() {
    return basePort + 17;
  }

  private int redisPort() {
    return basePort + 19;
  }

  @Override
  boolean resumes() {
    return true;
  }

  @Override
  void start(Path dir) throws Exception {
    home = dir.resolve(name);
    Proc.deleteTree(home); // a fresh database every run
    if (mode == Mode.REDIS) {
      startRedis(cpus, redisPort(), home);
    }
    if (benchJar != null) {
      startMemoryMongo(cpus, benchJar, mongoPort(), home);
    }
    startNodes();
  }

  @Override
  void restartServers() throws Exception {
    stopServers();
    startNodes();
  }

  private void startNodes() throws Exception {
    for (int i = 0; i < nodes; i++) {
      Map<String, String> env = new HashMap<>();
      env.put("NODE_ENV", "development");
      env.put("PORT", "" + ports[i]);
      env.put("HOST", "127.0.0.1");
      env.put("JWT_SECRET", secret);
      env.put("LOG_LEVEL", "warn");
      env.put("PARLEY_DATA_DIR", home.resolve("data").toString());
      env.put("UPLOAD_DIR", home.resolve("uploads").toString());
      env.put("PARLEY_EMBEDDED_MONGO_PORT", "" + mongoPort());
      // every client of the harness shares 127.0.0.1: lift the per-address limits
      env.put("RATE_LIMIT_MAX_REQUESTS", "1000000000");
      env.put("RATE_LIMIT_USER_MAX_REQUESTS", "1000000000");
      env.put("RATE_LIMIT_AUTH_MAX_REQUESTS", "1000000000");
      env.put("PARLEY_REGISTRATIONS_PER_HOUR", "1000000");
      env.put("SSE_MAX_STREAMS_PER_USER", "100000");
      env.put("SSE_MAX_STREAMS_PER_ADDRESS", "1000000");
      // the harness creates many conversations from few users; metrics are not scraped
      env.put("RATE_LIMIT_CONVERSATIONS_PER_HOUR", "1000000000");
      env.put("METRICS_PORT", "0");
      if (i > 0 || benchJar != null) {
        env.put("MONGO_URI", "mongodb://127.0.0.1:" + mongoPort() + "/parley");
      }
      if (mode == Mode.CLUSTER) {
        env.put("PARLEY_CLUSTER_PORT", "" + (basePort + 10 + i));
        List<String> members = new ArrayList<>();
        for (int j = 0; j < nodes; j++) {
          members.add("127.0.0.1:" + (basePort + 10 + j));
        }
        env.put("PARLEY_CLUSTER_MEMBERS", String.join(",", members));
      }
      if (mode == Mode.REDIS) {
        env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort());
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
      p.jvm = true;
      procs.add(p);
      Proc.awaitPort(ports[i], 120_000, p);
    }
    for (int port : ports) {
      awaitHealthy(http, port, 120_000);
    }
  }

  @Override
  long[] memory() throws Exception {
    return javaMemory(memoryProc());
  }
}
