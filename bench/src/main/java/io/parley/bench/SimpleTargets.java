package io.parley.bench;

import io.parley.bench.Http.Req;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The baselines and the peer: targets whose conversations live in the server's memory. */
final class SimpleTargets {
  private SimpleTargets() {}

  /** The bench's own Vert.x server: the ceiling (bare) or Parley's path without a database (bus). */
  static final class Bare extends Target {
    private final boolean bus;
    private final Path jar;
    private final String cpus;
    private final int port;
    private final List<String> jvm;

    Bare(String name, boolean bus, Path jar, String cpus, int port, List<String> jvm) {
      super(
          name,
          bus
              ? "Vert.x server: HTTP send, message JSON, one encoding, event bus, SSE; no database, no auth"
              : "bare Vert.x server writing pre-encoded frames (the ceiling)");
      this.bus = bus;
      this.jar = jar;
      this.cpus = cpus;
      this.port = port;
      this.jvm = jvm;
    }

    @Override
    void start(Path dir) throws Exception {
      List<String> cmd = new ArrayList<>(List.of("java"));
      cmd.addAll(jvm);
      cmd.addAll(
          List.of(
              "-cp", jar.toAbsolutePath().toString(), "io.parley.bench.BareServer", "" + port,
              bus ? "bus" : "bare"));
      Proc p = Proc.start(name, cpus, cmd, Map.of(), dir.resolve(name));
      p.jvm = true;
      procs.add(p);
      Proc.awaitPort(port, 60_000, p);
    }

    @Override
    Target.Fixture fixture(int conversations, int members, int streamsPerMember, int userPool) {
      // bare streams subscribe to a conversation, so a user in several conversations gets one
      // stream per conversation: the ceiling never pays a membership lookup
      List<Target.Sub> subs = new ArrayList<>();
      for (int c = 0; c < conversations; c++) {
        for (int i = 0; i < members * streamsPerMember; i++) {
          subs.add(new Target.Sub(port, "/sse?conv=c" + c, Map.of()));
        }
      }
      int[] perConv = new int[conversations];
      Arrays.fill(perConv, members * streamsPerMember);
      Target.Sender sender =
          bus
              ? (conv, idx, text) ->
                  new Req(
                      port,
                      HttpMethod.POST,
                      "/api/conversations/c" + conv + "/messages",
                      Map.of("X-User", "u" + conv * members),
                      new JsonObject().put("clientId", Load.clientId(text)).put("text", text).toBuffer())
              : (conv, idx, text) ->
                  new Req(
                      port,
                      HttpMethod.POST,
                      "/publish/c" + conv,
                      Map.of(),
                      BareServer.frame(
                          "c" + conv,
                          idx + 1,
                          BareServer.message("c" + conv, idx + 1, "u" + conv * members, Load.clientId(text), text)));
      return new Target.Fixture(subs, perConv, sender);
    }

    @Override
    List<Sub> idleSubs(int streams) {
      List<Sub> subs = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        subs.add(new Sub(port, "/sse?conv=idle" + (i % 100), Map.of()));
      }
      return subs;
    }

    @Override
    Proc memoryProc() {
      return procs.get(0);
    }

    @Override
    long[] memory() throws Exception {
      return javaMemory(procs.get(0));
    }
  }

  /**
   * The seed's design: two Node.js Express processes with SSE, relaying every per-user event
   * through Redis pub/sub (bench/node-peer).
   */
  static final class NodePeer extends Target {
    private final Path peerDir;
    private final String cpus;
    private final int[] ports;
    private final int redisPort;
    private final Http http;

    NodePeer(String name, Path peerDir, String cpus, int basePort, Http http) {
      super(name, "Node.js Express + SSE, 2 processes relaying through Redis pub/sub (the seed)");
      this.peerDir = peerDir;
      this.cpus = cpus;
      this.ports = new int[] {basePort, basePort + 1};
      this.redisPort = basePort + 19;
      this.http = http;
    }

    @Override
    void start(Path dir) throws Exception {
      Path home = dir.resolve(name);
      startRedis(cpus, redisPort, home);
      for (int i = 0; i < ports.length; i++) {
        Proc p =
            Proc.start(
                name + "-node" + (i + 1),
                cpus,
                List.of("node", "--expose-gc", peerDir.resolve("server.js").toAbsolutePath().toString()),
                Map.of(
                    "PORT", "" + ports[i],
                    "REDIS_URL", "redis://127.0.0.1:" + redisPort,
                    "NODE_ENV", "production"),
                home);
        procs.add(p);
        Proc.awaitPort(ports[i], 30_000, p);
      }
      for (int port : ports) {
        awaitHealthy(http, port, 30_000);
      }
    }

    @Override
    Target.Fixture fixture(int conversations, int members, int streamsPerMember, int userPool) {
      int pool = Math.max(userPool, members);
      // conversation ids of their own per layout: the peer keeps every layout set up so far
      String prefix = "l" + conversations + "x" + members + "c";
      JsonObject convs = new JsonObject();
      for (int c = 0; c < conversations; c++) {
        JsonArray m = new JsonArray();
        for (int j = 0; j < members; j++) {
          m.add("u" + member(c, j, members, pool));
        }
        convs.put(prefix + c, m);
      }
      JsonObject setup = new JsonObject().put("conversations", convs);
      for (int port : ports) {
        int s = http.json(port, HttpMethod.POST, "/bench/setup", Map.of(), setup).status();
        if (s / 100 != 2) {
          throw new IllegalStateException("node peer setup: " + s);
        }
      }
      return memberStreams(
              conversations,
              members,
              streamsPerMember,
              pool,
              ports,
              u -> new Sub(0, "/sse?user=u" + u, Map.of()),
              (conv, idx, text) ->
                  new Req(
                      ports[(int) (idx % ports.length)],
                      HttpMethod.POST,
                      "/api/conversations/" + prefix + conv + "/messages",
                      Map.of(
                          "X-User",
                          "u" + member(conv, (int) ((idx / conversations) % members), members, pool)),
                      new JsonObject().put("clientId", Load.clientId(text)).put("text", text).toBuffer()));
    }

    @Override
    List<Sub> idleSubs(int streams) {
      List<Sub> subs = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        subs.add(new Sub(ports[0], "/sse?user=idle" + (i % 100), Map.of()));
      }
      return subs;
    }

    @Override
    Proc memoryProc() {
      return procs.get(1);
    }

    /** heapUsed after gc(), external + arrayBuffers, RSS of the first Node process. */
    @Override
    long[] memory() {
      JsonObject m =
          http.json(ports[0], HttpMethod.GET, "/bench/stats", Map.of(), null).json()
              .getJsonObject("memory");
      return new long[] {
        m.getLong("heapUsed"), m.getLong("external", 0L),
        procs.get(1).rssBytes()
      };
    }
  }
}
