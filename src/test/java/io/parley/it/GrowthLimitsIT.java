package io.parley.it;

import static io.parley.testing.Api.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api.Account;
import io.parley.testing.SingleNodeSuite;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What one user can make grow is bounded: a message's edit history, their signed-in sessions, the
 * conversations they put into other people's lists.
 */
class GrowthLimitsIT extends SingleNodeSuite {
  static final int SESSIONS = 3;
  static final int CONVERSATIONS = 4;

  @Override
  protected Map<String, String> nodeEnv(Path dir) {
    TestNodes.operatorFile(dir, "auth:\n  maxSessionsPerUser: " + SESSIONS + "\n");
    Map<String, String> env = TestNodes.env(dir);
    env.put("RATE_LIMIT_CONVERSATIONS_PER_HOUR", String.valueOf(CONVERSATIONS));
    return env;
  }

  @Test
  void aMessageKeepsItsLastTwentyEarlierTextsHoweverOftenItIsEdited() {
    Account a = api.register("Editor");
    Account b = api.register("Reader");
    String conv = api.conversation(a, "direct", null, b).getString("id");
    String id = api.send(a, conv, "v0").getString("id");
    for (int i = 1; i <= 30; i++) {
      var res =
          api.patch(
              "/api/messages/" + id,
              new JsonObject().put("text", "v" + i + " " + "x".repeat(3000)),
              a.token());
      assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    }
    JsonObject stored = db.findOne("messages", new JsonObject().put("_id", id));
    JsonArray edits = stored.getJsonArray("edits");
    assertThat(edits).hasSize(20);
    assertThat(edits.getJsonObject(19).getString("text")).startsWith("v29 ");
    assertThat(stored.getLong("editCount")).isEqualTo(30L);
    // a page of history never carries the edit history
    var page = api.get("/api/conversations/" + conv + "/messages", b.token());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).doesNotContain("\"edits\"").doesNotContain("v29 ");
    assertThat(page.bodyAsJsonObject().getJsonArray("messages").getJsonObject(0).getString("text"))
        .startsWith("v30 ");
  }

  @Test
  void signingInBeyondTheSessionCapSignsOutTheLeastRecentlyUsedDevice() {
    Account first = api.register("Many devices");
    Account second = api.login(first, "Second");
    Account third = api.login(first, "Third");
    // the first device stays in use, the second does not
    assertThat(api.get("/api/users/me", first.token()).statusCode()).isEqualTo(200);
    db.update(
        "sessions",
        new JsonObject().put("_id", second.sessionId()),
        new JsonObject()
            .put(
                "$set",
                new JsonObject()
                    .put(
                        "lastSeenAt",
                        new JsonObject()
                            .put("$date", java.time.Instant.now().minusSeconds(3600).toString()))));
    Account fourth = api.login(first, "Fourth");
    var gone = api.get("/api/users/me", second.token());
    assertThat(gone.statusCode()).isEqualTo(401);
    assertThat(errorCode(gone)).isEqualTo("session_revoked");
    for (Account kept : new Account[] {first, third, fourth}) {
      assertThat(api.get("/api/users/me", kept.token()).statusCode()).isEqualTo(200);
    }
    assertThat(api.get("/api/sessions", fourth.token()).bodyAsJsonObject().getJsonArray("sessions"))
        .hasSize(SESSIONS);
  }

  @Test
  void oneUserCreatesOnlySoManyConversationsAnHour() {
    Account spammer = api.register("Spammer");
    Account target = api.register("Target");
    long before = db.count("conversations", new JsonObject().put("members", target.id()));
    for (int i = 0; i < CONVERSATIONS; i++) {
      var ok =
          api.post(
              "/api/conversations",
              new JsonObject()
                  .put("type", "group")
                  .put("title", "spam " + i)
                  .put("memberIds", new JsonArray().add(target.id())),
              spammer.token());
      assertThat(ok.statusCode()).isEqualTo(201);
    }
    var refused =
        api.post(
            "/api/conversations",
            new JsonObject()
                .put("type", "group")
                .put("title", "one more")
                .put("memberIds", new JsonArray().add(target.id())),
            spammer.token());
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(errorCode(refused)).isEqualTo("rate_limited");
    assertThat(refused.getHeader("Retry-After")).isNotBlank();
    assertThat(db.count("conversations", new JsonObject().put("members", target.id())))
        .isEqualTo(before + CONVERSATIONS);
    // an existing direct conversation is found, not created: it does not count
    for (int i = 0; i < 3; i++) {
      assertThat(
              api.post(
                      "/api/conversations",
                      new JsonObject()
                          .put("type", "direct")
                          .put("memberIds", new JsonArray().add(spammer.id())),
                      target.token())
                  .statusCode())
          .isIn(200, 201);
    }
  }
}
