package io.parley.http.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class StreamLimitsTest {
  @Test
  void userMayOpenUpToTheirLimitAndNoMore(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 2, 100);

    assertThat(limits.acquire("u1", "10.0.0.1")).isTrue();
    assertThat(limits.acquire("u1", "10.0.0.2")).isTrue();
    assertThat(limits.acquire("u1", "10.0.0.3")).isFalse();
  }

  @Test
  void addressMayHoldUpToItsLimitAndNoMore(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 100, 2);

    assertThat(limits.acquire("u1", "10.0.0.1")).isTrue();
    assertThat(limits.acquire("u2", "10.0.0.1")).isTrue();
    assertThat(limits.acquire("u3", "10.0.0.1")).isFalse();
  }

  @Test
  void usersAndAddressesAreCountedSeparately(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 1, 1);

    assertThat(limits.acquire("u1", "10.0.0.1")).isTrue();
    assertThat(limits.acquire("u2", "10.0.0.2")).isTrue();
  }

  @Test
  void releasedStreamFreesItsSlot(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 1, 1);
    limits.acquire("u1", "10.0.0.1");

    limits.release("u1", "10.0.0.1");

    assertThat(limits.acquire("u1", "10.0.0.1")).isTrue();
  }

  @Test
  void refusalByAddressGivesBackTheUsersSlot(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 1, 1);
    limits.acquire("u1", "10.0.0.1");

    assertThat(limits.acquire("u2", "10.0.0.1")).isFalse();

    assertThat(limits.acquire("u2", "10.0.0.2")).isTrue();
  }

  @Test
  void releasingMoreThanWasAcquiredDoesNotRaiseTheLimit(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 1, 1);
    limits.release("u1", "10.0.0.1");
    limits.release("u1", "10.0.0.1");

    assertThat(limits.acquire("u1", "10.0.0.1")).isTrue();
    assertThat(limits.acquire("u1", "10.0.0.1")).isFalse();
  }

  @Test
  void limitsOnTheSameNodeShareTheirCounts(Vertx vertx) {
    StreamLimits one = new StreamLimits(vertx, 1, 10);
    StreamLimits other = new StreamLimits(vertx, 1, 10);

    assertThat(one.acquire("u1", "10.0.0.1")).isTrue();
    assertThat(other.acquire("u1", "10.0.0.2")).isFalse();
  }
}
