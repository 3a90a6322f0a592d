package io.parley;

import io.parley.bus.BusClient;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.parley.ratelimit.RateLimiter;
import io.parley.relay.RedisRelay;
import io.vertx.core.Vertx;
import java.util.function.IntSupplier;

/**
 * What the bootstrap hands every verticle it deploys.
 *
 * @param config the validated configuration
 * @param nodeId this node's id (the cluster member id when clustered)
 * @param mongoUri the MongoDB connection string to use (the embedded one when none is configured)
 * @param clustered whether this node is a cluster member
 * @param clusterMembers members of the cluster as this node sees them (1 when standalone)
 * @param rateLimiter the node's rate-limit counters (shared across the cluster when clustered)
 * @param metrics the node's own meters (counted but not exposed when metrics are off)
 * @param relay the node's Redis relay, or null when none is configured
 */
public record NodeContext(
    ParleyConfig config,
    String nodeId,
    String mongoUri,
    boolean clustered,
    IntSupplier clusterMembers,
    RateLimiter rateLimiter,
    ParleyMetrics metrics,
    RedisRelay relay) {

  /** A bus client for a verticle of this node: its own roles served locally, the rest anywhere. */
  public BusClient busClient(Vertx vertx) {
    return new BusClient(vertx, config.http().busTimeoutMs(), config.node().roles());
  }
}
