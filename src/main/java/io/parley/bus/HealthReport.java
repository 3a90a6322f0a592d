package io.parley.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.LoggerFactory;

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

  /**
   * The reply for a check of {@code what} (e.g. {@code "database"}): up with what the check
   * answered, or down as "{@code what} unreachable". Why it failed goes to the log, never into the
   * public answer.
   */
  public static Future<JsonObject> of(Future<String> check, String node, String what) {
    return check
        .map(detail -> new HealthReport(true, node, detail).toJson())
        .otherwise(
            err -> {
              LoggerFactory.getLogger(HealthReport.class)
                  .warn("{} health check failed: {}", what, err.getMessage());
              return new HealthReport(false, node, what + " unreachable").toJson();
            });
  }

  public static HealthReport fromJson(JsonObject j) {
    return new HealthReport(
        "up".equals(j.getString("status")), j.getString("node"), j.getString("detail"));
  }
}
