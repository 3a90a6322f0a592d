package io.parley.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.ratelimit.RateLimiter.Decision;
import io.parley.ratelimit.RateLimiter.Limit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {
  /** A minute boundary: windows of a minute or less start here. */
  private static final long START = Instant.parse("2026-12-03T12:00:00Z").toEpochMilli();

  private static final Limit THREE_PER_MINUTE = new Limit("test", 3, Duration.ofMinutes(1));

  private final SettableClock clock = new SettableClock(START);
  private final LocalRateLimiter limiter = new LocalRateLimiter(clock);

  @Test
  void hitsWithinTheLimitAreAllowedAndCountDownRemaining() {
    assertThat(consume("k")).isEqualTo(new Decision(true, 3, 2, 60));
    assertThat(consume("k")).isEqualTo(new Decision(true, 3, 1, 60));
    assertThat(consume("k")).isEqualTo(new Decision(true, 3, 0, 60));
  }

  @Test
  void hitBeyondTheLimitIsRefusedWithNothingRemaining() {
    hit("k", 3);

    Decision d = consume("k");

    assertThat(d.allowed()).isFalse();
    assertThat(d.limit()).isEqualTo(3);
    assertThat(d.remaining()).isZero();
  }

  @Test
  void requireSucceedsWithinTheLimitThenFailsWith429AndWhenToRetry() {
    hit("k", 2);
    clock.at(START + 45_500);

    assertThat(limiter.require(THREE_PER_MINUTE, "k", "Too many").succeeded()).isTrue();
    Throwable refused = limiter.require(THREE_PER_MINUTE, "k", "Too many").cause();

    assertThat(refused)
        .isInstanceOf(io.parley.bus.ApiException.class)
        .hasMessage("rate_limited: Too many");
    io.parley.bus.ApiError err = ((io.parley.bus.ApiException) refused).error();
    assertThat(err.status()).isEqualTo(429);
    assertThat(err.code()).isEqualTo("rate_limited");
    assertThat(err.details().getLong("retryAfterSeconds")).isEqualTo(15L);
  }

  @Test
  void resetSecondsCountDownToTheEndOfTheWindowRoundedUp() {
    clock.at(START + 45_500);

    assertThat(consume("k").resetSeconds()).isEqualTo(15);
  }

  @Test
  void resetSecondsAreAtLeastOneAtTheLastMillisecondOfAWindow() {
    clock.at(START + 59_999);

    Decision d = consume("k");

    assertThat(d.resetSeconds()).isEqualTo(1);
    assertThat(d.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void nextWindowStartsCountingAfresh() {
    hit("k", 4);
    clock.at(START + 60_000);

    assertThat(consume("k")).isEqualTo(new Decision(true, 3, 2, 60));
  }

  @Test
  void windowsAreAlignedToTheClockNotToTheFirstHit() {
    clock.at(START + 50_000);
    hit("k", 3);
    clock.at(START + 60_000);

    assertThat(consume("k").allowed()).isTrue();
  }

  @Test
  void keysAreCountedSeparately() {
    hit("k", 3);

    assertThat(consume("other").remaining()).isEqualTo(2);
  }

  @Test
  void limitsWithTheSameKeyAreCountedSeparately() {
    hit("k", 3);

    Decision d = limiter.consume(new Limit("another", 3, Duration.ofMinutes(1)), "k").await();

    assertThat(d.remaining()).isEqualTo(2);
  }

  @Test
  void resetForgetsTheKeysCount() {
    hit("k", 4);

    limiter.reset(THREE_PER_MINUTE, "k").await();

    assertThat(consume("k").remaining()).isEqualTo(2);
  }

  @Test
  void resetLeavesOtherKeysAlone() {
    hit("k", 3);
    hit("other", 3);

    limiter.reset(THREE_PER_MINUTE, "k").await();

    assertThat(consume("other").allowed()).isFalse();
  }

  @Test
  void refundGivesBackOneHit() {
    hit("k", 3);

    limiter.refund(THREE_PER_MINUTE, "k").await();

    assertThat(consume("k")).isEqualTo(new Decision(true, 3, 0, 60));
  }

  @Test
  void refundNeverTakesTheCountBelowZero() {
    limiter.refund(THREE_PER_MINUTE, "k").await();
    limiter.refund(THREE_PER_MINUTE, "k").await();

    hit("k", 3);

    assertThat(consume("k").allowed()).isFalse();
  }

  @Test
  void refundFromAnEarlierWindowDoesNotCarryIntoTheNext() {
    hit("k", 3);
    clock.at(START + 60_000);

    limiter.refund(THREE_PER_MINUTE, "k").await();
    hit("k", 3);

    assertThat(consume("k").allowed()).isFalse();
  }

  @Test
  void pruningManyShortWindowsKeepsTheLiveCountOfALongerOne() {
    Limit onePerHour = new Limit("hourly", 1, Duration.ofHours(1));
    Limit shortWindow = new Limit("short", 5, Duration.ofSeconds(10));
    clock.at(START + 30 * 60_000);
    assertThat(limiter.consume(onePerHour, "victim").await().allowed()).isTrue();
    for (int i = 0; i <= LocalRateLimiter.PRUNE_ABOVE; i++) {
      limiter.consume(shortWindow, "k" + i).await();
    }

    assertThat(limiter.consume(onePerHour, "victim").await().allowed()).isFalse();
  }

  @Test
  void pruningDropsWindowsThatHaveEnded() {
    Limit shortWindow = new Limit("short", 1, Duration.ofSeconds(10));
    for (int i = 0; i <= LocalRateLimiter.PRUNE_ABOVE; i++) {
      limiter.consume(shortWindow, "k" + i).await();
    }
    clock.at(START + 10_000);
    limiter.consume(shortWindow, "trigger").await();

    // k0's window ended and was dropped: a fresh window, not a count carried over
    assertThat(limiter.consume(shortWindow, "k0").await()).isEqualTo(new Decision(true, 1, 0, 10));
    assertThat(limiter.size()).isLessThan(10);
  }

  private Decision consume(String key) {
    return limiter.consume(THREE_PER_MINUTE, key).await();
  }

  private void hit(String key, int times) {
    for (int i = 0; i < times; i++) {
      consume(key);
    }
  }

  /** A clock the test moves. */
  private static final class SettableClock extends Clock {
    private long millis;

    SettableClock(long millis) {
      this.millis = millis;
    }

    void at(long millis) {
      this.millis = millis;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
