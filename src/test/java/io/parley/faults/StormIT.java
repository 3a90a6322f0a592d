package io.parley.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.faults.Clients.Stream;
import io.parley.faults.Clients.Target;
import io.parley.faults.Clients.User;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every stream dropped at once (hundreds reconnect with Last-Event-ID together) while a flood of
 * wrong-password sign-ins arrives from one address and messages keep flowing. Every client must
 * resume without gaps; nothing may answer 5xx except 503 with Retry-After; the sign-in limits must
 * refuse the flood before hashing (at most the failed-login limit of 401s); other routes answer.
 */
@org.junit.jupiter.api.Timeout(value = 12, unit = java.util.concurrent.TimeUnit.MINUTES)
class StormIT {
  static final String FLOOD_ADDRESS = "127.0.0.9";

  @TempDir Path dir;

  @Test
  void reconnectStormWithLoginFlood() {
    int usersCount = FaultRig.LONG ? 100 : 30;
    int devices = 10;
    try (FaultRig rig = new FaultRig(dir)) {
      String uri = rig.database();
      Map<String, String> env = NodeProcess.baseEnv(dir.resolve("a"), uri);
      env.put("SSE_MAX_STREAMS_PER_USER", String.valueOf(devices * 2));
      env.put("RATE_LIMIT_AUTH_MAX_REQUESTS", "200");
      NodeProcess node = rig.node("a", env).up();
      Target t = FaultRig.target(node);

      Crowd crowd = Crowd.gather(rig, t, usersCount, devices, "s", "u", s -> s.retryMs = 1000);
      List<User> users = crowd.users();
      List<String> convs = crowd.convs();
      Map<String, List<User>> members = crowd.members();
      List<Stream> streams = crowd.streams();
      rig.clients.load(convs.size(), 10, convs, members, i -> () -> List.of(t), 30_000, null);
      FaultRig.await("every stream has the warm-up", 60, () -> rig.missing(rig.stored()).isEmpty());

      // the flood: wrong passwords for one account, from one address, as fast as it can go
      WebClient flooder =
          WebClient.wrap(
              rig.clients.vertx.createHttpClient(
                  new HttpClientOptions().setLocalAddress(FLOOD_ADDRESS),
                  new PoolOptions().setHttp1MaxSize(32)));
      ConcurrentLinkedQueue<Integer> flood = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Integer> probes = new ConcurrentLinkedQueue<>();
      List<Future<?>> floodDone = new ArrayList<>();
      int floodSize = FaultRig.LONG ? 2000 : 400;
      for (int i = 0; i < floodSize; i++) {
        floodDone.add(
            flooder
                .post(t.port(), "127.0.0.1", "/api/auth/login")
                .timeout(Clients.REQUEST_TIMEOUT_MS)
                .sendJsonObject(
                    new JsonObject()
                        .put("phone", users.get(0).phone())
                        .put("password", "wrong " + i))
                .onComplete(ar -> flood.add(ar.succeeded() ? status(ar.result()) : -1)));
      }
      // other routes keep answering while it all happens
      Thread prober =
          new Thread(
              () -> {
                for (int i = 0; i < 40; i++) {
                  HttpResponse<Buffer> r =
                      Clients.await(
                          rig.clients
                              .request(
                                  HttpMethod.GET,
                                  t,
                                  "/api/conversations",
                                  null,
                                  users.get(1).token())
                              .recover(err -> Future.succeededFuture(null)));
                  probes.add(r == null ? -1 : status(r));
                  JarProcess.sleep(100);
                }
              });
      prober.start();
      streams.forEach(Stream::drop);
      rig.clients.load(300, 30, convs, members, i -> () -> List.of(t), 60_000, null);
      PartitionIT.join(prober);
      Clients.await(Future.join(floodDone).map(x -> null));
      flooder.close();

      Map<Integer, Integer> floodStatuses = count(flood);
      Map<Integer, Integer> probeStatuses = count(probes);
      Map<Integer, Integer> streamStatuses = new TreeMap<>();
      streams.forEach(s -> s.statuses.forEach(st -> streamStatuses.merge(st, 1, Integer::sum)));
      rig.history.note("streams " + streams.size() + " reconnect answers " + streamStatuses);
      rig.history.note("login flood " + floodStatuses);
      rig.history.note("other route " + probeStatuses);
      rig.history.note("sends " + rig.history.statuses());
      History.Result r = rig.finish("reconnect storm + login flood", 10);

      // the flood was refused before hashing: no more wrong passwords evaluated than the limit
      int evaluated = floodStatuses.getOrDefault(401, 0);
      List<String> limits = new ArrayList<>();
      if (evaluated > 10) {
        limits.add(
            KnownDefects.LOGIN_RACE
                + evaluated
                + " of "
                + floodSize
                + " wrong passwords for one account were evaluated (401), limit 10");
      }
      assertThat(KnownDefects.unexpected(r.summary(), limits)).isEmpty();
      // 503 here always carries Retry-After (status() reports 5030 otherwise)
      assertThat(floodStatuses.keySet())
          .as("login flood answers")
          .isSubsetOf(Set.of(401, 429, 503));
      assertThat(probeStatuses.keySet()).as("GET /api/conversations answers").containsOnly(200);
      for (History.Attempt a : rig.history.attempts) {
        if (a.status() >= 500 || a.status() < 0) {
          assertThat(a.status() == 503 && a.retryAfter() != null).as(a.toString()).isTrue();
        }
      }
      assertThat(streamStatuses.keySet().stream().filter(s -> s >= 500 && s != 503).toList())
          .as("stream answers")
          .isEmpty();
      rig.assertClean(r);
      assertThat(node.troubleInLog()).isEmpty();
    }
  }

  private static int status(HttpResponse<Buffer> r) {
    int s = r.statusCode();
    if (s == 429 && r.getHeader("Retry-After") == null) {
      return 4290; // a 429 without Retry-After: reported as such
    }
    if (s == 503 && r.getHeader("Retry-After") == null) {
      return 5030;
    }
    return s;
  }

  private static Map<Integer, Integer> count(ConcurrentLinkedQueue<Integer> q) {
    Map<Integer, Integer> m = new TreeMap<>();
    q.forEach(s -> m.merge(s, 1, Integer::sum));
    return m;
  }
}
