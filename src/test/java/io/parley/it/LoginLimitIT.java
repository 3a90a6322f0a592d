package io.parley.it;

import static io.parley.testing.Api.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
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

  @BeforeEach
  void start() {
    node = TestNodes.start(TestNodes.env(dir), dir);
    http = new Http();
    api = new Api(http, node.httpPort());
  }

  @AfterEach
  void stop() {
    TestNodes.stop(node);
    http.close();
  }

  private int login(String phone, String password) {
    return api.post(
            "/api/auth/login", new JsonObject().put("phone", phone).put("password", password), null)
        .statusCode();
  }

  @Test
  void tenFailuresLockThePhoneEvenForTheRightPassword() {
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
    for (int i = 0; i < 10; i++) {
      assertThat(login(Api.newPhone(), "guess")).isEqualTo(401);
    }
    assertThat(login(Api.newPhone(), "guess")).isEqualTo(429);
  }

  @Test
  void aSuccessfulSignInClearsThePhonesFailures() {
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
