package io.parley.hostile;

import static io.parley.hostile.BodyCases.Kind.NULLABLE_STRING;
import static io.parley.hostile.BodyCases.Kind.STRING;
import static io.parley.hostile.BodyCases.Kind.STRING_ARRAY;
import static io.parley.hostile.HostileNode.eachCase;
import static io.parley.hostile.HostileNode.ids;
import static io.parley.hostile.HostileNode.named;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.hostile.BodyCases.Route;
import io.parley.hostile.HostileNode.Reply;
import io.parley.testing.Api.Account;
import io.parley.testing.Uploads;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile requests against messages: sending with bad text, client ids and attachments (someone
 * else's, unfinished, from another conversation), history queries with operators, and editing or
 * deleting messages one did not send. Nothing is stored, not even a send claim or a sequence
 * number.
 */
class MessagesHostileIT extends HostileSuite {
  /** Alice's ready upload in her conversation with Bob. */
  String aliceUpload;

  /** Mallory's upload in her conversation with Carol, never completed. */
  String malloryPending;

  /** Mallory's ready upload in another conversation of hers. */
  String malloryElsewhere;

  @BeforeAll
  void uploads() {
    aliceUpload = n.readyUpload(n.alice, n.aliceBob, "alice.png", Uploads.png(200));
    malloryPending =
        n.startUpload(n.mallory, n.malloryCarol, "pending.png", "image/png", 200)
            .getString("uploadId");
    String elsewhere = n.group(n.mallory, n.carol);
    malloryElsewhere = n.readyUpload(n.mallory, elsewhere, "elsewhere.png", Uploads.png(300));
  }

  private String messages(String conversationId) {
    return "/api/conversations/" + conversationId + "/messages";
  }

  private Reply send(String conversationId, JsonObject body) {
    return Reply.of(n.json(HttpMethod.POST, messages(conversationId), body, n.mallory.token()));
  }

  private static JsonObject text(String text) {
    return new JsonObject().put("clientId", UUID.randomUUID().toString()).put("text", text);
  }

  // --- send -------------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> sendBodies() {
    return BodyCases.of(
        n,
        new Route(
            "POST /api/conversations/{id}/messages",
            HttpMethod.POST,
            () -> messages(n.malloryCarol),
            () -> n.mallory.token(),
            () -> text("hi Carol"),
            BodyCases.fields(
                "clientId", STRING, "text", NULLABLE_STRING, "attachmentIds", STRING_ARRAY),
            Set.of("clientId"),
            "text"))
        .stream();
  }

  @TestFactory
  Stream<DynamicTest> badMessagesAreNotStored() {
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) {
      eleven.add(String.format("%024x", i + 1));
    }
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put("4001 characters", new Object[] {text("x".repeat(4001)), 400, "text_too_long"});
    cases.put(
        "2001 emoji beyond 4000 with text",
        new Object[] {text("x".repeat(2000) + "\uD83D\uDE00".repeat(2001)), 400, "text_too_long"});
    cases.put("a blank text", new Object[] {text(" \t\n "), 400, "empty_message"});
    cases.put("an empty text", new Object[] {text(""), 400, "empty_message"});
    cases.put(
        "no text and no attachments",
        new Object[] {new JsonObject().put("clientId", "c-1"), 400, "empty_message"});
    cases.put(
        "a null text",
        new Object[] {
          new JsonObject().put("clientId", "c-2").putNull("text"), 400, "empty_message"
        });
    cases.put(
        "an empty clientId",
        new Object[] {text("hi").put("clientId", ""), 400, "validation_failed"});
    cases.put(
        "a 65-character clientId",
        new Object[] {text("hi").put("clientId", "c".repeat(65)), 400, "validation_failed"});
    cases.put(
        "11 attachments",
        new Object[] {text("hi").put("attachmentIds", eleven), 400, "validation_failed"});
    cases.put(
        "the same attachment twice",
        new Object[] {
          text("hi").put("attachmentIds", new JsonArray().add(malloryPending).add(malloryPending)),
          400,
          "validation_failed"
        });
    cases.put(
        "someone else's upload",
        new Object[] {
          text("hi").put("attachmentIds", new JsonArray().add(aliceUpload)),
          400,
          "attachment_not_found"
        });
    cases.put(
        "an unknown upload",
        new Object[] {
          text("hi").put("attachmentIds", new JsonArray().add("0123456789abcdef01234567")),
          400,
          "attachment_not_found"
        });
    cases.put(
        "an upload id that is not one",
        new Object[] {
          text("hi").put("attachmentIds", new JsonArray().add("../../etc/passwd")),
          400,
          "attachment_not_found"
        });
    cases.put(
        "an unfinished upload",
        new Object[] {
          text("hi").put("attachmentIds", new JsonArray().add(malloryPending)),
          400,
          "attachment_not_ready"
        });
    cases.put(
        "an upload of another conversation",
        new Object[] {
          text("hi").put("attachmentIds", new JsonArray().add(malloryElsewhere)),
          400,
          "attachment_wrong_conversation"
        });
    cases.put(
        "a good attachment and someone else's",
        new Object[] {
          new JsonObject()
              .put("clientId", "c-3")
              .put("attachmentIds", new JsonArray().add(aliceUpload).add(malloryElsewhere)),
          400,
          "attachment_not_found"
        });
    return eachCase(
        cases,
        c -> {
          Reply r =
              n.refused((int) c[1], (String) c[2], () -> send(n.malloryCarol, (JsonObject) c[0]));
          assertThat(r.body()).doesNotContain("alice.png");
        });
  }

  @Test
  void aReusedClientIdWithOtherContentIsAConflict() {
    JsonObject first = text("the original");
    assertThat(send(n.malloryCarol, first).status()).isEqualTo(201);
    n.refused(
        409, "client_id_reused", () -> send(n.malloryCarol, first.copy().put("text", "changed")));
    // the same again is the original, stored once
    Reply again = n.harmless(() -> send(n.malloryCarol, first));
    assertThat(again.status()).isEqualTo(200);
  }

  @Test
  void anotherSendersClientIdIsNotTheirMessage() {
    // Mallory reuses the clientId of one of Alice's messages, in her own conversation
    JsonObject stored =
        n.db.findOne("messages", new JsonObject().put("_id", n.aliceMessage.getString("id")));
    String clientId = stored.getString("clientId");
    Reply r = send(n.malloryCarol, new JsonObject().put("clientId", clientId).put("text", "mine"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.body()).doesNotContain("hello Bob").doesNotContain(n.aliceBob);
  }

  @Test
  void aRemovedMemberCannotSend() {
    String group = n.group(n.alice, n.mallory);
    assertThat(
            n.api
                .delete(
                    "/api/conversations/" + group + "/members/" + n.mallory.id(), n.alice.token())
                .statusCode())
        .isEqualTo(204);
    n.refused(404, "conversation_not_found", () -> send(group, text("still here?")));
    n.refused(404, "conversation_not_found", () -> n.get(messages(group), n.mallory.token()));
  }

  // --- history ----------------------------------------------------------------------------------

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @TestFactory
  Stream<DynamicTest> historyQueriesAreChecked() {
    Map<String, String> q = new LinkedHashMap<>();
    for (String v :
        List.of("0", "-1", "abc", "1.5", "1e2", "99999999999999999999", enc("{\"$gt\":0}"))) {
      q.put("beforeSeq=" + v, "?beforeSeq=" + v);
    }
    for (String v : List.of("-1", "x", enc("{\"$ne\":null}"))) {
      q.put("afterSeq=" + v, "?afterSeq=" + v);
    }
    for (String v : List.of("0", "101", "-5", "ten")) {
      q.put("limit=" + v, "?limit=" + v);
    }
    q.put("two beforeSeq", "?beforeSeq=2&beforeSeq=3");
    q.put("two afterSeq", "?afterSeq=0&afterSeq=1");
    return n.refusedEach(
        q, 400, "validation_failed", query -> n.get(messages(n.aliceBob) + query, n.alice.token()));
  }

  @TestFactory
  Stream<DynamicTest> ignoredHistoryParametersShowOnlyThisConversation() {
    return Stream.of(
            "?beforeSeq[$gt]=0", "?conversationId=" + n.malloryCarol, "?seq[$ne]=1", "?limit=")
        .map(
            query ->
                named(
                    query,
                    () -> {
                      var res =
                          n.harmless(
                              () -> n.get(messages(n.malloryCarol) + query, n.mallory.token()));
                      assertThat(res.statusCode()).isEqualTo(200);
                      assertThat(res.bodyAsString())
                          .doesNotContain("hello Bob")
                          .doesNotContain(n.aliceBob);
                    }));
  }

  // --- edit and delete --------------------------------------------------------------------------

  /** {@code PATCH /api/messages/{id}} with this body, as {@code who}. */
  private HttpResponse<Buffer> edit(String id, JsonObject body, Account who) {
    return n.json(HttpMethod.PATCH, "/api/messages/" + id, body, who.token());
  }

  /** {@code PATCH /api/messages/{id}} with the text "Pwned", as {@code who}. */
  private HttpResponse<Buffer> pwn(String id, Account who) {
    return edit(id, new JsonObject().put("text", "Pwned"), who);
  }

  Map<String, String> badMessageIds() {
    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("an unknown id", "0123456789abcdef01234567");
    ids.put("Alice's message id in upper case", n.aliceMessage.getString("id").toUpperCase());
    ids.put("not an id", "hello");
    ids.put("an encoded operator", "%7B%22%24ne%22%3Anull%7D");
    ids.put("an encoded regex", "%2E%2A");
    ids.put("a conversation id", n.malloryCarol);
    return ids;
  }

  @TestFactory
  Stream<DynamicTest> messagesOfOthersCannotBeChanged() {
    String alices = n.aliceMessage.getString("id");
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(
        n.refusedTest(
            "Mallory edits Alice's message",
            404,
            "message_not_found",
            () -> pwn(alices, n.mallory)));
    tests.add(
        n.refusedTest(
            "Mallory deletes Alice's message",
            404,
            "message_not_found",
            () -> n.api.delete("/api/messages/" + alices, n.mallory.token())));
    tests.add(
        n.refusedTest("Bob edits Alice's message", 403, "not_sender", () -> pwn(alices, n.bob)));
    tests.add(
        n.refusedTest(
            "Bob deletes Alice's message",
            403,
            "not_sender",
            () -> n.api.delete("/api/messages/" + alices, n.bob.token())));
    badMessageIds()
        .forEach(
            (what, id) -> {
              tests.add(
                  n.refusedTest("edit " + what, 404, "message_not_found", () -> pwn(id, n.alice)));
              tests.add(
                  n.refusedTest(
                      "delete " + what,
                      404,
                      "message_not_found",
                      () -> n.api.delete("/api/messages/" + id, n.alice.token())));
            });
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> editBodies() {
    String id = n.api.send(n.mallory, n.malloryCarol, "to be edited").getString("id");
    return BodyCases.of(
        n,
        new Route(
            "PATCH /api/messages/{id}",
            HttpMethod.PATCH,
            () -> "/api/messages/" + id,
            () -> n.mallory.token(),
            () -> new JsonObject().put("text", "edited"),
            BodyCases.fields("text", STRING),
            Set.of("text")))
        .stream();
  }

  @Test
  void badEditsAreRefused() {
    String id = n.api.send(n.mallory, n.malloryCarol, "original").getString("id");
    n.refused(
        400,
        "text_too_long",
        () -> edit(id, new JsonObject().put("text", "y".repeat(4001)), n.mallory));
    n.refused(
        400, "validation_failed", () -> edit(id, new JsonObject().put("text", "   "), n.mallory));
    n.refused(
        400,
        "validation_failed",
        () ->
            edit(
                id,
                new JsonObject().put("text", "edited").put("senderId", n.alice.id()),
                n.mallory));
  }

  @Test
  void aDeletedMessageStaysDeleted() {
    String id = n.api.send(n.mallory, n.malloryCarol, "regret").getString("id");
    assertThat(n.api.delete("/api/messages/" + id, n.mallory.token()).statusCode()).isEqualTo(204);
    n.refused(
        410, "message_deleted", () -> edit(id, new JsonObject().put("text", "back"), n.mallory));
    var again = n.harmless(() -> n.api.delete("/api/messages/" + id, n.mallory.token()));
    assertThat(again.statusCode()).isEqualTo(204);
  }
}
