package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Http;
import io.parley.testing.RedisServer;
import io.parley.testing.Requirements;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request limits on one node: per address, per user, on auth routes, and in a real Redis. */
class RateLimitIT {
  @TempDir Path dir;
  Node node;
  Node other;
  RedisServer redis;
  final Http http = new Http();

  @AfterEach
  void stop() {
    TestNodes.stop(node, other);
    if (redis != null) {
      redis.close();
    }
    http.close();
  }

  private Api start(Map<String, String> overrides) {
    return start(dir.resolve("n1"), overrides, true);
  }

  private Api start(Path d, Map<String, String> overrides, boolean first) {
    Map<String, String> env = TestNodes.env(d);
    env.putAll(overrides);
    Node n = TestNodes.start(env, d);
    if (first) {
      node = n;
    } else {
      other = n;
    }
    return new Api(http, n.httpPort());
  }

  private static void assertLimitHeaders(HttpResponse<Buffer> res, long limit, long remaining) {
    assertThat(res.getHeader("RateLimit-Limit")).isEqualTo(String.valueOf(limit));
    assertThat(res.getHeader("RateLimit-Remaining")).isEqualTo(String.valueOf(remaining));
    assertThat(Long.parseLong(res.getHeader("RateLimit-Reset"))).isBetween(1L, 60L);
  }

  private static void assertRefused(HttpResponse<Buffer> res, String scope) {
    assertRefused(res, scope, 60);
  }

  private static void assertRefused(HttpResponse<Buffer> res, String scope, long windowSeconds) {
    assertThat(res.statusCode()).isEqualTo(429);
    assertThat(Api.errorCode(res)).isEqualTo("rate_limited");
    assertThat(res.bodyAsJsonObject().getJsonObject("error").getString("scope")).isEqualTo(scope);
    assertThat(Long.parseLong(res.getHeader("Retry-After"))).isBetween(1L, windowSeconds);
    assertThat(res.getHeader("RateLimit-Remaining")).isEqualTo("0");
  }

  @Test
  void anAddressOverItsLimitGets429WithRetryAfterAndRateLimitHeaders() {
    Api api = start(Map.of("RATE_LIMIT_MAX_REQUESTS", "5", "RATE_LIMIT_WINDOW_MS", "60000"));
    for (int i = 1; i <= 5; i++) {
      var res = api.get("/api/users/me", null);
      assertThat(res.statusCode()).isEqualTo(401);
      assertLimitHeaders(res, 5, 5 - i);
    }
    assertRefused(api.get("/api/users/me", null), "address");
    // liveness and health stay reachable for probes
    assertThat(api.get("/health/live", null).statusCode()).isEqualTo(200);
  }

  @Test
  void aUserOverTheirLimitIsRefusedWhileOthersGoOn() {
    Api api = start(Map.of("RATE_LIMIT_USER_MAX_REQUESTS", "3"));
    Account busy = api.register("Busy");
    Account calm = api.register("Calm");
    for (int i = 0; i < 3; i++) {
      assertThat(api.get("/api/users/me", busy.token()).statusCode()).isEqualTo(200);
    }
    var refused = api.get("/api/users/me", busy.token());
    assertRefused(refused, "user");
    assertThat(api.get("/api/users/me", calm.token()).statusCode()).isEqualTo(200);
  }

  @Test
  void authRoutesHaveTheirOwnStricterLimit() {
    Api api =
        start(
            Map.of(
                "RATE_LIMIT_AUTH_MAX_REQUESTS", "2",
                "RATE_LIMIT_AUTH_WINDOW_MS", "900000"));
    JsonObject wrong = new JsonObject().put("phone", Api.newPhone()).put("password", "nope-nope");
    assertThat(api.post("/api/auth/login", wrong, null).statusCode()).isEqualTo(401);
    assertThat(api.post("/api/auth/login", wrong, null).statusCode()).isEqualTo(401);
    var refused = api.post("/api/auth/login", wrong, null);
    assertRefused(refused, "auth", 900);
    assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo("2");
    // reads are not auth writes
    assertThat(api.get("/api/auth/qr/000000000000000000000000", null).statusCode())
        .isNotEqualTo(429);
  }

  @Test
  void countersInRedisAreSharedByNodesThatAreNotClustered() {
    Requirements.redis();
    redis = RedisServer.start(dir.resolve("redis"));
    Map<String, String> env =
        Map.of(
            "REDIS_URL", redis.url(),
            "RATE_LIMIT_MAX_REQUESTS", "6",
            "RATE_LIMIT_WINDOW_MS", "60000");
    Api a = start(dir.resolve("a"), env, true);
    Api b = start(dir.resolve("b"), env, false);
    for (int i = 0; i < 3; i++) {
      assertThat(a.get("/api/users/me", null).statusCode()).isEqualTo(401);
      assertThat(b.get("/api/users/me", null).statusCode()).isEqualTo(401);
    }
    // six requests were spread over two standalone nodes: the seventh is refused on either
    assertRefused(a.get("/api/users/me", null), "address");
    assertRefused(b.get("/api/users/me", null), "address");
  }

  @Test
  void whenRedisFailsTheNodeFallsBackToItsOwnCounters() {
    Requirements.redis();
    redis = RedisServer.start(dir.resolve("redis"));
    Api api =
        start(
            Map.of(
                "REDIS_URL", redis.url(),
                "RATE_LIMIT_MAX_REQUESTS", "4",
                "RATE_LIMIT_WINDOW_MS", "60000"));
    assertThat(api.get("/api/users/me", null).statusCode()).isEqualTo(401);
    redis.close();
    redis = null;
    // still served (not 500), and still limited: by this node's counters now
    int served = 0;
    HttpResponse<Buffer> last = null;
    for (int i = 0; i < 10; i++) {
      last = api.get("/api/users/me", null);
      if (last.statusCode() == 401) {
        served++;
      } else {
        break;
      }
    }
    assertThat(served).isBetween(1, 4);
    assertRefused(last, "address");
  }
}
