package io.parley.bus;

import io.vertx.core.json.JsonObject;

/**
 * Reply of the {@code *.health} addresses.
 *
 * @param up whether the dependency answered
 * @param node id of the node that served the check
 * @param detail what was checked, or why it failed (never a credential)
 */
public record HealthReport(boolean up, String node, String detail) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("status", up ? "up" : "down")
        .put("node", node)
        .put("detail", detail);
  }

  public static HealthReport fromJson(JsonObject j) {
    return new HealthReport(
        "up".equals(j.getString("status")), j.getString("node"), j.getString("detail"));
  }
}
