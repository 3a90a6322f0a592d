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
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile requests against {@code /api/conversations}: creating with bad members, reading,
 * renaming, archiving and changing the members of conversations one is not in (or not an admin of),
 * malformed ids, and list queries with operators and forged cursors.
 */
class ConversationsHostileIT extends HostileSuite {
  /** Ids that name no conversation of the caller's, as path segments. */
  Map<String, String> badIds() {
    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("an unknown id", "0123456789abcdef01234567");
    ids.put("Alice's group id in upper case", n.aliceGroup.toUpperCase());
    ids.put("not an id", "climbing");
    ids.put("an encoded operator", "%7B%22%24ne%22%3Anull%7D");
    ids.put("an encoded regex", "%2E%2A");
    ids.put("$where", "%24where");
    ids.put("an encoded NUL", "0123456789abcdef0123456%00");
    return ids;
  }

  // --- create -----------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> createBodies() {
    return BodyCases.of(
        n,
        new Route(
            "POST /api/conversations",
            HttpMethod.POST,
            () -> "/api/conversations",
            () -> n.mallory.token(),
            () ->
                new JsonObject()
                    .put("type", "group")
                    .put("memberIds", ids(n.carol))
                    .put("title", "Mallory's club"),
            BodyCases.fields("type", STRING, "memberIds", STRING_ARRAY, "title", NULLABLE_STRING),
            Set.of("type", "memberIds"),
            "title"))
        .stream();
  }

  @TestFactory
  Stream<DynamicTest> badConversationsAreNotCreated() {
    JsonArray thousandAndOne = new JsonArray();
    for (int i = 0; i < 1001; i++) {
      thousandAndOne.add(String.format("%024x", i + 1));
    }
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put(
        "a type that does not exist",
        new Object[] {"channel", ids(n.carol), null, 400, "validation_failed"});
    cases.put(
        "direct with two others",
        new Object[] {"direct", ids(n.carol, n.alice), null, 400, "validation_failed"});
    cases.put(
        "direct with oneself only",
        new Object[] {"direct", ids(n.mallory), null, 400, "validation_failed"});
    cases.put(
        "direct with nobody",
        new Object[] {"direct", new JsonArray(), null, 400, "validation_failed"});
    cases.put(
        "direct with a title",
        new Object[] {"direct", ids(n.alice), "Hi", 400, "validation_failed"});
    cases.put(
        "a member that is not an id",
        new Object[] {"group", new JsonArray().add("alice"), "t", 400, "validation_failed"});
    cases.put(
        "a member that is an operator name",
        new Object[] {"group", new JsonArray().add("$ne"), "t", 400, "validation_failed"});
    cases.put(
        "an unknown member",
        new Object[] {
          "group",
          new JsonArray().add(n.carol.id()).add("0123456789abcdef01234567"),
          "t",
          404,
          "user_not_found"
        });
    cases.put(
        "an unknown direct partner",
        new Object[] {
          "direct", new JsonArray().add("0123456789abcdef01234567"), null, 404, "user_not_found"
        });
    cases.put(
        "1001 members", new Object[] {"group", thousandAndOne, "t", 400, "validation_failed"});
    cases.put(
        "a 101-character title",
        new Object[] {"group", ids(n.carol), "t".repeat(101), 400, "validation_failed"});
    cases.put(
        "a blank title", new Object[] {"group", ids(n.carol), "   ", 400, "validation_failed"});
    List<DynamicTest> tests = new ArrayList<>();
    cases.forEach(
        (what, c) ->
            tests.add(
                named(
                    what,
                    () -> {
                      JsonObject body = new JsonObject().put("type", c[0]).put("memberIds", c[1]);
                      if (c[2] != null) {
                        body.put("title", c[2]);
                      }
                      n.refused(
                          (int) c[3],
                          (String) c[4],
                          () ->
                              n.json(
                                  HttpMethod.POST, "/api/conversations", body, n.mallory.token()));
                    })));
    return tests.stream();
  }

  @Test
  void theExistingDirectConversationIsReturnedNotDuplicated() {
    var res =
        n.harmless(
            () ->
                n.json(
                    HttpMethod.POST,
                    "/api/conversations",
                    new JsonObject().put("type", "direct").put("memberIds", ids(n.bob)),
                    n.alice.token()));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.bodyAsJsonObject().getJsonObject("conversation").getString("id"))
        .isEqualTo(n.aliceBob);
  }

  /** {@code PATCH /api/conversations/{id}} with this title, as {@code who}. */
  private HttpResponse<Buffer> rename(String id, String title, Account who) {
    return n.json(
        HttpMethod.PATCH,
        "/api/conversations/" + id,
        new JsonObject().put("title", title),
        who.token());
  }

  /** {@code POST /api/conversations/{id}/members} adding these users, as {@code who}. */
  private HttpResponse<Buffer> addMembers(String id, Object userIds, Account who) {
    return n.json(
        HttpMethod.POST,
        "/api/conversations/" + id + "/members",
        new JsonObject().put("userIds", userIds),
        who.token());
  }

  /** {@code DELETE /api/conversations/{id}/members/{userId}}, as {@code who}. */
  private HttpResponse<Buffer> removeMember(String id, String userId, Account who) {
    return n.api.delete("/api/conversations/" + id + "/members/" + userId, who.token());
  }

  // --- other people's conversations -------------------------------------------------------------

  /** Every conversation route, as Mallory (not a member) aims it at a conversation id. */
  List<Object[]> routes(String id) {
    List<Object[]> r = new ArrayList<>();
    r.add(new Object[] {HttpMethod.GET, "/api/conversations/" + id, null});
    r.add(
        new Object[] {
          HttpMethod.PATCH, "/api/conversations/" + id, new JsonObject().put("title", "Pwned")
        });
    r.add(new Object[] {HttpMethod.POST, "/api/conversations/" + id + "/archive", null});
    r.add(new Object[] {HttpMethod.DELETE, "/api/conversations/" + id + "/archive", null});
    r.add(
        new Object[] {
          HttpMethod.POST,
          "/api/conversations/" + id + "/members",
          new JsonObject().put("userIds", ids(n.mallory))
        });
    r.add(
        new Object[] {
          HttpMethod.DELETE, "/api/conversations/" + id + "/members/" + n.bob.id(), null
        });
    r.add(
        new Object[] {
          HttpMethod.DELETE, "/api/conversations/" + id + "/members/" + n.mallory.id(), null
        });
    r.add(
        new Object[] {
          HttpMethod.POST,
          "/api/conversations/" + id + "/messages",
          new JsonObject().put("clientId", "intruder-1").put("text", "Pwned")
        });
    r.add(new Object[] {HttpMethod.GET, "/api/conversations/" + id + "/messages", null});
    r.add(new Object[] {HttpMethod.GET, "/api/conversations/" + id + "/messages?afterSeq=0", null});
    r.add(
        new Object[] {
          HttpMethod.POST,
          "/api/conversations/" + id + "/receipts",
          new JsonObject().put("type", "read").put("upToSeq", 1)
        });
    r.add(new Object[] {HttpMethod.POST, "/api/conversations/" + id + "/typing", null});
    return r;
  }

  @TestFactory
  Stream<DynamicTest> conversationsOfOthersAreNotFound() {
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put("Alice and Bob's direct conversation", n.aliceBob);
    targets.put("Alice's group", n.aliceGroup);
    targets.putAll(badIds());
    List<DynamicTest> tests = new ArrayList<>();
    targets.forEach(
        (what, id) -> {
          for (Object[] route : routes(id)) {
            HttpMethod m = (HttpMethod) route[0];
            String path = ((String) route[1]).replace(id, "{" + what + "}");
            tests.add(
                named(
                    m + " " + path,
                    () -> {
                      Reply r =
                          n.refused(
                              404,
                              "conversation_not_found",
                              () ->
                                  n.json(
                                      m,
                                      (String) route[1],
                                      (JsonObject) route[2],
                                      n.mallory.token()));
                      assertThat(r.body()).doesNotContain("hello Bob").doesNotContain(n.alice.id());
                    }));
          }
        });
    return tests.stream();
  }

  @Test
  void theSameAnswerForAConversationOneIsNotInAsForNone() {
    Reply theirs = Reply.of(n.get("/api/conversations/" + n.aliceBob, n.mallory.token()));
    Reply none = Reply.of(n.get("/api/conversations/0123456789abcdef01234567", n.mallory.token()));
    assertThat(theirs.status()).isEqualTo(none.status());
    assertThat(theirs.body()).isEqualTo(none.body());
  }

  @TestFactory
  Stream<DynamicTest> membersWhoAreNotAdminsCannotAdminister() {
    return Stream.of(
        n.refusedTest("rename", 403, "not_admin", () -> rename(n.aliceGroup, "Bob's now", n.bob)),
        n.refusedTest(
            "add a member",
            403,
            "not_admin",
            () -> addMembers(n.aliceGroup, ids(n.mallory), n.bob)),
        n.refusedTest(
            "remove another member",
            403,
            "not_admin",
            () -> removeMember(n.aliceGroup, n.carol.id(), n.bob)),
        n.refusedTest(
            "remove the admin",
            403,
            "not_admin",
            () -> removeMember(n.aliceGroup, n.alice.id(), n.bob)));
  }

  @TestFactory
  Stream<DynamicTest> directConversationsAreNotGroups() {
    return Stream.of(
        n.refusedTest("rename", 400, "not_a_group", () -> rename(n.aliceBob, "Us", n.alice)),
        n.refusedTest(
            "add a member",
            400,
            "not_a_group",
            () -> addMembers(n.aliceBob, ids(n.carol), n.alice)),
        n.refusedTest(
            "remove the other member",
            400,
            "not_a_group",
            () -> removeMember(n.aliceBob, n.bob.id(), n.alice)));
  }

  @TestFactory
  Stream<DynamicTest> removingSomeoneWhoIsNotAMember() {
    Map<String, String> who = new LinkedHashMap<>();
    who.put("a user who is not a member", n.mallory.id());
    who.put("an unknown user", "0123456789abcdef01234567");
    who.put("not an id", "bob");
    who.put("an encoded operator", "%7B%22%24ne%22%3Anull%7D");
    who.put("an encoded regex", "%2E%2A");
    return n.refusedEach(
        who, 404, "member_not_found", id -> removeMember(n.aliceGroup, id, n.alice));
  }

  @TestFactory
  Stream<DynamicTest> addingBadMembers() {
    JsonArray hundredAndOne = new JsonArray();
    for (int i = 0; i < 101; i++) {
      hundredAndOne.add(String.format("%024x", i + 1));
    }
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put("nobody", new Object[] {new JsonArray(), 400, "validation_failed"});
    cases.put("101 users", new Object[] {hundredAndOne, 400, "validation_failed"});
    cases.put(
        "an unknown user",
        new Object[] {new JsonArray().add("0123456789abcdef01234567"), 404, "user_not_found"});
    cases.put("not an id", new Object[] {new JsonArray().add("mallory"), 400, "validation_failed"});
    return eachCase(
        cases,
        c ->
            n.refused(
                (int) c[1],
                (String) c[2],
                () ->
                    n.json(
                        HttpMethod.POST,
                        "/api/conversations/" + n.aliceGroup + "/members",
                        new JsonObject().put("userIds", c[0]),
                        n.alice.token())));
  }

  @TestFactory
  Stream<DynamicTest> renameBodies() {
    return BodyCases.of(
        n,
        new Route(
            "PATCH /api/conversations/{id}",
            HttpMethod.PATCH,
            () -> "/api/conversations/" + n.aliceGroup,
            () -> n.alice.token(),
            () -> new JsonObject().put("title", "Bouldering"),
            BodyCases.fields("title", STRING),
            Set.of("title")))
        .stream();
  }

  @TestFactory
  Stream<DynamicTest> addMembersBodies() {
    return BodyCases.of(
        n,
        new Route(
            "POST /api/conversations/{id}/members",
            HttpMethod.POST,
            () -> "/api/conversations/" + n.aliceGroup + "/members",
            () -> n.alice.token(),
            () -> new JsonObject().put("userIds", ids(n.mallory)),
            BodyCases.fields("userIds", STRING_ARRAY),
            Set.of("userIds")))
        .stream();
  }

  @TestFactory
  Stream<DynamicTest> titlesWithControlCharactersAreRefused() {
    Map<String, String> titles = new LinkedHashMap<>();
    titles.put("a NUL", "Climb\0ing");
    titles.put("a line break", "Climbing\r\nAdmins: Mallory");
    titles.put("an escape sequence", "Climbing\u001b[2J");
    List<DynamicTest> tests = new ArrayList<>();
    titles.forEach(
        (what, title) -> {
          tests.add(
              n.refusedTest(
                  "create with " + what,
                  400,
                  "validation_failed",
                  () ->
                      n.json(
                          HttpMethod.POST,
                          "/api/conversations",
                          new JsonObject()
                              .put("type", "group")
                              .put("memberIds", ids(n.carol))
                              .put("title", title),
                          n.mallory.token())));
          tests.add(
              n.refusedTest(
                  "rename with " + what,
                  400,
                  "validation_failed",
                  () -> rename(n.aliceGroup, title, n.alice)));
        });
    return tests.stream();
  }

  // --- the list ---------------------------------------------------------------------------------

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @TestFactory
  Stream<DynamicTest> listQueriesAreChecked() {
    String forgedCursor =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"$gt\":\"\"}".getBytes(StandardCharsets.US_ASCII));
    Map<String, Object[]> cases = new LinkedHashMap<>();
    for (String limit :
        List.of(
            "0",
            "101",
            "-1",
            "abc",
            "1e3",
            "1.5",
            "0x10",
            "99999999999999999999",
            enc("{\"$gt\":0}"))) {
      cases.put("limit=" + limit, new Object[] {"?limit=" + limit, "validation_failed"});
    }
    cases.put("two limits", new Object[] {"?limit=1&limit=2", "validation_failed"});
    for (String archived : List.of("maybe", "TRUE", "2", enc("{\"$ne\":true}"))) {
      cases.put(
          "archived=" + archived, new Object[] {"?archived=" + archived, "validation_failed"});
    }
    cases.put("a cursor that is not one", new Object[] {"?cursor=xyz", "invalid_cursor"});
    cases.put(
        "a cursor hiding an operator", new Object[] {"?cursor=" + forgedCursor, "invalid_cursor"});
    cases.put(
        "a cursor that is an operator",
        new Object[] {"?cursor=" + enc("{\"$ne\":null}"), "invalid_cursor"});
    cases.put(
        "a 300-character cursor", new Object[] {"?cursor=" + "A".repeat(300), "validation_failed"});
    cases.put("two cursors", new Object[] {"?cursor=a&cursor=b", "validation_failed"});
    return eachCase(
        cases,
        c ->
            n.refused(
                400, (String) c[1], () -> n.get("/api/conversations" + c[0], n.mallory.token())));
  }

  @TestFactory
  Stream<DynamicTest> ignoredQueryParametersShowOnlyTheCallersConversations() {
    List<String> queries =
        List.of(
            "?limit[$gt]=0",
            "?members[$ne]=" + n.mallory.id(),
            "?userId=" + n.alice.id(),
            "?archived[$ne]=true",
            "?cursor=");
    return queries.stream()
        .map(
            q ->
                named(
                    q,
                    () -> {
                      var res =
                          n.harmless(() -> n.get("/api/conversations" + q, n.mallory.token()));
                      assertThat(res.statusCode()).isEqualTo(200);
                      assertThat(res.bodyAsString())
                          .contains(n.malloryCarol)
                          .doesNotContain(n.aliceBob)
                          .doesNotContain(n.aliceGroup);
                    }));
  }

  @Test
  void anotherUsersCursorShowsOnlyTheCallersConversations() {
    // Alice pages through her list; Mallory replays Alice's cursor
    var page = n.get("/api/conversations?limit=1", n.alice.token()).bodyAsJsonObject();
    String cursor = page.getString("nextCursor");
    assertThat(cursor).isNotNull();
    var res =
        n.harmless(() -> n.get("/api/conversations?cursor=" + enc(cursor), n.mallory.token()));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.bodyAsString()).doesNotContain(n.aliceBob).doesNotContain(n.aliceGroup);
  }
}
