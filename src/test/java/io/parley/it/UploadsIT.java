package io.parley.it;

import static io.parley.testing.Api.errorCode;
import static io.parley.testing.Uploads.createBody;
import static io.parley.testing.Uploads.png;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api.Account;
import io.parley.testing.Await;
import io.parley.testing.SingleNodeSuite;
import io.parley.testing.TestNodes;
import io.parley.testing.Uploads;
import io.parley.testing.Uploads.Answer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Attachments in local mode, end to end over real HTTP: the bytes on disk, the records in MongoDB.
 */
class UploadsIT extends SingleNodeSuite {
  static final long MAX = 64 * 1024;

  @Override
  protected Map<String, String> nodeEnv(Path dir) {
    Map<String, String> env = TestNodes.env(dir);
    env.put("MAX_FILE_SIZE", String.valueOf(MAX));
    return env;
  }

  Account ada;
  Account bob;
  Account eve;

  /** Registration is rate-limited per client address: a few users, a new group per test. */
  Account ada() {
    if (ada == null) {
      ada = api.register("Ada");
      bob = api.register("Bob");
      eve = api.register("Eve");
    }
    return ada;
  }

  /** Two users and a fresh conversation of theirs. */
  record Pair(Account a, Account b, String conversationId) {}

  Pair pair() {
    Account a = ada();
    return new Pair(a, bob, group(a, bob));
  }

  String group(Account a, Account b) {
    var res =
        api.post(
            "/api/conversations",
            new JsonObject()
                .put("type", "group")
                .put("title", "t")
                .put("memberIds", new JsonArray().add(b.id())),
            a.token());
    assertThat(res.statusCode()).isEqualTo(201);
    return res.bodyAsJsonObject().getJsonObject("conversation").getString("id");
  }

  JsonObject create(Account who, String conv, String name, String type, long size) {
    var res = api.post("/api/uploads", createBody(conv, name, type, size), who.token());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject();
  }

  Answer put(JsonObject ticket, byte[] body) {
    return Uploads.send(
        http,
        HttpMethod.PUT,
        ticket.getString("url"),
        headers(ticket),
        false,
        List.of(Buffer.buffer(body)));
  }

  static Map<String, String> headers(JsonObject ticket) {
    return Uploads.headers(ticket);
  }

  /** Create, PUT, complete: a ready upload. */
  String ready(Account who, String conv, String name, String type, byte[] bytes) {
    JsonObject t = create(who, conv, name, type, bytes.length);
    assertThat(put(t, bytes).status()).isEqualTo(204);
    var done = api.post("/api/uploads/" + t.getString("uploadId") + "/complete", null, who.token());
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    return t.getString("uploadId");
  }

  /** Sends a message carrying the upload; returns the stored message. */
  JsonObject sendWith(Account who, String conv, String uploadId) {
    var res = api.sendAttachments(who, conv, "with-" + uploadId, uploadId);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject().getJsonObject("message");
  }

  JsonObject record(String id) {
    return db.findOne("uploads", new JsonObject().put("_id", id));
  }

  List<String> filesOf(String id) {
    return Uploads.files(uploadDir).stream().filter(n -> n.startsWith(id)).toList();
  }

  // --- the happy path -------------------------------------------------------------------------

  @Test
  void uploadedFileIsStoredUnderAGeneratedNameAndServedToMembersAsAnAttachment() throws Exception {
    Pair p = pair();
    byte[] bytes = png(20_000);
    JsonObject t =
        create(p.a(), p.conversationId(), "holiday ünïcode \"pic\".png", "image/png", bytes.length);
    assertThat(t.getString("method")).isEqualTo("PUT");
    assertThat(t.getString("url"))
        .isEqualTo(
            "http://127.0.0.1:"
                + node.httpPort()
                + "/api/uploads/"
                + t.getString("uploadId")
                + "/content");
    assertThat(t.getJsonObject("headers").getString("Content-Type")).isEqualTo("image/png");
    assertThat(t.getJsonObject("headers").getString("X-Upload-Token")).hasSizeGreaterThan(40);
    assertThat(Instant.parse(t.getString("expiresAt"))).isAfter(Instant.now());
    String id = t.getString("uploadId");
    JsonObject pending = record(id);
    assertThat(pending.getString("status")).isEqualTo("pending");
    assertThat(pending.getString("owner")).isEqualTo(p.a().id());
    assertThat(pending.toString())
        .doesNotContain(t.getJsonObject("headers").getString("X-Upload-Token"));

    assertThat(put(t, bytes).status()).isEqualTo(204);
    var done = api.post("/api/uploads/" + id + "/complete", null, p.a().token());
    assertThat(done.statusCode()).isEqualTo(200);
    JsonObject upload = done.bodyAsJsonObject().getJsonObject("upload");
    assertThat(upload.getString("status")).isEqualTo("ready");
    assertThat(upload.getLong("size")).isEqualTo(bytes.length);
    assertThat(record(id).getString("status")).isEqualTo("ready");

    // one file, named by the server, holding exactly the bytes
    List<String> files = filesOf(id);
    assertThat(files).hasSize(1);
    assertThat(files.get(0)).matches("[0-9a-f]{24}-[0-9a-f]{32}");
    assertThat(Files.readAllBytes(uploadDir.resolve(files.get(0)))).isEqualTo(bytes);

    sendWith(p.a(), p.conversationId(), id);
    var got = api.get("/api/uploads/" + id, p.b().token());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body().getBytes()).isEqualTo(bytes);
    assertThat(got.getHeader("Content-Type")).isEqualTo("image/png");
    assertThat(got.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(got.getHeader("Content-Security-Policy")).isEqualTo("sandbox; default-src 'none'");
    String disposition = got.getHeader("Content-Disposition");
    assertThat(disposition).startsWith("attachment; filename=\"holiday _n_code _pic_.png\"");
    String encoded = disposition.substring(disposition.indexOf("filename*=UTF-8''") + 17);
    assertThat(URLDecoder.decode(encoded, StandardCharsets.UTF_8))
        .isEqualTo("holiday ünïcode \"pic\".png");

    // completing again changes nothing
    var again = api.post("/api/uploads/" + id + "/complete", null, p.a().token());
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(filesOf(id)).hasSize(1);
  }

  @Test
  void rangeRequestsGetPartialContent() {
    Pair p = pair();
    byte[] bytes = png(1000);
    String id = ready(p.a(), p.conversationId(), "r.png", "image/png", bytes);
    sendWith(p.a(), p.conversationId(), id);
    var part =
        api.raw(
            HttpMethod.GET,
            "/api/uploads/" + id,
            null,
            Map.of("Authorization", "Bearer " + p.b().token(), "Range", "bytes=100-199"));
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.getHeader("Content-Range")).isEqualTo("bytes 100-199/1000");
    assertThat(part.body().getBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 100, 200));
    var tail =
        api.raw(
            HttpMethod.GET,
            "/api/uploads/" + id,
            null,
            Map.of("Authorization", "Bearer " + p.b().token(), "Range", "bytes=-10"));
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.body().getBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 990, 1000));
    var outside =
        api.raw(
            HttpMethod.GET,
            "/api/uploads/" + id,
            null,
            Map.of("Authorization", "Bearer " + p.b().token(), "Range", "bytes=5000-"));
    assertThat(outside.statusCode()).isEqualTo(416);
    assertThat(outside.getHeader("Content-Range")).isEqualTo("bytes */1000");
  }

  @Test
  void plainTextIsServedAsUtf8Text() {
    Pair p = pair();
    byte[] bytes = "héllo, world\n".getBytes(StandardCharsets.UTF_8);
    String id = ready(p.a(), p.conversationId(), "note.txt", "text/plain", bytes);
    var got = api.get("/api/uploads/" + id, p.a().token());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.getHeader("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(got.bodyAsString()).isEqualTo("héllo, world\n");
  }

  // --- who may ----------------------------------------------------------------------------------

  @Test
  void onlyMembersCanStartAnUploadInAConversation() {
    Pair p = pair();
    Account stranger = eve;
    var res =
        api.post(
            "/api/uploads",
            createBody(p.conversationId(), "a.png", "image/png", 10),
            stranger.token());
    assertThat(res.statusCode()).isEqualTo(404);
    assertThat(errorCode(res)).isEqualTo("conversation_not_found");
    var notAnId =
        api.post("/api/uploads", createBody("../../etc", "a.png", "image/png", 10), p.a().token());
    assertThat(notAnId.statusCode()).isEqualTo(404);
    assertThat(errorCode(notAnId)).isEqualTo("conversation_not_found");
    assertThat(db.count("uploads", new JsonObject().put("owner", stranger.id()))).isZero();
    var anonymous =
        api.post("/api/uploads", createBody(p.conversationId(), "a.png", "image/png", 10), null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }

  @Test
  void nonMembersCannotDownloadAndCannotTellTheUploadExists() {
    Pair p = pair();
    String id = ready(p.a(), p.conversationId(), "p.png", "image/png", png(100));
    Account stranger = eve;
    var res = api.get("/api/uploads/" + id, stranger.token());
    assertThat(res.statusCode()).isEqualTo(404);
    assertThat(errorCode(res)).isEqualTo("upload_not_found");
    var unknown = api.get("/api/uploads/0123456789abcdef01234567", stranger.token());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(errorCode(unknown)).isEqualTo("upload_not_found");
    var notAnId = api.get("/api/uploads/..%2F..%2Fetc%2Fpasswd", p.a().token());
    assertThat(notAnId.statusCode()).isEqualTo(404);
  }

  /** An upload nobody was sent is its uploader's alone, whoever learns or guesses its id. */
  @Test
  void anUnsentUploadIsReadableByItsUploaderOnly() {
    Pair p = pair();
    byte[] bytes = png(300);
    String id = ready(p.a(), p.conversationId(), "draft.png", "image/png", bytes);
    var member = api.get("/api/uploads/" + id, p.b().token());
    assertThat(member.statusCode()).isEqualTo(404);
    assertThat(errorCode(member)).isEqualTo("upload_not_found");
    assertThat(api.get("/api/uploads/" + id, p.a().token()).body().getBytes()).isEqualTo(bytes);
    sendWith(p.a(), p.conversationId(), id);
    assertThat(api.get("/api/uploads/" + id, p.b().token()).body().getBytes()).isEqualTo(bytes);
  }

  @Test
  void theAttachmentsOfAMessageDeletedForEveryoneAreGone() {
    Pair p = pair();
    byte[] bytes = png(400);
    String id = ready(p.a(), p.conversationId(), "gone.png", "image/png", bytes);
    JsonObject m = sendWith(p.a(), p.conversationId(), id);
    assertThat(api.get("/api/uploads/" + id, p.b().token()).statusCode()).isEqualTo(200);
    assertThat(api.delete("/api/messages/" + m.getString("id"), p.a().token()).statusCode())
        .isEqualTo(204);
    for (Account who : List.of(p.a(), p.b())) {
      var res = api.get("/api/uploads/" + id, who.token());
      assertThat(res.statusCode()).isEqualTo(404);
      assertThat(errorCode(res)).isEqualTo("upload_not_found");
    }
    // and the bytes are deleted from storage, the record with them
    assertThat(Await.until(10_000, () -> filesOf(id).isEmpty() && record(id) == null)).isTrue();
    // nor can the deleted upload be sent again
    var resend = api.sendAttachments(p.a(), p.conversationId(), "again-" + id, id);
    assertThat(resend.statusCode()).isEqualTo(400);
    assertThat(errorCode(resend)).isEqualTo("attachment_not_found");
  }

  @Test
  void anUploadTwoMessagesCarrySurvivesTheDeletionOfOne() {
    Pair p = pair();
    byte[] bytes = png(500);
    String id = ready(p.a(), p.conversationId(), "twice.png", "image/png", bytes);
    JsonObject first = sendWith(p.a(), p.conversationId(), id);
    var second = api.sendAttachments(p.a(), p.conversationId(), "second-" + id, id);
    assertThat(second.statusCode()).isEqualTo(201);
    assertThat(api.delete("/api/messages/" + first.getString("id"), p.a().token()).statusCode())
        .isEqualTo(204);
    assertThat(api.get("/api/uploads/" + id, p.b().token()).body().getBytes()).isEqualTo(bytes);
  }

  @Test
  void namesWithDirectionOverridesOrInvisibleCharactersAreRefused() {
    Pair p = pair();
    long before = db.count("uploads", new JsonObject().put("owner", p.a().id()));
    for (String name :
        List.of(
            "invoice\u202Egpj.exe", // right-to-left override: reads "invoiceexe.jpg"
            "a\u200Bb.png", // zero-width space
            "\u2066x\u2069.png", // isolates
            "x\u00AD.png", // soft hyphen
            "\u3164.png", // Hangul filler
            "x\uFEFF.png")) { // zero-width no-break space
      var res =
          api.post(
              "/api/uploads", createBody(p.conversationId(), name, "image/png", 10), p.a().token());
      assertThat(res.statusCode()).as(name).isEqualTo(400);
      assertThat(errorCode(res)).as(name).isEqualTo("invalid_filename");
    }
    assertThat(db.count("uploads", new JsonObject().put("owner", p.a().id()))).isEqualTo(before);
  }

  @Test
  void aFileWhoseNameIsNotItsTypeIsServedAsBytes() {
    Pair p = pair();
    byte[] text = "just text\n".getBytes(StandardCharsets.UTF_8);
    String id = ready(p.a(), p.conversationId(), "invoice.exe", "text/plain", text);
    var got = api.get("/api/uploads/" + id, p.a().token());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.getHeader("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(got.getHeader("Content-Disposition")).startsWith("attachment;");
    assertThat(got.body().getBytes()).isEqualTo(text);
  }

  @Test
  void anotherUsersUploadCannotBeCompletedOrWrittenWithoutItsToken() {
    Pair p = pair();
    byte[] bytes = png(100);
    JsonObject t = create(p.a(), p.conversationId(), "a.png", "image/png", bytes.length);
    String id = t.getString("uploadId");
    var complete = api.post("/api/uploads/" + id + "/complete", null, p.b().token());
    assertThat(complete.statusCode()).isEqualTo(404);
    assertThat(errorCode(complete)).isEqualTo("upload_not_found");
    var bad = api.post("/api/uploads/not-an-id/complete", null, p.a().token());
    assertThat(bad.statusCode()).isEqualTo(404);

    // a forged token
    Map<String, String> forged = headers(t);
    forged.put("X-Upload-Token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    Answer a =
        Uploads.send(
            http, HttpMethod.PUT, t.getString("url"), forged, false, List.of(Buffer.buffer(bytes)));
    assertThat(a.status()).isEqualTo(403);
    assertThat(a.errorCode()).isEqualTo("invalid_upload_token");
    Map<String, String> none = headers(t);
    none.remove("X-Upload-Token");
    Answer b =
        Uploads.send(
            http, HttpMethod.PUT, t.getString("url"), none, false, List.of(Buffer.buffer(bytes)));
    assertThat(b.status()).isEqualTo(403);
    // a token of another upload
    JsonObject other = create(p.a(), p.conversationId(), "b.png", "image/png", bytes.length);
    Map<String, String> swapped = headers(t);
    swapped.put("X-Upload-Token", other.getJsonObject("headers").getString("X-Upload-Token"));
    Answer c =
        Uploads.send(
            http,
            HttpMethod.PUT,
            t.getString("url"),
            swapped,
            false,
            List.of(Buffer.buffer(bytes)));
    assertThat(c.status()).isEqualTo(403);
    assertThat(filesOf(id)).isEmpty();
    // an upload id that is not one
    Answer d =
        Uploads.send(
            http,
            HttpMethod.PUT,
            "http://127.0.0.1:" + node.httpPort() + "/api/uploads/..%2F..%2Fx/content",
            headers(t),
            false,
            List.of(Buffer.buffer(bytes)));
    assertThat(d.status()).isEqualTo(404);
    assertThat(Uploads.files(dir)).doesNotContain("x");
  }

  @Test
  void anExpiredUploadTokenIsRefused() {
    Pair p = pair();
    byte[] bytes = png(100);
    JsonObject t = create(p.a(), p.conversationId(), "a.png", "image/png", bytes.length);
    String id = t.getString("uploadId");
    db.expire("uploads", id);
    Answer a = put(t, bytes);
    assertThat(a.status()).isEqualTo(403);
    assertThat(a.errorCode()).isEqualTo("upload_token_expired");
    assertThat(filesOf(id)).isEmpty();
    var complete = api.post("/api/uploads/" + id + "/complete", null, p.a().token());
    assertThat(complete.statusCode()).isEqualTo(410);
    assertThat(errorCode(complete)).isEqualTo("upload_expired");
  }

  // --- bad input
  // ----------------------------------------------------------------------------------

  @Test
  void oversizedAndDisallowedUploadsAreRefusedUpFront() {
    Pair p = pair();
    long before = db.count("uploads", new JsonObject());
    var big =
        api.post(
            "/api/uploads",
            createBody(p.conversationId(), "a.png", "image/png", MAX + 1),
            p.a().token());
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(errorCode(big)).isEqualTo("file_too_large");
    for (String type :
        List.of(
            "text/html", "image/svg+xml", "application/javascript", "application/octet-stream")) {
      var res =
          api.post(
              "/api/uploads", createBody(p.conversationId(), "a.bin", type, 10), p.a().token());
      assertThat(res.statusCode()).as(type).isEqualTo(415);
      assertThat(errorCode(res)).isEqualTo("unsupported_type");
    }
    var empty =
        api.post(
            "/api/uploads", createBody(p.conversationId(), "a.png", "image/png", 0), p.a().token());
    assertThat(empty.statusCode()).isEqualTo(400);
    var extra =
        api.post(
            "/api/uploads",
            createBody(p.conversationId(), "a.png", "image/png", 10).put("storageKey", "../x"),
            p.a().token());
    assertThat(extra.statusCode()).isEqualTo(400);
    assertThat(db.count("uploads", new JsonObject())).isEqualTo(before);
  }

  @Test
  void fileNamesThatLookLikePathsAreRefused() {
    Pair p = pair();
    long before = db.count("uploads", new JsonObject());
    for (String name :
        List.of(
            "../../etc/passwd",
            "..",
            "/etc/passwd",
            "C:\\Windows\\win.ini",
            "a\u0000.png",
            "..%2F..%2Fetc%2Fpasswd",
            "%2e%2e%2fx.png",
            "%252e%252e%252fx.png",
            "a%00.png",
            "dir\\a.png",
            "line\nbreak.png")) {
      var res =
          api.post(
              "/api/uploads", createBody(p.conversationId(), name, "image/png", 10), p.a().token());
      assertThat(res.statusCode()).as(name).isEqualTo(400);
      assertThat(errorCode(res)).as(name).isEqualTo("invalid_filename");
    }
    assertThat(db.count("uploads", new JsonObject())).isEqualTo(before);
  }

  @Test
  void htmlDeclaredAsAnImageIsRefusedAtCompletionAndRemoved() {
    Pair p = pair();
    byte[] html =
        "<!DOCTYPE html><script>alert(document.cookie)</script>".getBytes(StandardCharsets.UTF_8);
    JsonObject t = create(p.a(), p.conversationId(), "cat.png", "image/png", html.length);
    String id = t.getString("uploadId");
    assertThat(put(t, html).status()).isEqualTo(204);
    var res = api.post("/api/uploads/" + id + "/complete", null, p.a().token());
    assertThat(res.statusCode()).isEqualTo(415);
    assertThat(errorCode(res)).isEqualTo("type_mismatch");
    assertThat(record(id)).isNull();
    assertThat(filesOf(id)).isEmpty();

    // and markup is not plain text either
    JsonObject t2 = create(p.a(), p.conversationId(), "x.txt", "text/plain", html.length);
    assertThat(put(t2, html).status()).isEqualTo(204);
    var res2 =
        api.post("/api/uploads/" + t2.getString("uploadId") + "/complete", null, p.a().token());
    assertThat(res2.statusCode()).isEqualTo(415);
    assertThat(filesOf(t2.getString("uploadId"))).isEmpty();
  }

  @Test
  void aPutWithAnotherContentTypeIsRefused() {
    Pair p = pair();
    byte[] bytes = png(100);
    JsonObject t = create(p.a(), p.conversationId(), "a.png", "image/png", bytes.length);
    Map<String, String> h = headers(t);
    h.put("Content-Type", "text/html");
    Answer a =
        Uploads.send(
            http, HttpMethod.PUT, t.getString("url"), h, false, List.of(Buffer.buffer(bytes)));
    assertThat(a.status()).isEqualTo(415);
    assertThat(filesOf(t.getString("uploadId"))).isEmpty();
  }

  @Test
  void aBodyLargerThanDeclaredIsCutOffWith413AndLeavesNothing() {
    Pair p = pair();
    JsonObject t = create(p.a(), p.conversationId(), "a.png", "image/png", 1000);
    String id = t.getString("uploadId");
    // Content-Length above the declared size: refused before reading
    Answer a = put(t, png(5000));
    assertThat(a.status()).isEqualTo(413);
    assertThat(a.errorCode()).isEqualTo("file_too_large");
    // chunked, so no length up front: cut off when the count passes the declared size
    Answer b =
        Uploads.send(
            http,
            HttpMethod.PUT,
            t.getString("url"),
            headers(t),
            true,
            List.of(
                Buffer.buffer(png(600)),
                Buffer.buffer(new byte[600]),
                Buffer.buffer(new byte[600])));
    assertThat(b.status()).isEqualTo(413);
    assertThat(filesOf(id)).isEmpty();
    assertThat(Uploads.files(uploadDir)).noneMatch(n -> n.endsWith(".tmp"));
    // far beyond MAX_FILE_SIZE, streamed
    List<Buffer> huge = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      huge.add(Buffer.buffer(new byte[8192]));
    }
    Answer c = Uploads.send(http, HttpMethod.PUT, t.getString("url"), headers(t), true, huge);
    assertThat(c.status()).isIn(0, 413);
    assertThat(filesOf(id)).isEmpty();
    // the record stays pending: a correct PUT still works
    assertThat(put(t, png(1000)).status()).isEqualTo(204);
    assertThat(api.post("/api/uploads/" + id + "/complete", null, p.a().token()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aShortBodyIsRefusedAndLeavesNothing() {
    Pair p = pair();
    JsonObject t = create(p.a(), p.conversationId(), "a.png", "image/png", 1000);
    String id = t.getString("uploadId");
    Answer a = put(t, png(999));
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.errorCode()).isEqualTo("size_mismatch");
    assertThat(filesOf(id)).isEmpty();
    var res = api.post("/api/uploads/" + id + "/complete", null, p.a().token());
    assertThat(res.statusCode()).isEqualTo(409);
    assertThat(errorCode(res)).isEqualTo("content_missing");
    assertThat(record(id).getString("status")).isEqualTo("pending");
  }

  @Test
  void aCompletedUploadCannotBeOverwritten() throws Exception {
    Pair p = pair();
    byte[] bytes = png(100);
    JsonObject t = create(p.a(), p.conversationId(), "a.png", "image/png", bytes.length);
    assertThat(put(t, bytes).status()).isEqualTo(204);
    assertThat(
            api.post("/api/uploads/" + t.getString("uploadId") + "/complete", null, p.a().token())
                .statusCode())
        .isEqualTo(200);
    byte[] other = png(100);
    other[50] ^= 1;
    Answer again = put(t, other);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.errorCode()).isEqualTo("upload_already_complete");
    assertThat(api.get("/api/uploads/" + t.getString("uploadId"), p.a().token()).body().getBytes())
        .isEqualTo(bytes);
  }

  // --- messages with attachments -------------------------------------------------------------

  @Test
  void aMessageCarriesTheSendersReadyUploadsOfItsConversation() {
    Pair p = pair();
    String first = ready(p.a(), p.conversationId(), "one.png", "image/png", png(300));
    String second =
        ready(
            p.a(),
            p.conversationId(),
            "two.pdf",
            "application/pdf",
            "%PDF-1.7\n%abc\n".getBytes(StandardCharsets.US_ASCII));
    var res = api.sendAttachments(p.a(), p.conversationId(), "att-1", first, second);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    JsonArray atts = res.bodyAsJsonObject().getJsonObject("message").getJsonArray("attachments");
    assertThat(atts).hasSize(2);
    assertThat(atts.getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("uploadId", first)
                .put("filename", "one.png")
                .put("contentType", "image/png")
                .put("size", 300));
    assertThat(atts.getJsonObject(1).getString("contentType")).isEqualTo("application/pdf");

    var history = api.get("/api/conversations/" + p.conversationId() + "/messages", p.b().token());
    JsonObject m = history.bodyAsJsonObject().getJsonArray("messages").getJsonObject(0);
    assertThat(m.getJsonArray("attachments")).isEqualTo(atts);
    JsonObject stored =
        db.findOne("messages", new JsonObject().put("conversationId", p.conversationId()));
    assertThat(stored.getJsonArray("attachments")).isEqualTo(atts);

    // the same send again is the same message
    var repeat = api.sendAttachments(p.a(), p.conversationId(), "att-1", first, second);
    assertThat(repeat.statusCode()).isEqualTo(200);
  }

  @Test
  void attachmentsThatAreNotTheSendersReadyUploadsOfTheConversationAreRefused() {
    Pair p = pair();
    String otherConversation = group(p.a(), eve);
    String bobs = ready(p.b(), p.conversationId(), "b.png", "image/png", png(100));
    String elsewhere = ready(p.a(), otherConversation, "e.png", "image/png", png(100));
    String pending =
        create(p.a(), p.conversationId(), "p.png", "image/png", 100).getString("uploadId");

    Map<Object, String> cases = new java.util.LinkedHashMap<>();
    cases.put(new JsonArray().add(bobs), "attachment_not_found");
    cases.put(new JsonArray().add(elsewhere), "attachment_wrong_conversation");
    cases.put(new JsonArray().add(pending), "attachment_not_ready");
    cases.put(new JsonArray().add("0123456789abcdef01234567"), "attachment_not_found");
    cases.put(new JsonArray().add("../../x"), "attachment_not_found");
    int i = 0;
    for (var c : cases.entrySet()) {
      var res =
          api.post(
              "/api/conversations/" + p.conversationId() + "/messages",
              new JsonObject()
                  .put("clientId", "bad-" + i++)
                  .put("text", "hi")
                  .put("attachmentIds", c.getKey()),
              p.a().token());
      assertThat(res.statusCode()).as(c.getValue()).isEqualTo(400);
      assertThat(errorCode(res)).isEqualTo(c.getValue());
    }
    var wrongType =
        api.post(
            "/api/conversations/" + p.conversationId() + "/messages",
            new JsonObject().put("clientId", "bad-x").put("attachmentIds", "abc"),
            p.a().token());
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(db.count("messages", new JsonObject().put("conversationId", p.conversationId())))
        .isZero();
    // nothing was taken: the next good send is seq 1
    var ok =
        api.post(
            "/api/conversations/" + p.conversationId() + "/messages",
            new JsonObject().put("clientId", "bad-0").put("text", "hi"),
            p.a().token());
    assertThat(ok.statusCode()).isEqualTo(201);
    assertThat(ok.bodyAsJsonObject().getJsonObject("message").getLong("seq")).isEqualTo(1L);
  }
}
