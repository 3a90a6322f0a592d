package io.parley.it;

import static io.parley.testing.Api.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api.Account;
import io.parley.testing.SingleNodeSuite;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Conversations, messages, receipts and typing over HTTP against a whole node. */
class ConversationsIT extends SingleNodeSuite {
  private static String conv(String id) {
    return "/api/conversations/" + id;
  }

  private HttpResponse<Buffer> send(Account a, String convId, String clientId, String text) {
    return api.post(
        conv(convId) + "/messages",
        new JsonObject().put("clientId", clientId).put("text", text),
        a.token());
  }

  private JsonArray history(Account a, String convId, String query) {
    var res = api.get(conv(convId) + "/messages" + query, a.token());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject().getJsonArray("messages");
  }

  private static List<Long> seqs(JsonArray messages) {
    List<Long> out = new ArrayList<>();
    messages.forEach(m -> out.add(((JsonObject) m).getLong("seq")));
    return out;
  }

  // --- conversations -----------------------------------------------------------------------

  @Test
  void aDirectConversationIsUniquePerPairFromEitherSide() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    var first =
        api.post(
            "/api/conversations",
            new JsonObject().put("type", "direct").put("memberIds", new JsonArray().add(bob.id())),
            ann.token());
    assertThat(first.statusCode()).isEqualTo(201);
    JsonObject c = first.bodyAsJsonObject().getJsonObject("conversation");
    assertThat(c.getString("type")).isEqualTo("direct");
    assertThat(c.getJsonArray("members").getList()).containsExactlyInAnyOrder(ann.id(), bob.id());

    var again =
        api.post(
            "/api/conversations",
            new JsonObject().put("type", "direct").put("memberIds", new JsonArray().add(ann.id())),
            bob.token());
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getJsonObject("conversation").getString("id"))
        .isEqualTo(c.getString("id"));
    assertThat(
            db.count(
                "conversations",
                new JsonObject()
                    .put(
                        "members",
                        new JsonObject().put("$all", new JsonArray().add(ann.id()).add(bob.id())))))
        .isEqualTo(1);
  }

  @Test
  void aDirectConversationNeedsExactlyOneOtherExistingUser() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    Account cat = api.register("Cat");
    long before = db.count("conversations", new JsonObject());
    var two =
        api.post(
            "/api/conversations",
            new JsonObject()
                .put("type", "direct")
                .put("memberIds", new JsonArray().add(bob.id()).add(cat.id())),
            ann.token());
    assertThat(two.statusCode()).isEqualTo(400);
    assertThat(errorCode(two)).isEqualTo("validation_failed");
    var self =
        api.post(
            "/api/conversations",
            new JsonObject().put("type", "direct").put("memberIds", new JsonArray().add(ann.id())),
            ann.token());
    assertThat(self.statusCode()).isEqualTo(400);
    var ghost =
        api.post(
            "/api/conversations",
            new JsonObject()
                .put("type", "direct")
                .put("memberIds", new JsonArray().add("0123456789abcdef01234567")),
            ann.token());
    assertThat(ghost.statusCode()).isEqualTo(404);
    assertThat(errorCode(ghost)).isEqualTo("user_not_found");
    assertThat(db.count("conversations", new JsonObject())).isEqualTo(before);
  }

  @Test
  void groupAdminsManageMembersAndMembersMayLeave() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    Account cat = api.register("Cat");
    Account dan = api.register("Dan");
    JsonObject g = api.conversation(ann, "group", "Climbing", bob, cat);
    String id = g.getString("id");
    assertThat(g.getString("title")).isEqualTo("Climbing");
    assertThat(g.getJsonArray("admins").getList()).containsExactly(ann.id());

    // a plain member cannot add or remove others, nor rename
    var byBob =
        api.post(
            conv(id) + "/members",
            new JsonObject().put("userIds", new JsonArray().add(dan.id())),
            bob.token());
    assertThat(byBob.statusCode()).isEqualTo(403);
    assertThat(errorCode(byBob)).isEqualTo("not_admin");
    assertThat(api.delete(conv(id) + "/members/" + cat.id(), bob.token()).statusCode())
        .isEqualTo(403);
    assertThat(api.patch(conv(id), new JsonObject().put("title", "Mine"), bob.token()).statusCode())
        .isEqualTo(403);

    // the admin adds Dan, who can then read and post
    var added =
        api.post(
            conv(id) + "/members",
            new JsonObject().put("userIds", new JsonArray().add(dan.id())),
            ann.token());
    assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(200);
    assertThat(api.get(conv(id), dan.token()).statusCode()).isEqualTo(200);
    api.send(dan, id, "hi all");

    // the admin removes Cat: she loses access at once
    assertThat(api.delete(conv(id) + "/members/" + cat.id(), ann.token()).statusCode())
        .isEqualTo(204);
    assertThat(api.get(conv(id), cat.token()).statusCode()).isEqualTo(404);
    assertThat(api.get(conv(id) + "/messages", cat.token()).statusCode()).isEqualTo(404);
    assertThat(send(cat, id, UUID.randomUUID().toString(), "still here?").statusCode())
        .isEqualTo(404);

    // Bob leaves by removing himself
    assertThat(api.delete(conv(id) + "/members/" + bob.id(), bob.token()).statusCode())
        .isEqualTo(204);
    assertThat(api.get(conv(id), bob.token()).statusCode()).isEqualTo(404);
    JsonObject now =
        api.get(conv(id), ann.token()).bodyAsJsonObject().getJsonObject("conversation");
    assertThat(now.getJsonArray("members").getList()).containsExactlyInAnyOrder(ann.id(), dan.id());

    // the admin renames it
    var renamed = api.patch(conv(id), new JsonObject().put("title", "Bouldering"), ann.token());
    assertThat(renamed.statusCode()).isEqualTo(200);
    assertThat(renamed.bodyAsJsonObject().getJsonObject("conversation").getString("title"))
        .isEqualTo("Bouldering");
  }

  @Test
  void directConversationsHaveFixedMembers() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    Account cat = api.register("Cat");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    var res =
        api.post(
            conv(id) + "/members",
            new JsonObject().put("userIds", new JsonArray().add(cat.id())),
            ann.token());
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(errorCode(res)).isEqualTo("not_a_group");
    assertThat(api.get(conv(id), cat.token()).statusCode()).isEqualTo(404);
  }

  @Test
  void theListIsNewestActivityFirstWithCursorUnreadAndLastMessage() {
    Account me = api.register("Lister");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Account other = api.register("Friend " + i);
      ids.add(api.conversation(me, "direct", null, other).getString("id"));
    }
    // activity order: 2 (oldest message), 0, 4 (newest); 1 and 3 have no messages
    api.send(me, ids.get(2), "two");
    api.send(me, ids.get(0), "zero");
    String last = api.send(me, ids.get(4), "four").getString("id");

    List<String> seen = new ArrayList<>();
    String cursor = null;
    JsonObject first = null;
    do {
      var res =
          api.get(
              "/api/conversations?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
              me.token());
      assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
      JsonObject body = res.bodyAsJsonObject();
      body.getJsonArray("conversations").forEach(c -> seen.add(((JsonObject) c).getString("id")));
      if (first == null) {
        first = body.getJsonArray("conversations").getJsonObject(0);
      }
      cursor = body.getString("nextCursor");
    } while (cursor != null);

    assertThat(seen).hasSize(5).doesNotHaveDuplicates();
    assertThat(seen.subList(0, 3)).containsExactly(ids.get(4), ids.get(0), ids.get(2));
    assertThat(first.getJsonObject("lastMessage").getString("id")).isEqualTo(last);
    // the caller's own message is not unread for them
    assertThat(first.getLong("unreadCount")).isZero();
  }

  @Test
  void unreadCountsComeFromReadMarkersAndArchivedConversationsAreHidden() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    for (int i = 1; i <= 3; i++) {
      api.send(ann, id, "m" + i);
    }
    JsonObject forBob =
        api.get(conv(id), bob.token()).bodyAsJsonObject().getJsonObject("conversation");
    assertThat(forBob.getLong("unreadCount")).isEqualTo(3);
    JsonObject forAnn =
        api.get(conv(id), ann.token()).bodyAsJsonObject().getJsonObject("conversation");
    assertThat(forAnn.getLong("unreadCount")).isZero();

    assertThat(
            api.post(
                    conv(id) + "/receipts",
                    new JsonObject().put("type", "read").put("upToSeq", 2),
                    bob.token())
                .statusCode())
        .isEqualTo(204);
    forBob = api.get(conv(id), bob.token()).bodyAsJsonObject().getJsonObject("conversation");
    assertThat(forBob.getLong("unreadCount")).isEqualTo(1);

    assertThat(api.post(conv(id) + "/archive", null, bob.token()).statusCode()).isEqualTo(204);
    assertThat(listIds(bob, false)).doesNotContain(id);
    assertThat(listIds(bob, true)).contains(id);
    assertThat(listIds(ann, false)).contains(id);
    // documented: a new message does not unarchive the conversation
    api.send(ann, id, "still archived for Bob");
    assertThat(listIds(bob, false)).doesNotContain(id);
    assertThat(api.delete(conv(id) + "/archive", bob.token()).statusCode()).isEqualTo(204);
    assertThat(listIds(bob, false)).contains(id);
  }

  private List<String> listIds(Account a, boolean archived) {
    var res = api.get("/api/conversations?limit=100&archived=" + archived, a.token());
    assertThat(res.statusCode()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    res.bodyAsJsonObject()
        .getJsonArray("conversations")
        .forEach(c -> out.add(((JsonObject) c).getString("id")));
    return out;
  }

  // --- messages ----------------------------------------------------------------------------

  @Test
  void sendsGetConsecutiveSeqsAndHistoryPagesInAscendingOrder() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    for (int i = 1; i <= 12; i++) {
      JsonObject m = api.send(i % 2 == 0 ? bob : ann, id, "n" + i);
      assertThat(m.getLong("seq")).isEqualTo(i);
    }
    assertThat(seqs(history(ann, id, "?limit=5"))).containsExactly(8L, 9L, 10L, 11L, 12L);
    assertThat(seqs(history(ann, id, "?beforeSeq=8&limit=5"))).containsExactly(3L, 4L, 5L, 6L, 7L);
    assertThat(seqs(history(ann, id, "?afterSeq=9"))).containsExactly(10L, 11L, 12L);
    assertThat(seqs(history(bob, id, "?afterSeq=2&limit=3"))).containsExactly(3L, 4L, 5L);
    var page = api.get(conv(id) + "/messages?beforeSeq=3&limit=5", ann.token()).bodyAsJsonObject();
    assertThat(seqs(page.getJsonArray("messages"))).containsExactly(1L, 2L);
    assertThat(page.getBoolean("hasMore")).isFalse();
    assertThat(
            api.get(conv(id) + "/messages?limit=5", ann.token())
                .bodyAsJsonObject()
                .getBoolean("hasMore"))
        .isTrue();
    for (String bad :
        List.of(
            "?limit=101", "?limit=0", "?beforeSeq=abc", "?afterSeq=-1", "?limit=%7B%24gt%3A1%7D")) {
      var res = api.get(conv(id) + "/messages" + bad, ann.token());
      assertThat(res.statusCode()).as(bad).isEqualTo(400);
      assertThat(errorCode(res)).as(bad).isNotNull();
    }
  }

  @Test
  void aRetriedClientIdReturnsTheOriginalMessageAndADifferentBodyIsAConflict() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    String clientId = UUID.randomUUID().toString();
    var first = send(ann, id, clientId, "hello");
    assertThat(first.statusCode()).isEqualTo(201);
    var retry = send(ann, id, clientId, "hello");
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.bodyAsJsonObject().getJsonObject("message"))
        .isEqualTo(first.bodyAsJsonObject().getJsonObject("message"));
    var changed = send(ann, id, clientId, "goodbye");
    assertThat(changed.statusCode()).isEqualTo(409);
    assertThat(errorCode(changed)).isEqualTo("client_id_reused");
    // another sender may use the same clientId independently
    assertThat(send(bob, id, clientId, "hello").statusCode()).isEqualTo(201);
    assertThat(db.count("messages", new JsonObject().put("conversationId", id))).isEqualTo(2);
    assertThat(seqs(history(ann, id, ""))).containsExactly(1L, 2L);
  }

  @Test
  void fiveConcurrentRetriesOfOneClientIdStoreOneMessage() throws Exception {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    String clientId = UUID.randomUUID().toString();
    JsonObject body = new JsonObject().put("clientId", clientId).put("text", "only once");
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(
          http.client()
              .post(node.httpPort(), "127.0.0.1", conv(id) + "/messages")
              .putHeader("Authorization", "Bearer " + ann.token())
              .sendJsonObject(body));
    }
    Future.join(new ArrayList<>(all)).await(30, TimeUnit.SECONDS);
    List<Integer> statuses = new ArrayList<>();
    java.util.Set<String> messageIds = new java.util.HashSet<>();
    for (var f : all) {
      HttpResponse<Buffer> r = f.result();
      statuses.add(r.statusCode());
      if (r.statusCode() < 300) {
        messageIds.add(r.bodyAsJsonObject().getJsonObject("message").getString("id"));
      }
    }
    // one 201; the others 200 with the same message, or 503 send_in_progress (retry later)
    assertThat(statuses).containsOnlyOnce(201).allMatch(s -> s == 201 || s == 200 || s == 503);
    assertThat(messageIds).hasSize(1);
    assertThat(db.count("messages", new JsonObject().put("conversationId", id))).isEqualTo(1);
    var late = send(ann, id, clientId, "only once");
    assertThat(late.statusCode()).isEqualTo(200);
    assertThat(late.bodyAsJsonObject().getJsonObject("message").getLong("seq")).isEqualTo(1);
  }

  @Test
  void messageBodiesAreValidatedAndNothingIsStored() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    String tooLong = "é".repeat(4001);
    Map<String, JsonObject> bad =
        Map.of(
            "text_too_long", new JsonObject().put("clientId", "a").put("text", tooLong),
            "empty_message", new JsonObject().put("clientId", "b").put("text", "   "),
            "missing clientId", new JsonObject().put("text", "x"),
            "operator object",
                new JsonObject().put("clientId", new JsonObject().put("$ne", "")).put("text", "x"),
            "wrong type", new JsonObject().put("clientId", "c").put("text", 42),
            "unknown field", new JsonObject().put("clientId", "d").put("text", "x").put("seq", 1),
            "dollar key",
                new JsonObject()
                    .put("clientId", "e")
                    .put("text", "x")
                    .put("$set", new JsonObject()));
    bad.forEach(
        (name, body) -> {
          var res = api.post(conv(id) + "/messages", body, ann.token());
          assertThat(res.statusCode()).as(name).isEqualTo(400);
          assertThat(errorCode(res)).as(name).isNotBlank();
        });
    var malformed =
        api.raw(
            HttpMethod.POST,
            conv(id) + "/messages",
            Buffer.buffer("{\"clientId\":"),
            Map.of("Authorization", "Bearer " + ann.token(), "Content-Type", "application/json"));
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(errorCode(malformed)).isEqualTo("invalid_json");
    assertThat(errorCode(api.post(conv(id) + "/messages", bad.get("text_too_long"), ann.token())))
        .isEqualTo("text_too_long");
    // exactly 4000 characters (code points) is fine
    assertThat(send(ann, id, "f", "😀".repeat(4000)).statusCode()).isEqualTo(201);
    assertThat(db.count("messages", new JsonObject().put("conversationId", id))).isEqualTo(1);
    assertThat(
            db.count(
                "sendclaims",
                new JsonObject()
                    .put("_id", new JsonObject().put("$regex", "^" + ann.id() + ":[a-e]$"))))
        .isZero();
  }

  @Test
  void theSenderEditsAndAnyoneSeesTheEditHistoryFlag() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    JsonObject m = api.send(ann, id, "helo");
    String path = "/api/messages/" + m.getString("id");

    var byBob = api.patch(path, new JsonObject().put("text", "hacked"), bob.token());
    assertThat(byBob.statusCode()).isEqualTo(403);
    assertThat(errorCode(byBob)).isEqualTo("not_sender");

    var edited = api.patch(path, new JsonObject().put("text", "hello"), ann.token());
    assertThat(edited.statusCode()).as(edited.bodyAsString()).isEqualTo(200);
    JsonObject e = edited.bodyAsJsonObject().getJsonObject("message");
    assertThat(e.getString("text")).isEqualTo("hello");
    assertThat(e.getString("editedAt")).isNotNull();
    assertThat(e.getLong("seq")).isEqualTo(m.getLong("seq"));
    JsonObject stored = db.findOne("messages", new JsonObject().put("_id", m.getString("id")));
    assertThat(stored.getJsonArray("edits").getJsonObject(0).getString("text")).isEqualTo("helo");
    assertThat(history(bob, id, "").getJsonObject(0).getString("text")).isEqualTo("hello");
  }

  @Test
  void deleteForEveryoneLeavesATombstoneThatKeepsItsSeq() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    api.send(ann, id, "one");
    JsonObject two = api.send(ann, id, "secret");
    api.send(bob, id, "three");
    String path = "/api/messages/" + two.getString("id");

    assertThat(api.delete(path, bob.token()).statusCode()).isEqualTo(403);
    assertThat(api.delete(path, ann.token()).statusCode()).isEqualTo(204);
    assertThat(api.delete(path, ann.token()).statusCode()).isEqualTo(204);

    JsonArray h = history(bob, id, "");
    assertThat(seqs(h)).containsExactly(1L, 2L, 3L);
    JsonObject tomb = h.getJsonObject(1);
    assertThat(tomb.getString("deletedAt")).isNotNull();
    assertThat(tomb.getString("text")).isNull();
    assertThat(db.findOne("messages", new JsonObject().put("_id", two.getString("id"))).encode())
        .doesNotContain("secret");
    var edit = api.patch(path, new JsonObject().put("text", "back"), ann.token());
    assertThat(edit.statusCode()).isEqualTo(410);
    assertThat(errorCode(edit)).isEqualTo("message_deleted");
    // the next message still gets the next seq
    assertThat(api.send(bob, id, "four").getLong("seq")).isEqualTo(4);
  }

  // --- receipts and typing -----------------------------------------------------------------

  @Test
  void receiptsMarkMessagesAndNeverGoBackwards() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    Account cat = api.register("Cat");
    String id = api.conversation(ann, "group", "Receipts", bob, cat).getString("id");
    for (int i = 1; i <= 4; i++) {
      api.send(ann, id, "m" + i);
    }
    String receipts = conv(id) + "/receipts";
    assertThat(
            api.post(
                    receipts,
                    new JsonObject().put("type", "delivered").put("upToSeq", 4),
                    bob.token())
                .statusCode())
        .isEqualTo(204);
    assertThat(
            api.post(receipts, new JsonObject().put("type", "read").put("upToSeq", 3), bob.token())
                .statusCode())
        .isEqualTo(204);
    // going backwards changes nothing; beyond the last seq is clamped
    assertThat(
            api.post(receipts, new JsonObject().put("type", "read").put("upToSeq", 1), bob.token())
                .statusCode())
        .isEqualTo(204);
    assertThat(
            api.post(receipts, new JsonObject().put("type", "read").put("upToSeq", 99), cat.token())
                .statusCode())
        .isEqualTo(204);

    JsonArray h = history(ann, id, "");
    for (int i = 0; i < 4; i++) {
      JsonObject m = h.getJsonObject(i);
      assertThat(m.getJsonArray("deliveredTo").getList()).as("seq " + (i + 1)).contains(bob.id());
      if (i < 3) {
        assertThat(m.getJsonArray("readBy").getList())
            .as("seq " + (i + 1))
            .contains(bob.id(), cat.id());
      } else {
        assertThat(m.getJsonArray("readBy").getList()).containsExactly(cat.id());
      }
    }
    JsonObject c = api.get(conv(id), bob.token()).bodyAsJsonObject().getJsonObject("conversation");
    assertThat(c.getJsonObject("readMarkers").getLong(bob.id())).isEqualTo(3);
    assertThat(c.getJsonObject("readMarkers").getLong(cat.id())).isEqualTo(4);
    assertThat(c.getLong("unreadCount")).isEqualTo(1);

    for (JsonObject bad :
        List.of(
            new JsonObject().put("type", "seen").put("upToSeq", 1),
            new JsonObject().put("type", "read").put("upToSeq", 0),
            new JsonObject().put("type", "read").put("upToSeq", "3"),
            new JsonObject().put("type", "read"))) {
      var res = api.post(receipts, bad, bob.token());
      assertThat(res.statusCode()).as(bad.encode()).isEqualTo(400);
    }
  }

  @Test
  void aReceiptForAMessageWhoseActivityIsNotRecordedYetIsKept() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    api.send(ann, id, "one");
    api.send(ann, id, "two");
    // the moment after the commit of "two": members have its event, the conversation's lastSeq
    // is not moved yet (recordSent follows the event)
    db.update(
        "conversations",
        new JsonObject().put("_id", id),
        new JsonObject().put("$set", new JsonObject().put("lastSeq", 1)));

    var res =
        api.post(
            conv(id) + "/receipts",
            new JsonObject().put("type", "read").put("upToSeq", 2),
            bob.token());

    assertThat(res.statusCode()).isEqualTo(204);
    JsonArray h = history(ann, id, "");
    assertThat(h.getJsonObject(1).getLong("seq")).isEqualTo(2);
    assertThat(h.getJsonObject(1).getJsonArray("readBy").getList()).contains(bob.id());
    JsonObject stored = db.findOne("conversations", new JsonObject().put("_id", id));
    assertThat(stored.getJsonObject("readMarkers").getLong(bob.id())).isEqualTo(2);
    // still never past what is stored
    api.post(
        conv(id) + "/receipts",
        new JsonObject().put("type", "read").put("upToSeq", 50),
        bob.token());
    stored = db.findOne("conversations", new JsonObject().put("_id", id));
    assertThat(stored.getJsonObject("readMarkers").getLong(bob.id())).isEqualTo(2);
  }

  @Test
  void typingIsAcceptedForMembersAndRateLimited() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    Account eve = api.register("Eve");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    assertThat(api.post(conv(id) + "/typing", null, ann.token()).statusCode()).isEqualTo(204);
    assertThat(api.post(conv(id) + "/typing", null, eve.token()).statusCode()).isEqualTo(404);
    int status = 204;
    for (int i = 0; i < 20 && status == 204; i++) {
      status = api.post(conv(id) + "/typing", null, ann.token()).statusCode();
    }
    assertThat(status).isEqualTo(429);
    long stored = db.count("messages", new JsonObject().put("conversationId", id));
    assertThat(stored).isZero();
  }

  // --- authorization -----------------------------------------------------------------------

  @Test
  void aNonMemberProbingLearnsNothing() {
    Account ann = api.register("Ann");
    Account bob = api.register("Bob");
    Account eve = api.register("Eve");
    String id = api.conversation(ann, "direct", null, bob).getString("id");
    JsonObject m = api.send(ann, id, "private");
    String missing = "0123456789abcdef01234567";

    List<HttpResponse<Buffer>> probes =
        List.of(
            api.get(conv(id), eve.token()),
            api.get(conv(id) + "/messages", eve.token()),
            send(eve, id, UUID.randomUUID().toString(), "let me in"),
            api.post(
                conv(id) + "/receipts",
                new JsonObject().put("type", "read").put("upToSeq", 1),
                eve.token()),
            api.post(conv(id) + "/archive", null, eve.token()),
            api.post(
                conv(id) + "/members",
                new JsonObject().put("userIds", new JsonArray().add(eve.id())),
                eve.token()),
            api.patch(
                "/api/messages/" + m.getString("id"),
                new JsonObject().put("text", "x"),
                eve.token()),
            api.delete("/api/messages/" + m.getString("id"), eve.token()));
    List<HttpResponse<Buffer>> unknown =
        List.of(
            api.get(conv(missing), eve.token()),
            api.get(conv(missing) + "/messages", eve.token()),
            send(eve, missing, UUID.randomUUID().toString(), "let me in"),
            api.post(
                conv(missing) + "/receipts",
                new JsonObject().put("type", "read").put("upToSeq", 1),
                eve.token()),
            api.post(conv(missing) + "/archive", null, eve.token()),
            api.post(
                conv(missing) + "/members",
                new JsonObject().put("userIds", new JsonArray().add(eve.id())),
                eve.token()),
            api.patch("/api/messages/" + missing, new JsonObject().put("text", "x"), eve.token()),
            api.delete("/api/messages/" + missing, eve.token()));
    for (int i = 0; i < probes.size(); i++) {
      // an existing conversation answers exactly as a missing one does
      assertThat(probes.get(i).statusCode()).as("probe " + i).isEqualTo(404);
      assertThat(probes.get(i).bodyAsJsonObject())
          .as("probe " + i)
          .isEqualTo(unknown.get(i).bodyAsJsonObject());
    }
    assertThat(listIds(eve, false)).isEmpty();
    JsonObject stored = db.findOne("messages", new JsonObject().put("_id", m.getString("id")));
    assertThat(stored.getString("text")).isEqualTo("private");
    assertThat(stored.getJsonArray("readBy", new JsonArray()).getList()).doesNotContain(eve.id());
  }

  @Test
  void idsThatAreNotObjectIdsAreNotFoundNeverServerErrors() {
    Account ann = api.register("Ann");
    for (String bad : List.of("nope", "%24ne", "..%2F..%2Fetc", "0123456789abcdef0123456z", "{}")) {
      for (var res :
          List.of(
              api.get(conv(bad), ann.token()),
              api.get(conv(bad) + "/messages", ann.token()),
              send(ann, bad, "x", "y"),
              api.delete("/api/messages/" + bad, ann.token()))) {
        assertThat(res.statusCode()).as(bad).isIn(400, 404);
        assertThat(errorCode(res)).as(bad).isNotBlank();
      }
    }
    var badMember =
        api.post(
            "/api/conversations",
            new JsonObject()
                .put("type", "group")
                .put("memberIds", new JsonArray().add("not-an-id")),
            ann.token());
    assertThat(badMember.statusCode()).isIn(400, 404);
  }

  @Test
  void everyRouteNeedsAToken() {
    for (var res :
        List.of(
            api.get("/api/conversations", null),
            api.post("/api/conversations", new JsonObject(), null),
            api.get(conv("0123456789abcdef01234567") + "/messages", null))) {
      assertThat(res.statusCode()).isEqualTo(401);
    }
  }
}
