package io.parley.bus;

import io.parley.config.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Request/reply to the services over the (clustered) event bus: the one way every verticle asks
 * another, with the configured timeout ({@code http.busTimeoutMs}).
 *
 * <p>A request goes to this node's own verticle when the node runs the role that serves the address
 * ({@link Addresses#servedBy}), and to the cluster otherwise. Vert.x would round-robin a clustered
 * request across every node that registered the address, so that on two nodes half of all token
 * checks and sends would cross the wire for nothing. Should the local verticle be gone (it is being
 * undeployed), the request goes to the cluster after all.
 *
 * <p>Every failure comes back as an {@link ApiException} carrying the coded error a client sees
 * (the service's own code, 503 {@code service_unavailable} when no node serves the address, 504
 * {@code timeout}), so a service can pass a failure it got from another one straight on.
 */
public final class BusClient {
  private final Vertx vertx;
  private final long timeoutMs;
  private final Set<Role> localRoles;
  private final DeliveryOptions local;
  private final DeliveryOptions cluster;

  public BusClient(Vertx vertx, long timeoutMs, Set<Role> localRoles) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.localRoles = Set.copyOf(localRoles);
    this.local = new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(true);
    this.cluster = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  public Future<JsonObject> request(String address, JsonObject body) {
    return request(address, body, timeoutMs);
  }

  public Future<JsonObject> request(String address, JsonObject body, long timeoutMs) {
    boolean preferLocal = localRoles.contains(Addresses.servedBy(address));
    DeliveryOptions first =
        timeoutMs == this.timeoutMs
            ? (preferLocal ? local : cluster)
            : new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(preferLocal);
    Future<JsonObject> reply =
        vertx.eventBus().<JsonObject>request(address, body, first).map(m -> m.body());
    if (preferLocal) {
      reply =
          reply.recover(
              err ->
                  err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
                      ? vertx
                          .eventBus()
                          .<JsonObject>request(
                              address, body, new DeliveryOptions().setSendTimeout(timeoutMs))
                          .map(m -> m.body())
                      : Future.failedFuture(err));
    }
    return reply.recover(
        err ->
            Future.failedFuture(
                err instanceof ApiException ? err : new ApiException(ApiError.from(err))));
  }

  /** The timeout requests wait for a reply. */
  public long timeoutMs() {
    return timeoutMs;
  }
}
