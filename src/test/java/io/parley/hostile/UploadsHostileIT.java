package io.parley.hostile;

import static io.parley.hostile.BodyCases.Kind.INTEGER;
import static io.parley.hostile.BodyCases.Kind.STRING;
import static io.parley.hostile.HostileNode.eachCase;
import static io.parley.hostile.HostileNode.named;
import static io.parley.testing.Uploads.createBody;
import static io.parley.testing.Uploads.png;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.hostile.BodyCases.Route;
import io.parley.hostile.HostileNode.Reply;
import io.parley.testing.Api.Account;
import io.parley.testing.Uploads;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile requests against attachments (local storage): starting uploads in other people's
 * conversations or with lying names, types and sizes; PUTting bytes without the right token, type
 * or size; completing and downloading other people's uploads. Neither the database nor the upload
 * folder changes.
 */
class UploadsHostileIT extends HostileSuite {
  static final int MAX = 64 * 1024;

  /** Alice's upload in her conversation with Bob, started but never PUT. */
  JsonObject alicePending;

  /** Alice's ready upload that she never sent. */
  String aliceUnsent;

  /** Alice's ready upload, sent to Bob in a message. */
  String aliceSent;

  /** Mallory's own upload, started in her conversation with Carol. */
  JsonObject malloryPending;

  @Override
  HostileNode startNode(Path dir) {
    return HostileNode.start(dir, Map.of("MAX_FILE_SIZE", String.valueOf(MAX)));
  }

  @BeforeAll
  void uploads() {
    alicePending = n.startUpload(n.alice, n.aliceBob, "pending.png", "image/png", 100);
    aliceUnsent = n.readyUpload(n.alice, n.aliceBob, "unsent.png", png(120));
    aliceSent = n.readyUpload(n.alice, n.aliceBob, "sent.png", png(140));
    attach(n.alice, n.aliceBob, aliceSent);
    malloryPending = n.startUpload(n.mallory, n.malloryCarol, "mine.png", "image/png", 100);
  }

  private JsonObject attach(Account who, String conversationId, String uploadId) {
    var res =
        n.api.post(
            "/api/conversations/" + conversationId + "/messages",
            new JsonObject()
                .put("clientId", "attach-" + uploadId)
                .put("attachmentIds", new JsonArray().add(uploadId)),
            who.token());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject().getJsonObject("message");
  }

  // --- start ------------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> createBodies() {
    return BodyCases.of(
        n,
        new Route(
            "POST /api/uploads",
            HttpMethod.POST,
            () -> "/api/uploads",
            () -> n.mallory.token(),
            () -> createBody(n.malloryCarol, "holiday.png", "image/png", 100),
            BodyCases.fields(
                "conversationId",
                STRING,
                "filename",
                STRING,
                "contentType",
                STRING,
                "size",
                INTEGER),
            Set.of("conversationId", "filename", "contentType", "size"),
            "filename"))
        .stream();
  }

  @TestFactory
  Stream<DynamicTest> badUploadsAreNotStarted() {
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put(
        "in someone else's conversation",
        new Object[] {
          createBody(n.aliceBob, "a.png", "image/png", 100), 404, "conversation_not_found"
        });
    cases.put(
        "in a conversation id that is not one",
        new Object[] {
          createBody("../../etc", "a.png", "image/png", 100), 404, "conversation_not_found"
        });
    cases.put(
        "in an unknown conversation",
        new Object[] {
          createBody("0123456789abcdef01234567", "a.png", "image/png", 100),
          404,
          "conversation_not_found"
        });
    for (String name :
        List.of(
            "../../etc/passwd",
            "..\\..\\boot.ini",
            "photos/a.png",
            "C:a.png",
            "..",
            "%2e%2e%2fa.png",
            "a%2Fb.png",
            "a%00.png",
            "a\0.png",
            "a\r\nContent-Type: text/html.png",
            "a\u0007.png")) {
      cases.put(
          "named " + name.replace("\0", "\\0").replace("\r\n", "\\r\\n"),
          new Object[] {
            createBody(n.malloryCarol, name, "image/png", 100), 400, "invalid_filename"
          });
    }
    for (String type :
        List.of(
            "text/html",
            "image/svg+xml",
            "application/javascript",
            "application/x-msdownload",
            "application/octet-stream",
            "")) {
      cases.put(
          "of type '" + type + "'",
          new Object[] {
            createBody(n.malloryCarol, "a.png", type, 100),
            type.isEmpty() ? 400 : 415,
            type.isEmpty() ? "validation_failed" : "unsupported_type"
          });
    }
    cases.put(
        "of 0 bytes",
        new Object[] {
          createBody(n.malloryCarol, "a.png", "image/png", 0), 400, "validation_failed"
        });
    cases.put(
        "of -1 bytes",
        new Object[] {
          createBody(n.malloryCarol, "a.png", "image/png", -1), 400, "validation_failed"
        });
    cases.put(
        "one byte over the limit",
        new Object[] {
          createBody(n.malloryCarol, "a.png", "image/png", MAX + 1), 413, "file_too_large"
        });
    cases.put(
        "of 2^53 bytes",
        new Object[] {
          createBody(n.malloryCarol, "a.png", "image/png", 9007199254740991L), 413, "file_too_large"
        });
    return eachCase(
        cases,
        c ->
            n.refused(
                (int) c[1],
                (String) c[2],
                () ->
                    n.json(HttpMethod.POST, "/api/uploads", (JsonObject) c[0], n.mallory.token())));
  }

  // --- PUT the bytes ----------------------------------------------------------------------------

  private Reply put(JsonObject upload, Map<String, String> overrides, byte[] body) {
    Uploads.Answer a = n.putBytes(upload, overrides, body);
    Map<String, String> h = new HashMap<>();
    a.headers().forEach(e -> h.putIfAbsent(e.getKey().toLowerCase(), e.getValue()));
    return new Reply(a.status(), a.errorCode(), a.body().toString(StandardCharsets.UTF_8), h);
  }

  private static Map<String, String> with(String name, String value) {
    Map<String, String> m = new HashMap<>();
    m.put(name, value);
    return m;
  }

  @TestFactory
  Stream<DynamicTest> bytesAreRefusedWithoutTheRightTokenTypeAndSize() {
    String otherToken = malloryPending.getJsonObject("headers").getString("X-Upload-Token");
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(
        n.refusedTest(
            "no token",
            403,
            "invalid_upload_token",
            () -> put(alicePending, with("X-Upload-Token", null), png(100))));
    tests.add(
        n.refusedTest(
            "an empty token",
            403,
            "invalid_upload_token",
            () -> put(alicePending, with("X-Upload-Token", ""), png(100))));
    tests.add(
        n.refusedTest(
            "a wrong token",
            403,
            "invalid_upload_token",
            () -> put(alicePending, with("X-Upload-Token", "0".repeat(43)), png(100))));
    tests.add(
        n.refusedTest(
            "another upload's token",
            403,
            "invalid_upload_token",
            () -> put(alicePending, with("X-Upload-Token", otherToken), png(100))));
    tests.add(
        named(
            "a bearer token instead",
            () -> {
              Map<String, String> h = with("X-Upload-Token", null);
              h.put("Authorization", "Bearer " + n.alice.token());
              n.refused(403, "invalid_upload_token", () -> put(alicePending, h, png(100)));
            }));
    tests.add(
        named(
            "the token in the query",
            () -> {
              JsonObject u = alicePending.copy();
              String token = u.getJsonObject("headers").getString("X-Upload-Token");
              u.put("url", u.getString("url") + "?token=" + token + "&X-Upload-Token=" + token);
              n.refused(
                  403,
                  "invalid_upload_token",
                  () -> put(u, with("X-Upload-Token", null), png(100)));
            }));
    tests.add(
        n.refusedTest(
            "another type",
            415,
            "type_mismatch",
            () -> put(malloryPending, with("Content-Type", "text/html"), png(100))));
    tests.add(
        n.refusedTest(
            "no type",
            415,
            "type_mismatch",
            () -> put(malloryPending, with("Content-Type", null), png(100))));
    tests.add(
        n.refusedTest(
            "a longer body", 413, "file_too_large", () -> put(malloryPending, Map.of(), png(101))));
    tests.add(
        n.refusedTest(
            "a much longer body",
            413,
            "file_too_large",
            () -> put(malloryPending, Map.of(), png(MAX * 4))));
    tests.add(
        n.refusedTest(
            "a shorter body", 400, "size_mismatch", () -> put(malloryPending, Map.of(), png(99))));
    tests.add(
        n.refusedTest(
            "a Content-Length that lies low",
            413,
            "file_too_large",
            () -> {
              Uploads.Answer a =
                  Uploads.send(
                      n.http,
                      HttpMethod.PUT,
                      malloryPending.getString("url"),
                      headersOf(malloryPending),
                      true,
                      List.of(Buffer.buffer(png(60)), Buffer.buffer(png(60))));
              return new Reply(a.status(), a.errorCode(), a.body().toString(), Map.of());
            }));
    tests.add(
        n.refusedTest(
            "a Content-Length that is not a number",
            400,
            (String) null,
            () ->
                RawHttp.send(
                    n.port(),
                    "PUT",
                    "/api/uploads/" + malloryPending.getString("uploadId") + "/content",
                    with(headersOf(malloryPending), "Content-Length", "abc"),
                    null)));
    tests.add(
        named(
            "an unknown upload id",
            () -> {
              JsonObject u =
                  alicePending
                      .copy()
                      .put(
                          "url",
                          alicePending
                              .getString("url")
                              .replace(
                                  alicePending.getString("uploadId"), "0123456789abcdef01234567"));
              n.refused(404, "upload_not_found", () -> put(u, Map.of(), png(100)));
            }));
    tests.add(
        named(
            "an upload id that is not one",
            () -> {
              JsonObject u =
                  alicePending
                      .copy()
                      .put(
                          "url",
                          alicePending
                              .getString("url")
                              .replace(alicePending.getString("uploadId"), "..%2F..%2Fusers"));
              n.refused(404, "upload_not_found", () -> put(u, Map.of(), png(100)));
            }));
    return tests.stream();
  }

  private static Map<String, String> headersOf(JsonObject upload) {
    Map<String, String> h = io.parley.testing.Uploads.headers(upload);
    h.keySet().removeIf(k -> k.equalsIgnoreCase("content-length"));
    return h;
  }

  private static Map<String, String> with(Map<String, String> h, String name, String value) {
    h.put(name, value);
    return h;
  }

  @Test
  void aCompletedUploadTakesNoMoreBytes() {
    JsonObject u = n.startUpload(n.mallory, n.malloryCarol, "done.png", "image/png", 100);
    assertThat(put(u, Map.of(), png(100)).status()).isEqualTo(204);
    assertThat(
            n.api
                .post(
                    "/api/uploads/" + u.getString("uploadId") + "/complete",
                    null,
                    n.mallory.token())
                .statusCode())
        .isEqualTo(200);
    n.refused(409, "upload_already_complete", () -> put(u, Map.of(), png(100)));
  }

  // --- complete ---------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> onlyTheUploaderCompletes() {
    String id = alicePending.getString("uploadId");
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put("Mallory completes Alice's upload", new Object[] {id, n.mallory});
    cases.put("Bob (a member) completes Alice's upload", new Object[] {id, n.bob});
    cases.put("an unknown upload", new Object[] {"0123456789abcdef01234567", n.alice});
    cases.put("an upload id that is not one", new Object[] {"not-an-id", n.alice});
    cases.put("an encoded operator", new Object[] {"%7B%22%24ne%22%3Anull%7D", n.alice});
    return n.refusedEach(
        cases,
        404,
        "upload_not_found",
        c -> n.api.post("/api/uploads/" + c[0] + "/complete", null, ((Account) c[1]).token()));
  }

  @Test
  void completingBeforeTheBytesArriveChangesNothing() {
    n.refused(
        409,
        "content_missing",
        () ->
            n.api.post(
                "/api/uploads/" + alicePending.getString("uploadId") + "/complete",
                null,
                n.alice.token()));
  }

  @Test
  void contentThatIsNotItsTypeLeavesNothingBehind() {
    JsonObject u = n.startUpload(n.mallory, n.malloryCarol, "page.png", "image/png", 60);
    byte[] html =
        "<html><script>alert(document.domain)</script></html>".getBytes(StandardCharsets.US_ASCII);
    byte[] body = java.util.Arrays.copyOf(html, 60);
    java.util.Arrays.fill(body, html.length, 60, (byte) ' ');
    assertThat(put(u, Map.of(), body).status()).isEqualTo(204);
    var res =
        n.api.post(
            "/api/uploads/" + u.getString("uploadId") + "/complete", null, n.mallory.token());
    assertThat(res.statusCode()).isEqualTo(415);
    assertThat(io.parley.testing.Api.errorCode(res)).isEqualTo("type_mismatch");
    // refused completely: the record and every byte of it are gone, not half kept
    assertThat(n.db.findOne("uploads", new JsonObject().put("_id", u.getString("uploadId"))))
        .isNull();
    assertThat(Uploads.files(n.uploadDir)).noneMatch(f -> f.startsWith(u.getString("uploadId")));
  }

  // --- download ---------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> downloadsAreForMembersOnly() {
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put("Mallory downloads Alice's sent attachment", new Object[] {aliceSent, n.mallory});
    cases.put("Mallory downloads Alice's unsent upload", new Object[] {aliceUnsent, n.mallory});
    cases.put(
        "Mallory downloads Alice's pending upload",
        new Object[] {alicePending.getString("uploadId"), n.mallory});
    cases.put("an unknown upload", new Object[] {"0123456789abcdef01234567", n.bob});
    cases.put("an upload id that is not one", new Object[] {"..%2F..%2Fuploads", n.bob});
    cases.put("an encoded operator", new Object[] {"%7B%22%24ne%22%3Anull%7D", n.bob});
    cases.put("an upload id in upper case", new Object[] {aliceSent.toUpperCase(), n.bob});
    return eachCase(
        cases,
        c -> {
          Reply r =
              n.refused(
                  404,
                  "upload_not_found",
                  () -> n.get("/api/uploads/" + c[0], ((Account) c[1]).token()));
          assertThat(r.body()).doesNotContain("PNG");
        });
  }

  @Test
  void aMemberDownloadsASentAttachment() {
    var res = n.harmless(() -> n.get("/api/uploads/" + aliceSent, n.bob.token()));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.getHeader("Content-Disposition")).startsWith("attachment");
    assertThat(res.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @TestFactory
  Stream<DynamicTest> rangesOutsideTheFileAreRefused() {
    return Stream.of(
            "bytes=140-", "bytes=999999999999999999999-", "bytes=5-1", "bytes=-0", "bytes=200-300")
        .map(
            range ->
                named(
                    range,
                    () -> {
                      Map<String, String> h = HostileNode.bearer(n.bob.token());
                      h.put("Range", range);
                      Reply r =
                          n.refused(
                              416,
                              "range_not_satisfiable",
                              () ->
                                  n.api.raw(HttpMethod.GET, "/api/uploads/" + aliceSent, null, h));
                      assertThat(r.header("Content-Range")).isEqualTo("bytes */140");
                    }));
  }

  @TestFactory
  Stream<DynamicTest> oddRangesGetTheWholeFile() {
    return Stream.of("bytes=0-1,5-6", "items=0-10", "bytes=abc", "bytes=-", "bytes=--1")
        .map(
            range ->
                named(
                    range,
                    () -> {
                      Map<String, String> h = HostileNode.bearer(n.bob.token());
                      h.put("Range", range);
                      var res =
                          n.harmless(
                              () ->
                                  n.api.raw(HttpMethod.GET, "/api/uploads/" + aliceSent, null, h));
                      assertThat(res.statusCode()).isEqualTo(200);
                      assertThat(res.body().length()).isEqualTo(140);
                    }));
  }

  // --- issue 13, #5: access that outlives its reason -------------------------------------------

  @TestFactory
  Stream<DynamicTest> onlyTheUploaderReadsAnUnsentUpload() {
    return Stream.of(
        n.refusedTest(
            "Bob (a member) downloads Alice's ready upload she never sent",
            404,
            "upload_not_found",
            () -> n.get("/api/uploads/" + aliceUnsent, n.bob.token())),
        n.refusedTest(
            "Bob (a member) downloads Alice's pending upload",
            404,
            "upload_not_found",
            () -> n.get("/api/uploads/" + alicePending.getString("uploadId"), n.bob.token())));
  }

  @Test
  void theAttachmentsOfADeletedMessageAreGone() {
    String id = n.readyUpload(n.alice, n.aliceBob, "regret.png", png(160));
    JsonObject message = attach(n.alice, n.aliceBob, id);
    assertThat(n.get("/api/uploads/" + id, n.bob.token()).statusCode()).isEqualTo(200);
    assertThat(
            n.api.delete("/api/messages/" + message.getString("id"), n.alice.token()).statusCode())
        .isEqualTo(204);
    // the bytes may be removed from storage in the background, so only the answers are checked
    for (Account who : List.of(n.bob, n.alice)) {
      var res = n.get("/api/uploads/" + id, who.token());
      assertThat(res.statusCode()).as(who.name()).isEqualTo(404);
      assertThat(io.parley.testing.Api.errorCode(res)).isEqualTo("upload_not_found");
    }
  }

  // --- issue 13, #8: names that lie ------------------------------------------------------------

  /**
   * Bidi controls and other invisible format characters in a file name are stripped or refused
   * (either is allowed); they never reach the stored name that is echoed in Content-Disposition.
   */
  @TestFactory
  Stream<DynamicTest> fileNamesCarryNoBidiOrInvisibleCharacters() {
    Map<String, String> names = new LinkedHashMap<>();
    names.put("a right-to-left override", "invoice\u202Egnp.exe");
    names.put("a left-to-right isolate", "photo\u2066.png");
    names.put("a zero-width space", "pho\u200Bto.png");
    names.put("a zero-width joiner", "pho\u200Dto.png");
    names.put("an Arabic letter mark", "photo\u061C.png");
    names.put("a byte order mark", "\uFEFFphoto.png");
    return eachCase(
        names,
        name -> {
          DbSnapshot before = n.snapshot();
          var res =
              n.json(
                  HttpMethod.POST,
                  "/api/uploads",
                  createBody(n.malloryCarol, name, "image/png", 100),
                  n.mallory.token());
          if (res.statusCode() == 201) {
            JsonObject stored =
                n.db.findOne(
                    "uploads",
                    new JsonObject().put("_id", res.bodyAsJsonObject().getString("uploadId")));
            assertThat(stored.getString("filename").codePoints())
                .as("the stored name %s", stored.getString("filename"))
                .noneMatch(cp -> Character.getType(cp) == Character.FORMAT);
          } else {
            assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(400);
            assertThat(io.parley.testing.Api.errorCode(res)).isEqualTo("invalid_filename");
            assertThat(n.snapshot().diff(before)).isEmpty();
          }
        });
  }
}
