package io.parley.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/** Request/reply to the services over the (clustered) event bus with the configured timeout. */
public final class BusClient {
  private final Vertx vertx;
  private final DeliveryOptions options;

  public BusClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  public Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, options).map(m -> m.body());
  }

  public Future<JsonObject> request(String address, JsonObject body, long timeoutMs) {
    return vertx
        .eventBus()
        .<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(m -> m.body());
  }
}
