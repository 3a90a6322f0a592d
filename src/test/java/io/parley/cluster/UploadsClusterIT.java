package io.parley.cluster;

import static io.parley.testing.Uploads.createBody;
import static io.parley.testing.Uploads.png;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import io.parley.testing.Uploads;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local-mode uploads when the HTTP verticle and the uploads verticle run on different nodes that
 * share the upload folder (the documented requirement of local mode): A runs only {@code http}, B
 * every role.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadsClusterIT {
  @TempDir static Path dir;
  Node edge;
  Node services;
  Http http;

  @BeforeAll
  void startCluster() {
    http = new Http();
    var env = TestNodes.cluster(dir, "a", "b");
    String shared = dir.resolve("shared-uploads").toString();
    env.get("b").put("UPLOAD_DIR", shared);
    services = TestNodes.start(env.get("b"), dir.resolve("b"));
    env.get("a").put("PARLEY_ROLES", "http");
    env.get("a").put("UPLOAD_DIR", shared);
    edge = TestNodes.start(env.get("a"), dir.resolve("a"));
  }

  @AfterAll
  void stopCluster() {
    TestNodes.stop(edge, services);
    http.close();
  }

  @Test
  void anUploadThroughTheHttpOnlyNodeIsStoredCheckedAndServed() {
    Api onA = new Api(http, edge.httpPort());
    Account ada = onA.register("Ada");
    Account bob = onA.register("Bob");
    String conv =
        onA.post(
                "/api/conversations",
                new JsonObject()
                    .put("type", "direct")
                    .put("memberIds", new JsonArray().add(bob.id())),
                ada.token())
            .bodyAsJsonObject()
            .getJsonObject("conversation")
            .getString("id");
    byte[] bytes = png(30_000);
    var created =
        onA.post("/api/uploads", createBody(conv, "a.png", "image/png", bytes.length), ada.token());
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject t = created.bodyAsJsonObject();
    assertThat(t.getString("url")).startsWith("http://127.0.0.1:" + edge.httpPort() + "/");
    Map<String, String> h = new HashMap<>();
    t.getJsonObject("headers").forEach(e -> h.put(e.getKey(), String.valueOf(e.getValue())));
    var put =
        Uploads.send(
            http, HttpMethod.PUT, t.getString("url"), h, false, List.of(Buffer.buffer(bytes)));
    assertThat(put.status()).isEqualTo(204);
    String id = t.getString("uploadId");
    assertThat(onA.post("/api/uploads/" + id + "/complete", null, ada.token()).statusCode())
        .isEqualTo(200);
    var msg =
        onA.post(
            "/api/conversations/" + conv + "/messages",
            new JsonObject().put("clientId", "c1").put("attachmentIds", new JsonArray().add(id)),
            ada.token());
    assertThat(msg.statusCode()).isEqualTo(201);
    // sent: the other member reads it through either node
    assertThat(onA.get("/api/uploads/" + id, bob.token()).body().getBytes()).isEqualTo(bytes);
    assertThat(onA.on(services.httpPort()).get("/api/uploads/" + id, bob.token()).body().getBytes())
        .isEqualTo(bytes);
    assertThat(
            msg.bodyAsJsonObject()
                .getJsonObject("message")
                .getJsonArray("attachments")
                .getJsonObject(0)
                .getString("filename"))
        .isEqualTo("a.png");
  }
}
