package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Two clustered nodes (no Redis): request limits are counted in Hazelcast, once for both. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RateLimitClusterIT extends ClusterSuite {
  // large enough that nodes lease several hits of the address's window at a time
  static final int PER_ADDRESS = 400;
  static final int PER_USER = 6;

  Node a;
  Node b;

  @Override
  void startNodes() {
    Map<String, String> limits =
        Map.of(
            "RATE_LIMIT_MAX_REQUESTS", String.valueOf(PER_ADDRESS),
            "RATE_LIMIT_USER_MAX_REQUESTS", String.valueOf(PER_USER),
            "RATE_LIMIT_WINDOW_MS", "300000");
    env("a").putAll(limits);
    a = start("a");
    env("b").putAll(limits);
    env("b").put("PARLEY_ROLES", "http");
    b = start("b");
  }

  @Test
  @Order(1)
  void aUsersLimitIsSharedAcrossNodes() {
    Api onA = new Api(http, a.httpPort());
    Api onB = onA.on(b.httpPort());
    Account u = onA.register("Roamer");
    for (int i = 0; i < PER_USER / 2; i++) {
      assertThat(onA.get("/api/users/me", u.token()).statusCode()).isEqualTo(200);
      assertThat(onB.get("/api/users/me", u.token()).statusCode()).isEqualTo(200);
    }
    var refusedOnA = onA.get("/api/users/me", u.token());
    var refusedOnB = onB.get("/api/users/me", u.token());
    assertThat(refusedOnA.statusCode()).isEqualTo(429);
    assertThat(refusedOnB.statusCode()).isEqualTo(429);
    assertThat(refusedOnB.getHeader("RateLimit-Limit")).isEqualTo(String.valueOf(PER_USER));
  }

  @Test
  @Order(2) // uses up this address's window
  void anAddresssLimitIsSharedAcrossNodes() {
    Api onA = new Api(http, a.httpPort());
    Api onB = onA.on(b.httpPort());
    // whatever other tests used of this window, alternate until refused, then check both refuse
    int served = 0;
    int status = 0;
    for (int i = 0; i < PER_ADDRESS + 2 && status != 429; i++) {
      status = (i % 2 == 0 ? onA : onB).get("/api/nowhere", null).statusCode();
      if (status != 429) {
        served++;
      }
    }
    assertThat(status).isEqualTo(429);
    assertThat(served).isLessThanOrEqualTo(PER_ADDRESS);
    // leased hits a node did not spend are all it may cost (docs/security.md): at most a lease
    assertThat(served).isGreaterThanOrEqualTo(PER_ADDRESS - 16 - 20);
    assertThat(onA.get("/api/nowhere", null).statusCode()).isEqualTo(429);
    assertThat(onB.get("/api/nowhere", null).statusCode()).isEqualTo(429);
    assertThat(onB.get("/api/nowhere", null).getHeader("RateLimit-Remaining")).isEqualTo("0");
  }
}
