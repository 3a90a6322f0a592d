package io.parley.it;

import static io.parley.testing.Api.errorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Http;
import io.parley.testing.RedisServer;
import io.parley.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Brute-force protection: failed sign-ins limited per phone and per client address. */
class LoginLimitIT {
  @TempDir Path dir;
  Node node;
  Http http;
  Api api;

  RedisServer redis;

  @BeforeEach
  void start() {
    http = new Http();
  }

  private void startNode(Map<String, String> extra) {
    Map<String, String> env = TestNodes.env(dir);
    env.putAll(extra);
    node = TestNodes.start(env, dir);
    api = new Api(http, node.httpPort());
  }

  @AfterEach
  void stop() {
    TestNodes.stop(node);
    http.close();
    if (redis != null) {
      redis.close();
    }
  }

  /** {@code n} wrong passwords for one phone, all at once; the status codes that came back. */
  private List<Integer> burst(String phone, int n) {
    List<Future<Integer>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(
          http.client()
              .post(node.httpPort(), "127.0.0.1", "/api/auth/login")
              .sendJsonObject(new JsonObject().put("phone", phone).put("password", "guess " + i))
              .map(r -> r.statusCode()));
    }
    try {
      Future.all(all).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return all.stream().map(Future::result).toList();
  }

  private void parallelGuessesAreCountedBeforeAnyIsChecked() {
    Account a = api.register("Burst target");
    List<Integer> codes = burst(a.phone(), 40);
    // the limit is 10: ten guesses are checked, thirty refused before hashing
    assertThat(codes.stream().filter(c -> c == 401).count()).isEqualTo(10);
    assertThat(codes.stream().filter(c -> c == 429).count()).isEqualTo(30);
    assertThat(login(a.phone(), a.password())).isEqualTo(429);
  }

  @Test
  void parallelWrongPasswordsCannotOutrunTheLimit() {
    startNode(Map.of());
    parallelGuessesAreCountedBeforeAnyIsChecked();
  }

  @Test
  void parallelWrongPasswordsCannotOutrunTheLimitKeptInRedis() {
    assumeTrue(RedisServer.available(), "redis-server is not installed");
    redis = RedisServer.start(dir.resolve("redis"));
    startNode(Map.of("RATE_LIMIT_STORE", "redis", "REDIS_URL", redis.url()));
    parallelGuessesAreCountedBeforeAnyIsChecked();
    // and every check was answered by Redis, none by the node's own counters
    assertThat(node.context().metrics().registry().find("parley.rate.limit.fallbacks").counters())
        .allSatisfy(c -> assertThat(c.count()).isZero());
  }

  private int login(String phone, String password) {
    return api.post(
            "/api/auth/login", new JsonObject().put("phone", phone).put("password", password), null)
        .statusCode();
  }

  @Test
  void tenFailuresLockThePhoneEvenForTheRightPassword() {
    startNode(Map.of());
    Account a = api.register("Mallory's target");
    for (int i = 0; i < 10; i++) {
      assertThat(login(a.phone(), "guess " + i)).isEqualTo(401);
    }
    var locked =
        api.post(
            "/api/auth/login",
            new JsonObject().put("phone", a.phone()).put("password", a.password()),
            null);
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(errorCode(locked)).isEqualTo("too_many_attempts");
    long retryAfter = Long.parseLong(locked.getHeader("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 15 * 60L);
    // the account itself still works for its signed-in devices
    assertThat(api.get("/api/users/me", a.token()).statusCode()).isEqualTo(200);
  }

  @Test
  void failuresFromOneAddressAcrossManyPhonesAreLimited() {
    startNode(Map.of());
    for (int i = 0; i < 10; i++) {
      assertThat(login(Api.newPhone(), "guess")).isEqualTo(401);
    }
    assertThat(login(Api.newPhone(), "guess")).isEqualTo(429);
  }

  @Test
  void aSuccessfulSignInClearsThePhonesFailures() {
    startNode(Map.of());
    Account a = api.register("Forgetful");
    for (int i = 0; i < 5; i++) {
      assertThat(login(a.phone(), "typo " + i)).isEqualTo(401);
    }
    assertThat(login(a.phone(), a.password())).isEqualTo(200);
    for (int i = 0; i < 4; i++) {
      assertThat(login(a.phone(), "typo again " + i)).isEqualTo(401);
    }
    assertThat(login(a.phone(), a.password())).isEqualTo(200);
  }
}
