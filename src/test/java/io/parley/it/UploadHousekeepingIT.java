package io.parley.it;

import static io.parley.testing.Api.errorCode;
import static io.parley.testing.Uploads.createBody;
import static io.parley.testing.Uploads.png;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api.Account;
import io.parley.testing.SingleNodeSuite;
import io.parley.testing.TestNodes;
import io.parley.testing.Uploads;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Abandoned uploads are removed (record and bytes); each user may start only so many uploads. */
class UploadHousekeepingIT extends SingleNodeSuite {
  static final int LIMIT = 6;

  Account ada;
  Account bob;
  String conversationId;

  @Override
  protected Map<String, String> nodeEnv(Path dir) throws IOException {
    Path conf = dir.resolve("parley-test.yaml");
    Files.writeString(
        conf,
        "uploads:\n"
            + "  cleanupInterval: 200ms\n"
            + "  pendingMaxAge: 1h\n"
            + "  unsentMaxAge: 1h\n"
            + "  createLimitPerHour: "
            + LIMIT
            + "\n");
    Map<String, String> env = TestNodes.env(dir);
    env.put("PARLEY_CONF", conf.toString());
    return env;
  }

  @BeforeAll
  void adaAndBobsConversation() {
    ada = api.register("Ada");
    bob = api.register("Bob");
    conversationId = api.conversation(ada, "direct", null, bob).getString("id");
  }

  JsonObject create(Account who, byte[] bytes) {
    var res =
        api.post(
            "/api/uploads",
            createBody(conversationId, "a.png", "image/png", bytes.length),
            who.token());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    JsonObject t = res.bodyAsJsonObject();
    assertThat(Uploads.put(http, t, bytes).status()).isEqualTo(204);
    return t;
  }

  void age(String id) {
    JsonObject past = new JsonObject().put("$date", Instant.now().minusSeconds(7200).toString());
    db.update(
        "uploads",
        new JsonObject().put("_id", id),
        new JsonObject()
            .put("$set", new JsonObject().put("createdAt", past).put("expiresAt", past)));
  }

  List<String> filesOf(String id) {
    return Uploads.files(uploadDir).stream().filter(n -> n.startsWith(id)).toList();
  }

  /** Whether the upload's record and its files are gone. */
  boolean removed(String id) {
    return db.findOne("uploads", new JsonObject().put("_id", id)) == null && filesOf(id).isEmpty();
  }

  /** Whether the upload's record says it was sent in a message. */
  boolean markedSent(String id) {
    return db.findOne("uploads", new JsonObject().put("_id", id)).getValue("sentAt") != null;
  }

  static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }

  @Test
  void abandonedPendingUploadsAreRemovedWithTheirBytesAndReadyOnesStay() throws Exception {
    byte[] bytes = png(200);
    String abandoned = create(bob, bytes).getString("uploadId");
    String fresh = create(bob, bytes).getString("uploadId");
    String done = create(bob, bytes).getString("uploadId");
    assertThat(api.post("/api/uploads/" + done + "/complete", null, bob.token()).statusCode())
        .isEqualTo(200);
    assertThat(api.sendAttachments(bob, conversationId, "done-" + done, done).statusCode())
        .isEqualTo(201);
    assertThat(filesOf(abandoned)).hasSize(1);
    age(abandoned);
    age(done);

    assertThat(eventually(() -> removed(abandoned))).isTrue();
    // younger than the age, or complete and sent: kept
    assertThat(db.findOne("uploads", new JsonObject().put("_id", fresh))).isNotNull();
    assertThat(filesOf(fresh)).hasSize(1);
    assertThat(db.findOne("uploads", new JsonObject().put("_id", done)).getString("status"))
        .isEqualTo("ready");
    assertThat(api.get("/api/uploads/" + done, bob.token()).body().getBytes()).isEqualTo(bytes);
  }

  /** One user must not fill the storage with completed files that nobody is ever sent. */
  @Test
  void completedUploadsNoMessageCarriesAreRemovedAfterTheirAge() throws Exception {
    byte[] bytes = png(300);
    String unsent = create(bob, bytes).getString("uploadId");
    String sent = create(bob, bytes).getString("uploadId");
    String lostNotice = create(bob, bytes).getString("uploadId");
    for (String id : List.of(unsent, sent, lostNotice)) {
      assertThat(api.post("/api/uploads/" + id + "/complete", null, bob.token()).statusCode())
          .isEqualTo(200);
    }
    for (String id : List.of(sent, lostNotice)) {
      var msg = api.sendAttachments(bob, conversationId, "h-" + id, id);
      assertThat(msg.statusCode()).isEqualTo(201);
    }
    assertThat(eventually(() -> markedSent(lostNotice))).isTrue();
    // as if the "sent" notice had been lost on the bus
    db.update(
        "uploads",
        new JsonObject().put("_id", lostNotice),
        new JsonObject().put("$set", new JsonObject().putNull("sentAt")));
    for (String id : List.of(unsent, sent, lostNotice)) {
      age(id);
    }
    assertThat(eventually(() -> removed(unsent))).isTrue();
    // what messages carry stays (the lost notice is found again by asking)
    assertThat(eventually(() -> markedSent(lostNotice))).isTrue();
    for (String id : List.of(sent, lostNotice)) {
      assertThat(api.get("/api/uploads/" + id, ada.token()).body().getBytes()).isEqualTo(bytes);
    }
  }

  @Test
  void partialFilesLeftByACrashAreSweptAway() throws Exception {
    Path incoming = uploadDir.resolve("incoming");
    Path old =
        incoming.resolve(
            "0123456789abcdef01234567-0123456789abcdef0123456789abcdef.incoming.00.tmp");
    Path recent =
        incoming.resolve(
            "0123456789abcdef01234567-0123456789abcdef0123456789abcdef.incoming.01.tmp");
    Files.write(old, new byte[10]);
    Files.write(recent, new byte[10]);
    Files.setLastModifiedTime(
        old, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(7200)));
    assertThat(eventually(() -> !Files.exists(old))).isTrue();
    assertThat(recent).exists();
    Files.delete(recent);
  }

  @Test
  void startingTooManyUploadsIsRateLimited() {
    for (int i = 0; i < LIMIT; i++) {
      var ok =
          api.post(
              "/api/uploads", createBody(conversationId, "a.png", "image/png", 10), ada.token());
      assertThat(ok.statusCode()).isEqualTo(201);
    }
    var refused =
        api.post("/api/uploads", createBody(conversationId, "a.png", "image/png", 10), ada.token());
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(errorCode(refused)).isEqualTo("rate_limited");
    assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isPositive();
    assertThat(db.count("uploads", new JsonObject().put("owner", ada.id()))).isEqualTo(LIMIT);
  }
}
