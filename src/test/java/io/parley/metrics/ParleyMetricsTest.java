package io.parley.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ParleyMetricsTest {
  @Test
  void eachMethodShowsUpInThePrometheusScrape() {
    ParleyMetrics m = ParleyMetrics.prometheus();
    m.sseStreamOpened();
    m.sseStreamOpened();
    m.sseStreamClosed();
    m.eventsDelivered(5);
    m.fanOutLatency(Duration.ofMillis(12));
    m.messageStored();
    m.rateLimitRejected("user");
    m.rateLimitRejected("user");
    m.rateLimitRejected("address");
    String scrape = m.prometheusRegistry().scrape();
    assertThat(scrape)
        .contains("parley_sse_streams_opened_total 2.0")
        .contains("parley_sse_streams_open 1.0")
        .contains("parley_events_delivered_total 5.0")
        .contains("parley_fanout_latency_seconds_count 1")
        .contains("parley_messages_stored_total 1.0")
        .contains("parley_rate_limit_rejected_total{scope=\"user\"} 2.0")
        .contains("parley_rate_limit_rejected_total{scope=\"address\"} 1.0");
  }

  @Test
  void codeHoldingOnlyItsVertxFindsItsNodesMeters() {
    Vertx vertx = Vertx.vertx();
    try {
      ParleyMetrics m = ParleyMetrics.prometheus();
      assertThat(ParleyMetrics.of(vertx)).isNotSameAs(m);
      m.attachTo(vertx);
      ParleyMetrics.of(vertx).messageStored();
      assertThat(m.prometheusRegistry().scrape()).contains("parley_messages_stored_total 1.0");
    } finally {
      vertx.close();
    }
  }

  @Test
  void disabledMetricsCountWithoutExposing() {
    ParleyMetrics m = ParleyMetrics.disabled();
    m.messageStored();
    m.sseStreamClosed();
    assertThat(m.prometheusRegistry()).isNull();
  }
}
