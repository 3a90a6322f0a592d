package io.parley.cluster;

import static io.parley.testing.Uploads.createBody;
import static io.parley.testing.Uploads.png;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Uploads;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * Local-mode uploads when the HTTP verticle and the uploads verticle run on different nodes that
 * share the upload folder (the documented requirement of local mode): A runs only {@code http}, B
 * every role.
 */
class UploadsClusterIT extends ClusterSuite {
  Node edge;
  Node services;

  @Override
  void startNodes() {
    String shared = dir.resolve("shared-uploads").toString();
    env("b").put("UPLOAD_DIR", shared);
    services = start("b");
    env("a").put("PARLEY_ROLES", "http");
    env("a").put("UPLOAD_DIR", shared);
    edge = start("a");
  }

  @Test
  void anUploadThroughTheHttpOnlyNodeIsStoredCheckedAndServed() {
    Api onA = new Api(http, edge.httpPort());
    Account ada = onA.register("Ada");
    Account bob = onA.register("Bob");
    String conv = onA.conversation(ada, "direct", null, bob).getString("id");
    byte[] bytes = png(30_000);
    var created =
        onA.post("/api/uploads", createBody(conv, "a.png", "image/png", bytes.length), ada.token());
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject t = created.bodyAsJsonObject();
    assertThat(t.getString("url")).startsWith("http://127.0.0.1:" + edge.httpPort() + "/");
    assertThat(Uploads.put(http, t, bytes).status()).isEqualTo(204);
    String id = t.getString("uploadId");
    assertThat(onA.post("/api/uploads/" + id + "/complete", null, ada.token()).statusCode())
        .isEqualTo(200);
    var msg = onA.sendAttachments(ada, conv, "c1", id);
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
