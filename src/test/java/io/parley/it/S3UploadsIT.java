package io.parley.it;

import static io.parley.testing.Api.errorCode;
import static io.parley.testing.Uploads.createBody;
import static io.parley.testing.Uploads.png;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Db;
import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import io.parley.testing.Uploads;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Attachments in S3 mode, end to end: a real S3 API server (s3proxy on loopback, in memory), the
 * client sending and fetching bytes through presigned URLs with a plain HTTP client.
 *
 * <p>To run against a real S3 (or another S3-compatible store) instead, set {@code
 * PARLEY_TEST_S3_BUCKET} (an existing bucket), {@code PARLEY_TEST_S3_REGION}, {@code
 * PARLEY_TEST_S3_ACCESS_KEY_ID}, {@code PARLEY_TEST_S3_SECRET_ACCESS_KEY} and, for a store other
 * than AWS, {@code PARLEY_TEST_S3_ENDPOINT}. Objects are written under keys only this run uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3UploadsIT {
  @TempDir static Path dir;
  S3Proxy proxy;
  S3Client s3;
  String bucket;
  Node node;
  Http http;
  Api api;
  Db db;
  Account ada;
  Account bob;
  Account eve;
  String conversationId;

  @BeforeAll
  void start() throws Exception {
    String endpoint;
    String region;
    String accessKey;
    String secretKey;
    String realBucket = System.getenv("PARLEY_TEST_S3_BUCKET");
    if (realBucket != null && !realBucket.isBlank()) {
      bucket = realBucket;
      endpoint = System.getenv().getOrDefault("PARLEY_TEST_S3_ENDPOINT", "");
      region = System.getenv().getOrDefault("PARLEY_TEST_S3_REGION", "us-east-1");
      accessKey = System.getenv().getOrDefault("PARLEY_TEST_S3_ACCESS_KEY_ID", "");
      secretKey = System.getenv().getOrDefault("PARLEY_TEST_S3_SECRET_ACCESS_KEY", "");
    } else {
      bucket = "parley-test";
      region = "us-east-1";
      accessKey = "test-access-" + UUID.randomUUID().toString().substring(0, 8);
      secretKey = UUID.randomUUID().toString();
      proxy =
          S3Proxy.builder()
              .blobStore(new TransientNio2BlobStore())
              .endpoint(URI.create("http://127.0.0.1:0"))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
              .build();
      proxy.start();
      long deadline = System.currentTimeMillis() + 20_000;
      while (!"STARTED".equals(proxy.getState()) && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      endpoint = "http://127.0.0.1:" + proxy.getPort();
    }
    var builder =
        S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .region(Region.of(region));
    if (!accessKey.isEmpty()) {
      builder.credentialsProvider(
          StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
    }
    if (!endpoint.isEmpty()) {
      builder.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
    }
    s3 = builder.build();
    if (proxy != null) {
      s3.createBucket(b -> b.bucket(bucket));
    }

    Map<String, String> env = TestNodes.env(dir);
    env.put("AWS_S3_BUCKET", bucket);
    env.put("AWS_REGION", region);
    env.put("AWS_S3_ENDPOINT", endpoint);
    if (!accessKey.isEmpty()) {
      env.put("AWS_ACCESS_KEY_ID", accessKey);
      env.put("AWS_SECRET_ACCESS_KEY", secretKey);
    }
    env.put("AWS_S3_PRESIGNED_URL_EXPIRY", "600");
    node = TestNodes.start(env, dir);
    http = new Http();
    api = new Api(http, node.httpPort());
    db = new Db(http.vertx(), node);
    ada = api.register("Ada");
    bob = api.register("Bob");
    eve = api.register("Eve");
    var conv =
        api.post(
            "/api/conversations",
            new JsonObject().put("type", "direct").put("memberIds", new JsonArray().add(bob.id())),
            ada.token());
    conversationId = conv.bodyAsJsonObject().getJsonObject("conversation").getString("id");
  }

  @AfterAll
  void stop() throws Exception {
    if (db != null) {
      db.close();
    }
    TestNodes.stop(node);
    if (http != null) {
      http.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (proxy != null) {
      proxy.stop();
    }
  }

  JsonObject create(String name, String type, long size) {
    var res = api.post("/api/uploads", createBody(conversationId, name, type, size), ada.token());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject();
  }

  static Map<String, String> headers(JsonObject ticket) {
    return Uploads.headers(ticket);
  }

  boolean exists(String key) {
    try {
      s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build());
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    }
  }

  /** Objects of an upload, checked or incoming. */
  long objectsOf(String uploadId) {
    long n = 0;
    for (String prefix : new String[] {uploadId, "incoming/" + uploadId}) {
      n +=
          s3
              .listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
              .contents()
              .stream()
              .map(S3Object::key)
              .count();
    }
    return n;
  }

  @Test
  void healthChecksTheBucket() {
    var res = http.get(node.httpPort(), "/health");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(
            res.bodyAsJsonObject()
                .getJsonObject("checks")
                .getJsonObject("uploads")
                .getString("detail"))
        .isEqualTo("bucket reachable");
  }

  @Test
  void bytesGoThroughPresignedUrlsAndMembersDownloadThroughARedirect() throws Exception {
    byte[] bytes = png(50_000);
    JsonObject t = create("photo.png", "image/png", bytes.length);
    String id = t.getString("uploadId");
    assertThat(t.getString("method")).isEqualTo("PUT");
    assertThat(t.getString("url")).doesNotContain("/api/uploads").contains("X-Amz-Signature");
    assertThat(headers(t)).containsEntry("Content-Type", "image/png");

    var put = Uploads.plainPut(t.getString("url"), headers(t), bytes);
    assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    var done = api.post("/api/uploads/" + id + "/complete", null, ada.token());
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    assertThat(done.bodyAsJsonObject().getJsonObject("upload").getString("status"))
        .isEqualTo("ready");
    JsonObject record = db.findOne("uploads", new JsonObject().put("_id", id));
    assertThat(record.getString("storage")).isEqualTo("s3");
    assertThat(exists(record.getString("storageKey"))).isTrue();
    // the upload URL's key is emptied: a later PUT cannot change the checked bytes
    assertThat(exists("incoming/" + record.getString("incomingKey"))).isFalse();
    assertThat(objectsOf(id)).isEqualTo(1);

    // sent in a message: then members (not only the uploader) may read it
    var msg = api.sendAttachments(ada, conversationId, "s3-" + id, id);
    assertThat(msg.statusCode()).isEqualTo(201);
    assertThat(
            msg.bodyAsJsonObject()
                .getJsonObject("message")
                .getJsonArray("attachments")
                .getJsonObject(0)
                .getString("uploadId"))
        .isEqualTo(id);
    var redirect =
        http.client()
            .get(node.httpPort(), "127.0.0.1", "/api/uploads/" + id)
            .putHeader("Authorization", "Bearer " + bob.token())
            .followRedirects(false)
            .send()
            .await(30, TimeUnit.SECONDS);
    assertThat(redirect.statusCode()).isEqualTo(302);
    String location = redirect.getHeader("Location");
    assertThat(location).contains("X-Amz-Signature").contains("response-content-disposition");
    var got = Uploads.plainGet(location);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(bytes);
    assertThat(got.headers().firstValue("Content-Disposition").orElse(""))
        .startsWith("attachment; filename=\"photo.png\"");

    // not a member: no redirect, no hint
    var stranger = api.get("/api/uploads/" + id, eve.token());
    assertThat(stranger.statusCode()).isEqualTo(404);
    assertThat(errorCode(stranger)).isEqualTo("upload_not_found");
  }

  @Test
  void thePresignedPutIsBoundToTheDeclaredTypeAndLength() {
    byte[] bytes = png(1000);
    JsonObject t = create("p.png", "image/png", bytes.length);
    Map<String, String> otherType = headers(t);
    otherType.put("Content-Type", "text/html");
    assertThat(Uploads.plainPut(t.getString("url"), otherType, bytes).statusCode()).isEqualTo(403);
    assertThat(Uploads.plainPut(t.getString("url"), headers(t), png(5000)).statusCode())
        .isEqualTo(403);
    assertThat(objectsOf(t.getString("uploadId"))).isZero();
    var res = api.post("/api/uploads/" + t.getString("uploadId") + "/complete", null, ada.token());
    assertThat(res.statusCode()).isEqualTo(409);
    assertThat(errorCode(res)).isEqualTo("content_missing");
  }

  @Test
  void aTypeLieIsRemovedFromTheBucketAndTheDatabase() {
    byte[] html = "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8);
    JsonObject t = create("x.png", "image/png", html.length);
    String id = t.getString("uploadId");
    assertThat(Uploads.plainPut(t.getString("url"), headers(t), html).statusCode()).isEqualTo(200);
    assertThat(objectsOf(id)).isEqualTo(1);
    var res = api.post("/api/uploads/" + id + "/complete", null, ada.token());
    assertThat(res.statusCode()).isEqualTo(415);
    assertThat(errorCode(res)).isEqualTo("type_mismatch");
    assertThat(objectsOf(id)).isZero();
    assertThat(db.findOne("uploads", new JsonObject().put("_id", id))).isNull();
  }

  @Test
  void localUploadRoutesAreNotServedInS3Mode() {
    JsonObject t = create("p.png", "image/png", 10);
    var res =
        api.raw(
            HttpMethod.PUT,
            "/api/uploads/" + t.getString("uploadId") + "/content",
            io.vertx.core.buffer.Buffer.buffer(png(10)),
            Map.of("Content-Type", "image/png", "X-Upload-Token", "x"));
    assertThat(res.statusCode()).isEqualTo(404);
    assertThatThrownBy(() -> s3.headObject(b -> b.bucket(bucket).key("nothing")))
        .isInstanceOf(NoSuchKeyException.class);
  }
}
