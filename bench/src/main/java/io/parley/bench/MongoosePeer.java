package io.parley.bench;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The seed's real stack (bench/node-peer/mongoose-server.js): Express 4 + Mongoose 8 +
 * jsonwebtoken + SSE on the same {@link MemoryMongo} database as Parley; one process, or several
 * sharing the broadcast through Redis pub/sub. It speaks the part of Parley's API the harness uses,
 * so {@link ApiTarget} drives it exactly as it drives Parley.
 */
final class MongoosePeer extends ApiTarget {
  private final Path peerDir;
  private final Path benchJar;
  private final String cpus;
  private final int basePort;
  private final int processes;
  private final String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));

  MongoosePeer(
      String name, Path peerDir, Path benchJar, String cpus, int basePort, int processes, Http http) {
    super(
        name,
        processes == 1
            ? "the seed's stack: Node.js Express 4 + Mongoose 8 + jsonwebtoken + SSE, 1 process, same database"
            : "the seed's stack, " + processes + " Node.js processes sharing the broadcast through Redis pub/sub, same database",
        http);
    this.peerDir = peerDir;
    this.benchJar = benchJar;
    this.cpus = cpus;
    this.basePort = basePort;
    this.processes = processes;
    this.ports = new int[processes];
    for (int i = 0; i < processes; i++) {
      ports[i] = basePort + i;
    }
  }

  @Override
  void start(Path dir) throws Exception {
    home = dir.resolve(name);
    Proc.deleteTree(home);
    if (processes > 1) {
      startRedis(cpus, basePort + 19, home);
    }
    startMemoryMongo(cpus, benchJar, basePort + 17, home);
    startServers();
  }

  @Override
  void restartServers() throws Exception {
    stopServers();
    startServers();
  }

  private void startServers() throws Exception {
    for (int i = 0; i < processes; i++) {
      Map<String, String> env = new HashMap<>();
      env.put("PORT", "" + ports[i]);
      env.put("HOST", "127.0.0.1");
      env.put("NODE_ENV", "production");
      env.put("MONGO_URI", "mongodb://127.0.0.1:" + (basePort + 17) + "/peer");
      env.put("JWT_SECRET", secret);
      if (processes > 1) {
        env.put("REDIS_URL", "redis://127.0.0.1:" + (basePort + 19));
      }
      Proc p =
          Proc.start(
              name + "-node" + (i + 1),
              cpus,
              List.of("node", "--expose-gc", peerDir.resolve("mongoose-server.js").toAbsolutePath().toString()),
              env,
              home);
      procs.add(p);
      Proc.awaitPort(ports[i], 60_000, p);
    }
    for (int port : ports) {
      awaitHealthy(http, port, 60_000);
    }
  }

  /** heapUsed after gc(), external, RSS of the first Node process. */
  @Override
  long[] memory() {
    JsonObject m =
        http.json(ports[0], HttpMethod.GET, "/bench/stats", Map.of(), null).json().getJsonObject("memory");
    return new long[] {m.getLong("heapUsed"), m.getLong("external", 0L), memoryProc().rssBytes()};
  }
}
