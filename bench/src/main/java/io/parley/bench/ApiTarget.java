package io.parley.bench;

import io.parley.bench.Http.Reply;
import io.parley.bench.Http.Req;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A target that speaks Parley's HTTP API (Parley itself, and the Mongoose peer that implements the
 * part the harness uses), so one load drives both: users registered through {@code POST
 * /api/auth/register}, each with its own token; conversations through {@code POST
 * /api/conversations}; sends {@code POST /api/conversations/{id}/messages} with the sender's
 * Bearer token, every member sending in turn; one {@code GET /sse} stream per user with its token.
 */
abstract class ApiTarget extends Target {
  final Http http;
  int[] ports;
  private final List<String[]> users = new ArrayList<>(); // {id, token}
  private final List<Map<String, String>> userHeaders = new ArrayList<>();

  ApiTarget(String name, String description, Http http) {
    super(name, description);
    this.http = http;
  }

  /** Registers users until the pool holds n (a few at a time: Parley's Argon2 costs ~20 MiB each). */
  void ensureUsers(int n) {
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
                    ports[k % ports.length],
                    HttpMethod.POST,
                    "/api/auth/register",
                    Map.of(),
                    body.toBuffer())));
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
    // pairs are direct conversations while each pair is distinct (a direct conversation between two
    // users is unique: creating it again returns the same one)
    String type = members == 2 && conversations * 2 <= pool ? "direct" : "group";
    for (int c = 0; c < conversations; c++) {
      JsonArray ids = new JsonArray();
      for (int j = 0; j < members; j++) {
        int u = member(c, j, members, pool);
        convMembers[c][j] = u;
        if (j > 0) {
          ids.add(users.get(u)[0]);
        }
      }
      JsonObject body = new JsonObject().put("type", type).put("memberIds", ids);
      if (type.equals("group")) {
        body.put("title", "bench " + c);
      }
      pending.add(
          http.call(
              new Req(
                  ports[c % ports.length],
                  HttpMethod.POST,
                  "/api/conversations",
                  userHeaders.get(convMembers[c][0]),
                  body.toBuffer())));
      if (pending.size() == 16 || c == conversations - 1) {
        int first = c - pending.size() + 1;
        for (int k = 0; k < pending.size(); k++) {
          Reply r = pending.get(k).await();
          if (r.status() != 201 && r.status() != 200) {
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
    int[] sendPorts = ports;
    Sender sender =
        (conv, idx, text) -> {
          int[] m = convMembers[conv];
          // every member in turn: the k-th message to a conversation comes from its member k mod n
          int from = m[(int) ((idx / conversations) % m.length)];
          JsonObject body =
              new JsonObject().put("clientId", Load.clientId(text)).put("text", text);
          return new Req(
              sendPorts[(int) (idx % sendPorts.length)],
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

  /** Streams for the memory measurement all go to the first server. */
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
}
