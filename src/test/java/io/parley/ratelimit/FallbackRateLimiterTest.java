package io.parley.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.metrics.ParleyMetrics;
import io.parley.ratelimit.RateLimiter.Decision;
import io.parley.ratelimit.RateLimiter.Limit;
import io.vertx.core.Future;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FallbackRateLimiterTest {
  private static final Limit ONE_PER_HOUR = new Limit("test", 1, Duration.ofHours(1));

  private final SwitchableStore shared = new SwitchableStore();
  private final LocalRateLimiter local = new LocalRateLimiter();
  private final ParleyMetrics metrics = ParleyMetrics.prometheus();
  private final FallbackRateLimiter limiter =
      new FallbackRateLimiter("shared", shared, local, metrics);

  @Test
  void healthyStoreAnswersAndLocalCountersStayUntouched() {
    consume();

    assertThat(limiter.degraded()).isFalse();
    assertThat(shared.hits).isEqualTo(1);
    assertThat(local.consume(ONE_PER_HOUR, "k").await().allowed()).isTrue();
  }

  @Test
  void failedStoreIsAnsweredByLocalCounters() {
    shared.failing = true;

    assertThat(consume().allowed()).isTrue();
    assertThat(consume().allowed()).isFalse();
    assertThat(limiter.degraded()).isTrue();
  }

  @Test
  void storeThatThrowsInsteadOfFailingIsAnsweredLocally() {
    shared.throwing = true;

    assertThat(consume().allowed()).isTrue();
    assertThat(limiter.degraded()).isTrue();
  }

  @Test
  void eachCheckAnsweredLocallyIsCounted() {
    shared.failing = true;
    consume();
    consume();

    assertThat(metrics.prometheusRegistry().scrape())
        .contains("parley_rate_limit_fallbacks_total{store=\"shared\"} 2.0");
  }

  @Test
  void recoveredStoreAnswersAgain() {
    shared.failing = true;
    consume();
    shared.failing = false;

    consume();

    assertThat(limiter.degraded()).isFalse();
    assertThat(shared.hits).isEqualTo(1);
  }

  @Test
  void resetAlsoForgetsHitsCountedLocallyDuringAnOutage() {
    shared.failing = true;
    consume();
    shared.failing = false;

    limiter.reset(ONE_PER_HOUR, "k").await();

    shared.failing = true;
    assertThat(consume().allowed()).isTrue();
  }

  @Test
  void refundDuringAnOutageGivesBackTheLocalHit() {
    shared.failing = true;
    consume();

    limiter.refund(ONE_PER_HOUR, "k").await();

    assertThat(consume().allowed()).isTrue();
  }

  private Decision consume() {
    return limiter.consume(ONE_PER_HOUR, "k").await();
  }

  /** A shared store that counts its hits, and fails or throws when told to. */
  private static final class SwitchableStore implements RateLimiter {
    boolean failing;
    boolean throwing;
    int hits;

    @Override
    public Future<Decision> consume(Limit limit, String key) {
      return answer(null).map(v -> new Decision(true, limit.max(), limit.max() - ++hits, 1));
    }

    @Override
    public Future<Void> reset(Limit limit, String key) {
      return answer(null);
    }

    @Override
    public Future<Void> refund(Limit limit, String key) {
      return answer(null);
    }

    private <T> Future<T> answer(T value) {
      if (throwing) {
        throw new IllegalStateException("store client closed");
      }
      return failing
          ? Future.failedFuture(new IllegalStateException("store unreachable"))
          : Future.succeededFuture(value);
    }
  }
}
