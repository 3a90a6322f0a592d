package io.parley.http.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class StreamLimitsTest {
  @Test
  void userMayOpenUpToTheirLimitAndNoMore(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 2, 100);

    assertThat(open(limits, "u1@10.0.0.1", "u1@10.0.0.2", "u1@10.0.0.3"))
        .containsExactly(true, true, false);
  }

  @Test
  void addressMayHoldUpToItsLimitAndNoMore(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 100, 2);

    assertThat(open(limits, "u1@10.0.0.1", "u2@10.0.0.1", "u3@10.0.0.1"))
        .containsExactly(true, true, false);
  }

  @Test
  void usersAndAddressesAreCountedSeparately(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 1, 1);

    assertThat(open(limits, "u1@10.0.0.1", "u2@10.0.0.2")).containsExactly(true, true);
  }

  @Test
  void releasedStreamFreesItsSlot(Vertx vertx) {
    StreamLimits limits = oneEachWithU1Open(vertx);

    limits.release("u1", "10.0.0.1");

    assertThat(open(limits, "u1@10.0.0.1")).containsExactly(true);
  }

  @Test
  void refusalByAddressGivesBackTheUsersSlot(Vertx vertx) {
    StreamLimits limits = oneEachWithU1Open(vertx);

    assertThat(open(limits, "u2@10.0.0.1", "u2@10.0.0.2")).containsExactly(false, true);
  }

  @Test
  void releasingMoreThanWasAcquiredDoesNotRaiseTheLimit(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 1, 1);
    limits.release("u1", "10.0.0.1");
    limits.release("u1", "10.0.0.1");

    assertThat(open(limits, "u1@10.0.0.1", "u1@10.0.0.1")).containsExactly(true, false);
  }

  @Test
  void limitsOnTheSameNodeShareTheirCounts(Vertx vertx) {
    StreamLimits one = new StreamLimits(vertx, 1, 10);
    StreamLimits other = new StreamLimits(vertx, 1, 10);
    one.acquire("u1", "10.0.0.1");

    assertThat(open(other, "u1@10.0.0.2")).containsExactly(false);
  }

  /** One stream per user and per address, with u1's stream from 10.0.0.1 open. */
  private static StreamLimits oneEachWithU1Open(Vertx vertx) {
    StreamLimits limits = new StreamLimits(vertx, 1, 1);
    assertThat(limits.acquire("u1", "10.0.0.1")).isTrue();
    return limits;
  }

  /** Tries to open a stream for each {@code user@address}, in order; whether each was allowed. */
  private static List<Boolean> open(StreamLimits limits, String... streams) {
    List<Boolean> allowed = new ArrayList<>();
    for (String s : streams) {
      int at = s.indexOf('@');
      allowed.add(limits.acquire(s.substring(0, at), s.substring(at + 1)));
    }
    return allowed;
  }
}
