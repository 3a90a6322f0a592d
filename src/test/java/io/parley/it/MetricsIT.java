package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Http;
import io.parley.testing.Prometheus;
import io.parley.testing.SseClient;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics in Prometheus format: Vert.x's meters and Parley's own, after real traffic. */
class MetricsIT {
  @TempDir Path dir;
  Node node;
  final Http http = new Http();

  @AfterEach
  void stop() {
    TestNodes.stop(node);
    http.close();
  }

  private static double value(String scrape, String series) {
    double v = Prometheus.sample(scrape, series, null);
    return Double.isNaN(v) ? -1 : v;
  }

  @Test
  void theScrapeCountsMessagesStreamsAndRefusalsAfterTraffic() {
    Map<String, String> env = TestNodes.env(dir);
    env.put("RATE_LIMIT_USER_MAX_REQUESTS", "8");
    int metricsPort = TestNodes.freePort();
    env.put("METRICS_PORT", String.valueOf(metricsPort));
    node = TestNodes.start(env, dir);
    Api api = new Api(http, node.httpPort());

    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String conv = api.conversation(ann, "direct", null, bob).getString("id");
    for (int i = 0; i < 2; i++) {
      var sent =
          api.post(
              "/api/conversations/" + conv + "/messages",
              new JsonObject().put("clientId", "m" + i).put("text", "hello " + i),
              ann.token());
      assertThat(sent.statusCode()).isEqualTo(201);
    }
    // a QR wait stream: opened, one event delivered, closed
    var c = api.post("/api/auth/qr", null, null).bodyAsJsonObject();
    try (SseClient sse = SseClient.qrEvents(http.vertx(), node.httpPort(), c, Map.of())) {
      assertThat(
              api.post(
                      "/api/auth/qr/scan",
                      new JsonObject().put("qr", c.getString("qr")),
                      bob.token())
                  .statusCode())
          .isEqualTo(200);
      assertThat(sse.awaitEvent("qr.scanned", 10_000)).isNotNull();
    }
    // bob is now over his limit of 8
    int refused = 0;
    for (int i = 0; i < 10; i++) {
      refused += api.get("/api/users/me", bob.token()).statusCode() == 429 ? 1 : 0;
    }
    assertThat(refused).isPositive();

    var res = http.get(metricsPort, "/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.getHeader("Content-Type")).startsWith("text/plain");
    String scrape = res.bodyAsString();
    assertThat(value(scrape, "parley_messages_stored_total")).isEqualTo(2.0);
    assertThat(value(scrape, "parley_sse_streams_opened_total")).isEqualTo(1.0);
    assertThat(value(scrape, "parley_events_delivered_total")).isGreaterThanOrEqualTo(1.0);
    assertThat(scrape)
        .containsPattern(
            "parley_rate_limit_rejected_total\\{scope=\"user\"\\} " + refused + "\\.0");
    assertThat(scrape).contains("parley_fanout_latency_seconds");
    // Vert.x's own: HTTP server, event bus, pools, JVM
    assertThat(scrape)
        .contains("vertx_http_server_requests_total")
        .contains("vertx_eventbus_")
        .contains("vertx_pool_")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void aManagementPortServesMetricsOffTheApiPort() {
    Map<String, String> env = TestNodes.env(dir);
    int port = TestNodes.freePort();
    env.put("METRICS_PORT", String.valueOf(port));
    node = TestNodes.start(env, dir);
    assertThat(node.metricsPort()).isEqualTo(port);
    assertThat(http.get(port, "/metrics").bodyAsString()).contains("parley_messages_stored_total");
    // the API port never serves metrics, however the path is spelt
    for (String p :
        List.of(
            "/metrics", "/metrics/", "//metrics", "/%6detrics", "/./metrics", "/x/../metrics")) {
      var res = http.get(node.httpPort(), p);
      assertThat(res.statusCode()).as(p).isEqualTo(404);
      assertThat(res.bodyAsString()).as(p).doesNotContain("parley_");
    }
  }

  @Test
  void theManagementPortListensOnLoopbackByDefault() {
    var cfg = io.parley.config.ConfigLoader.load(Map.of(), dir).config().metrics();
    assertThat(cfg.host()).isEqualTo("127.0.0.1");
    assertThat(cfg.port()).isEqualTo(9464);
  }

  @Test
  void metricsCanBeTurnedOff() {
    Map<String, String> env = TestNodes.env(dir);
    env.put("METRICS_ENABLED", "false");
    node = TestNodes.start(env, dir);
    assertThat(http.get(node.httpPort(), "/metrics").statusCode()).isEqualTo(404);
  }
}
