package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole standalone node on the embedded database, over real HTTP. */
class NodeIT {
  @TempDir Path dir;
  Http http;
  Node node;

  @BeforeEach
  void setUp() {
    http = new Http();
  }

  @AfterEach
  void tearDown() {
    TestNodes.stop(node);
    http.close();
  }

  @Test
  void healthReportsEveryCheckUp() {
    node = TestNodes.start(TestNodes.env(dir), dir);
    var res = http.get(node.httpPort(), "/health");
    assertThat(res.statusCode()).isEqualTo(200);
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getString("status")).isEqualTo("up");
    JsonObject checks = body.getJsonObject("checks");
    assertThat(checks.fieldNames()).contains("database", "auth", "uploads", "cluster");
    assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("up");
    assertThat(checks.getJsonObject("uploads").getString("status")).isEqualTo("up");
    assertThat(checks.getJsonObject("cluster").getString("mode")).isEqualTo("standalone");
    assertThat(http.get(node.httpPort(), "/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownRoutesGetAJsonError() {
    node = TestNodes.start(TestNodes.env(dir), dir);
    var res = http.get(node.httpPort(), "/api/nothing-here");
    assertThat(res.statusCode()).isEqualTo(404);
    assertThat(res.bodyAsJsonObject().getJsonObject("error").getString("code"))
        .isEqualTo("not_found");
  }

  @Test
  void embeddedDatabaseKeepsDataAndIndexesAcrossARestart() throws Exception {
    Map<String, String> env = TestNodes.env(dir);
    node = TestNodes.start(env, dir);
    int port = node.embeddedDatabasePort();
    org.junit.jupiter.api.Assumptions.assumeTrue(port > 0, "runs against the embedded database");
    MongoClient mongo = mongo(port);
    String id =
        mongo
            .insert("users", new JsonObject().put("phone", "+14155550100").put("name", "Ada"))
            .await(10, TimeUnit.SECONDS);
    var indexes = mongo.listIndexes("users").await(10, TimeUnit.SECONDS);
    assertThat(indexes.encode()).contains("phone");
    mongo.close().await(10, TimeUnit.SECONDS);
    TestNodes.stop(node);

    node = TestNodes.start(env, dir);
    assertThat(http.get(node.httpPort(), "/health").statusCode()).isEqualTo(200);
    MongoClient again = mongo(node.embeddedDatabasePort());
    JsonObject found =
        again.findOne("users", new JsonObject().put("_id", id), null).await(10, TimeUnit.SECONDS);
    assertThat(found).isNotNull();
    assertThat(found.getString("name")).isEqualTo("Ada");
    // the unique phone index survived too
    var dup =
        again.insert("users", new JsonObject().put("phone", "+14155550100").put("name", "Eve"));
    Throwable failure =
        dup.transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
            .await(10, TimeUnit.SECONDS);
    assertThat(io.parley.mongo.MongoSupport.isDuplicateKey(failure)).isTrue();
    again.close().await(10, TimeUnit.SECONDS);
  }

  private MongoClient mongo(int port) {
    return MongoClient.create(
        http.vertx(),
        new JsonObject()
            .put("connection_string", "mongodb://127.0.0.1:" + port)
            .put("db_name", "parley"));
  }
}
