package io.parley.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parley's own meters, beside the HTTP, event-bus, pool and JVM meters that
 * vertx-micrometer-metrics records in the same registry. One instance per node; every method is
 * cheap and thread-safe.
 *
 * <p>Prometheus names: {@code parley_sse_streams_opened_total}, {@code parley_sse_streams_open},
 * {@code parley_events_delivered_total}, {@code parley_fanout_latency_seconds}, {@code
 * parley_messages_stored_total}, {@code parley_rate_limit_rejected_total{scope}}.
 */
public final class ParleyMetrics implements Shareable {
  private static final String LOCAL_MAP = "parley.metrics";
  private static final String KEY = "node";
  private static final ParleyMetrics DETACHED = disabled();

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;
  private final Counter streamsOpened;
  private final AtomicLong streamsOpen = new AtomicLong();
  private final Counter eventsDelivered;
  private final Timer fanOutLatency;
  private final Counter messagesStored;

  private ParleyMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
    this.registry = registry;
    this.prometheus = prometheus;
    this.streamsOpened =
        Counter.builder("parley.sse.streams.opened")
            .description("Server-Sent Events streams opened on this node")
            .register(registry);
    registry.gauge("parley.sse.streams.open", streamsOpen);
    this.eventsDelivered =
        Counter.builder("parley.events.delivered")
            .description("Events written to SSE streams on this node")
            .register(registry);
    this.fanOutLatency =
        Timer.builder("parley.fanout.latency")
            .description("Time from an event's commit to its delivery on this node's streams")
            .publishPercentileHistogram()
            .register(registry);
    this.messagesStored =
        Counter.builder("parley.messages.stored")
            .description("Messages committed to the database by this node")
            .register(registry);
  }

  /**
   * Makes these meters the ones {@link #of} finds for {@code vertx}, so that code holding only its
   * Vert.x instance reaches its node's meters.
   */
  public void attachTo(Vertx vertx) {
    vertx.sharedData().<String, ParleyMetrics>getLocalMap(LOCAL_MAP).put(KEY, this);
  }

  /** The meters of the node that owns {@code vertx}, or uncounted ones when none were attached. */
  public static ParleyMetrics of(Vertx vertx) {
    ParleyMetrics m =
        vertx == null
            ? null
            : vertx.sharedData().<String, ParleyMetrics>getLocalMap(LOCAL_MAP).get(KEY);
    return m != null ? m : DETACHED;
  }

  /** Meters in a Prometheus registry, scraped by {@code GET /metrics}. */
  public static ParleyMetrics prometheus() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    return new ParleyMetrics(registry, registry);
  }

  /** Meters that are counted but not exposed (metrics turned off, or unit tests). */
  public static ParleyMetrics disabled() {
    return new ParleyMetrics(new SimpleMeterRegistry(), null);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus registry, or null when metrics are not exposed. */
  public PrometheusMeterRegistry prometheusRegistry() {
    return prometheus;
  }

  public void sseStreamOpened() {
    streamsOpened.increment();
    streamsOpen.incrementAndGet();
  }

  public void sseStreamClosed() {
    streamsOpen.updateAndGet(n -> Math.max(0, n - 1));
  }

  public void eventsDelivered(long n) {
    if (n > 0) {
      eventsDelivered.increment(n);
    }
  }

  public void fanOutLatency(Duration latency) {
    fanOutLatency.record(latency.isNegative() ? Duration.ZERO : latency);
  }

  public void messageStored() {
    messagesStored.increment();
  }

  /**
   * {@code n} stored events a hub found missing from its feed and wrote to its streams from
   * MongoDB; {@code kind}: gap (seen in the feed), check (the periodic check), feed (after a feed
   * gap), stream (one stream behind).
   */
  public void streamRepaired(String kind, int n) {
    if (n > 0) {
      Counter.builder("parley.sse.repaired.events")
          .description("Stored events a hub found missing from its feed and wrote from MongoDB")
          .tag("kind", kind)
          .register(registry)
          .increment(n);
    }
  }

  /** A repair that could not be made: {@code streams} were ended so that their clients resume. */
  public void streamRepairFailed(String kind, int streams) {
    Counter.builder("parley.sse.repair.failures")
        .description("Streams ended because what their feed lacked could not be fetched")
        .tag("kind", kind)
        .register(registry)
        .increment(Math.max(1, streams));
  }

  /** The Redis relay's subscription came back after it was lost. */
  public void relayReconnected() {
    Counter.builder("parley.relay.reconnects")
        .description("Times the Redis relay subscription was re-established after a loss")
        .register(registry)
        .increment();
  }

  /** An event (or revocation) this node could not publish to the Redis relay. */
  public void relayPublishFailed() {
    Counter.builder("parley.relay.publish.failures")
        .description("Events this node could not publish to the Redis relay (Redis unreachable)")
        .register(registry)
        .increment();
  }

  /** A rate-limit check the shared {@code store} could not answer, answered by this node. */
  public void rateLimitFallback(String store) {
    Counter.builder("parley.rate.limit.fallbacks")
        .description(
            "Rate-limit checks answered with this node's counters because the shared store failed")
        .tag("store", store)
        .register(registry)
        .increment();
  }

  /** A request refused by a rate limit; {@code scope} is address, user or auth. */
  public void rateLimitRejected(String scope) {
    Counter.builder("parley.rate.limit.rejected")
        .description("Requests refused with 429 by a rate limit")
        .tag("scope", scope)
        .register(registry)
        .increment();
  }
}
