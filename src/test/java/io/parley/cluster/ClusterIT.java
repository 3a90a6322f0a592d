package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.bus.Addresses;
import io.parley.bus.HealthReport;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.SseClient;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes on 127.0.0.1: A runs only {@code http}; B runs every role on the embedded
 * database. Requests to A are served by B's verticles over the clustered event bus.
 */
class ClusterIT extends ClusterSuite {
  Node edge;
  Node services;

  @Override
  void startNodes() {
    env("b").put("PARLEY_ROLES", "http,auth,persistence,uploads");
    services = start("b");
    env("a").put("PARLEY_ROLES", "http");
    edge = start("a");
  }

  @Test
  void accountsWorkThroughTheHttpOnlyNode() {
    Api edgeApi = new Api(http, edge.httpPort());
    Account a = edgeApi.register("Edge user");
    assertThat(edgeApi.get("/api/users/me", a.token()).statusCode()).isEqualTo(200);
    Account again = edgeApi.on(services.httpPort()).login(a, "Other node");
    assertThat(again.id()).isEqualTo(a.id());
  }

  @Test
  void aRevokedSessionIsRefusedOnTheOtherNodeAtOnce() {
    Api onA = new Api(http, edge.httpPort());
    Api onB = onA.on(services.httpPort());
    Account a = onA.register("Revoked");
    Account laptop = onA.login(a, "Laptop");
    // both nodes have now seen (and cached) the laptop's session as active
    assertThat(onA.get("/api/users/me", laptop.token()).statusCode()).isEqualTo(200);
    assertThat(onB.get("/api/users/me", laptop.token()).statusCode()).isEqualTo(200);

    assertThat(onB.delete("/api/sessions/" + laptop.sessionId(), a.token()).statusCode())
        .isEqualTo(204);
    long revokedAt = System.nanoTime();
    int status = 200;
    while (status == 200 && System.nanoTime() - revokedAt < TimeUnit.SECONDS.toNanos(5)) {
      status = onA.get("/api/users/me", laptop.token()).statusCode();
    }
    // A caches active sessions for 60 s: a 401 within this 5 s loop can only come from the
    // revocation broadcast (it typically arrives within milliseconds)
    assertThat(status).isEqualTo(401);
    assertThat(onA.get("/api/users/me", a.token()).statusCode()).isEqualTo(200);
  }

  @Test
  void bothNodesSeeEachOther() {
    assertThat(edge.context().clusterMembers().getAsInt()).isEqualTo(2);
    assertThat(services.context().clusterMembers().getAsInt()).isEqualTo(2);
    assertThat(edge.embeddedDatabasePort()).isEqualTo(-1);
  }

  @Test
  void aBusRequestFromOneNodeIsServedByAVerticleOnTheOther() throws Exception {
    JsonObject reply =
        edge.vertx()
            .eventBus()
            .<JsonObject>request(Addresses.PERSISTENCE_HEALTH, new JsonObject())
            .await(10, TimeUnit.SECONDS)
            .body();
    HealthReport report = HealthReport.fromJson(reply);
    assertThat(report.up()).isTrue();
    assertThat(report.node()).isEqualTo(services.context().nodeId());
  }

  @Test
  void anHttpOnlyNodeServesHealthWithTheDatabaseCheckDoneOnTheOtherNode() {
    var res = http.get(edge.httpPort(), "/health");
    assertThat(res.statusCode()).isEqualTo(200);
    JsonObject checks = res.bodyAsJsonObject().getJsonObject("checks");
    assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("up");
    assertThat(checks.getJsonObject("database").getString("node"))
        .isEqualTo(services.context().nodeId());
    assertThat(checks.getJsonObject("uploads").getString("node"))
        .isEqualTo(services.context().nodeId());
    assertThat(checks.getJsonObject("cluster").getInteger("members")).isEqualTo(2);
    assertThat(checks.getJsonObject("cluster").getString("mode")).isEqualTo("clustered");
  }

  @Test
  void chatThroughTheHttpOnlyNodeIsStoredAndStreamedByTheOtherNodesVerticles() {
    Api onEdge = new Api(http, edge.httpPort());
    Account ann = onEdge.register("Ann");
    Account bob = onEdge.register("Bob");
    String conv = onEdge.conversation(ann, "direct", null, bob).getString("id");
    try (SseClient bobs =
        SseClient.connect(
            http.vertx(),
            edge.httpPort(),
            "/sse",
            Map.of("Authorization", "Bearer " + bob.token()))) {
      assertThat(bobs.status()).isEqualTo(200);
      // the persistence verticle (node B) publishes; the edge's hub delivers. Its subscription
      // may take a moment to spread after the join, so keep sending until one arrives.
      SseClient.Event got = null;
      long deadline = System.currentTimeMillis() + 30_000;
      for (int i = 0; got == null && System.currentTimeMillis() < deadline; i++) {
        JsonObject m = onEdge.send(ann, conv, "edge " + i);
        assertThat(m.getLong("seq")).isEqualTo(i + 1);
        got = bobs.await(e -> e.event().equals("message.created"), 1000);
      }
      assertThat(got).isNotNull();
    }
    var history = onEdge.get("/api/conversations/" + conv + "/messages", bob.token());
    assertThat(history.statusCode()).isEqualTo(200);
    assertThat(history.bodyAsJsonObject().getJsonArray("messages")).isNotEmpty();
  }
}
