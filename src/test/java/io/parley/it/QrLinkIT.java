package io.parley.it;

import static io.parley.testing.Api.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api.Account;
import io.parley.testing.SingleNodeSuite;
import io.parley.testing.SseClient;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Linking a new device by scanning a QR code from a signed-in one. */
class QrLinkIT extends SingleNodeSuite {
  @Override
  protected Map<String, String> nodeEnv(Path dir) {
    TestNodes.operatorFile(dir, "auth:\n  qrCreateLimitPerMinute: 1000\n");
    return TestNodes.env(dir);
  }

  private JsonObject newChallenge() {
    var res =
        api.raw(
            HttpMethod.POST, "/api/auth/qr", null, Map.of("User-Agent", "Firefox on Linux (test)"));
    assertThat(res.statusCode()).isEqualTo(201);
    return res.bodyAsJsonObject();
  }

  private io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> image(
      JsonObject c, String secret) {
    return api.raw(
        HttpMethod.GET,
        "/api/auth/qr/" + c.getString("challengeId") + "/image.svg",
        null,
        secret == null ? Map.of() : Map.of("X-Requester-Secret", secret));
  }

  /** {@code POST /api/auth/qr/scan} of challenge {@code c}'s code, with this token. */
  private HttpResponse<Buffer> scan(JsonObject c, String token) {
    return api.post("/api/auth/qr/scan", new JsonObject().put("qr", c.getString("qr")), token);
  }

  /** {@code POST /api/auth/qr/approve} of challenge {@code c}'s code, with this token. */
  private HttpResponse<Buffer> approve(JsonObject c, String token) {
    return api.post("/api/auth/qr/approve", new JsonObject().put("qr", c.getString("qr")), token);
  }

  /** The QR hijack: a neighbour's code must not be readable by anyone but its requester. */
  @Test
  void theQrImageIsOnlyForTheHolderOfTheRequesterSecret() {
    JsonObject victim = newChallenge();
    JsonObject attacker = newChallenge();
    var noSecret = image(victim, null);
    assertThat(noSecret.statusCode()).isEqualTo(403);
    assertThat(errorCode(noSecret)).isEqualTo("invalid_secret");
    assertThat(noSecret.bodyAsString()).doesNotContain("<svg");
    var othersSecret = image(victim, attacker.getString("requesterSecret"));
    assertThat(othersSecret.statusCode()).isEqualTo(403);
    assertThat(othersSecret.bodyAsString()).doesNotContain("<svg");
    // the query form is not accepted for the image at all
    var inUrl =
        api.get(
            "/api/auth/qr/"
                + victim.getString("challengeId")
                + "/image.svg?secret="
                + victim.getString("requesterSecret"),
            null);
    assertThat(inUrl.statusCode()).isEqualTo(403);
    assertThat(image(victim, victim.getString("requesterSecret")).statusCode()).isEqualTo(200);
  }

  @Test
  void challengeIdsAreRandomNotCounted() {
    JsonObject a = newChallenge();
    JsonObject b = newChallenge();
    String ida = a.getString("challengeId");
    String idb = b.getString("challengeId");
    assertThat(ida).matches("[0-9a-f]{32}");
    assertThat(idb).matches("[0-9a-f]{32}");
    // an ObjectId made a second apart shares its leading timestamp and process bytes
    int same = 0;
    for (int i = 0; i < 32; i++) {
      same += ida.charAt(i) == idb.charAt(i) ? 1 : 0;
    }
    assertThat(same).isLessThan(16);
  }

  @Test
  void aSecretInTheUrlOpensOneWaitStreamOnly() {
    JsonObject c = newChallenge();
    String path =
        "/api/auth/qr/"
            + c.getString("challengeId")
            + "/events?secret="
            + c.getString("requesterSecret");
    try (SseClient first = SseClient.connect(http.vertx(), api.port(), path, Map.of())) {
      assertThat(first.status()).isEqualTo(200);
    }
    var again = api.get(path, null);
    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(errorCode(again)).isEqualTo("secret_already_used");
    // the header form keeps working
    try (SseClient header = SseClient.qrEvents(http.vertx(), api.port(), c, Map.of())) {
      assertThat(header.status()).isEqualTo(200);
    }
  }

  private io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> poll(
      JsonObject c, String secret) {
    return api.raw(
        HttpMethod.GET,
        "/api/auth/qr/" + c.getString("challengeId"),
        null,
        Map.of("X-Requester-Secret", secret));
  }

  @Test
  void aChallengeCarriesALongRandomTokenAndRendersAsSvg() {
    JsonObject c = newChallenge();
    String token = c.getString("qr").substring("parley:link:".length());
    assertThat(java.util.Base64.getUrlDecoder().decode(token).length * 8)
        .isGreaterThanOrEqualTo(128);
    assertThat(c.getString("requesterSecret")).isNotBlank().isNotEqualTo(token);
    assertThat(c.getString("qr")).doesNotContain(c.getString("requesterSecret"));
    Instant exp = Instant.parse(c.getString("expiresAt"));
    assertThat(exp).isBetween(Instant.now(), Instant.now().plusSeconds(121));
    var img = image(c, c.getString("requesterSecret"));
    assertThat(img.statusCode()).isEqualTo(200);
    assertThat(img.getHeader("Content-Type")).startsWith("image/svg+xml");
    assertThat(img.bodyAsString()).startsWith("<svg").contains("<path");
    var unknown =
        api.raw(
            HttpMethod.GET,
            "/api/auth/qr/" + "0".repeat(32) + "/image.svg",
            null,
            Map.of("X-Requester-Secret", c.getString("requesterSecret")));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(errorCode(unknown)).isEqualTo("qr_not_found");
  }

  @Test
  void scanThenApproveGivesTheNewDeviceItsOwnSessionOnce() {
    Account phone = api.register("Phone owner");
    JsonObject c = newChallenge();
    String secret = c.getString("requesterSecret");
    assertThat(poll(c, secret).bodyAsJsonObject().getString("status")).isEqualTo("pending");

    var scan = scan(c, phone.token());
    assertThat(scan.statusCode()).isEqualTo(200);
    assertThat(scan.bodyAsJsonObject().getString("userAgent")).isEqualTo("Firefox on Linux (test)");
    assertThat(scan.bodyAsJsonObject().getString("address")).isEqualTo("127.0.0.1");
    assertThat(scan.bodyAsJsonObject().getString("requestedAt")).isNotBlank();
    assertThat(poll(c, secret).bodyAsJsonObject().getString("status")).isEqualTo("scanned");

    var approve =
        api.post(
            "/api/auth/qr/approve",
            new JsonObject().put("qr", c.getString("qr")).put("deviceName", "Work laptop"),
            phone.token());
    assertThat(approve.statusCode()).isEqualTo(204);

    var redeemed = poll(c, secret);
    assertThat(redeemed.statusCode()).isEqualTo(200);
    JsonObject grant = redeemed.bodyAsJsonObject();
    assertThat(grant.getString("status")).isEqualTo("approved");
    assertThat(grant.getJsonObject("user").getString("id")).isEqualTo(phone.id());
    assertThat(grant.getJsonObject("session").getString("id")).isNotEqualTo(phone.sessionId());
    assertThat(grant.getJsonObject("session").getString("deviceName")).isEqualTo("Work laptop");
    var me = api.get("/api/users/me", grant.getString("token"));
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.bodyAsJsonObject().getString("id")).isEqualTo(phone.id());

    // single use
    var again = poll(c, secret);
    assertThat(again.statusCode()).isEqualTo(410);
    assertThat(errorCode(again)).isEqualTo("qr_used");
    var reapprove = approve(c, phone.token());
    assertThat(reapprove.statusCode()).isEqualTo(410);
    assertThat(scan(c, phone.token()).statusCode()).isEqualTo(410);
    assertThat(api.get("/api/sessions", phone.token()).bodyAsJsonObject().getJsonArray("sessions"))
        .hasSize(2);
  }

  @Test
  void theNewDeviceReceivesTheGrantOnItsEventStream() {
    Account phone = api.register("Streamer");
    JsonObject c = newChallenge();
    try (SseClient sse =
        SseClient.connect(
            http.vertx(),
            api.port(),
            "/api/auth/qr/"
                + c.getString("challengeId")
                + "/events?secret="
                + c.getString("requesterSecret"),
            Map.of())) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.header("Content-Type")).startsWith("text/event-stream");
      scan(c, phone.token());
      var scanned = sse.awaitEvent("qr.scanned", 5000);
      assertThat(scanned).isNotNull();
      approve(c, phone.token());
      var approved = sse.awaitEvent("qr.approved", 5000);
      assertThat(approved).isNotNull();
      String token = approved.json().getString("token");
      assertThat(api.get("/api/users/me", token).bodyAsJsonObject().getString("id"))
          .isEqualTo(phone.id());
      assertThat(sse.awaitEnd(5000)).isTrue();
      assertThat(sse.retry()).isNotNull();
    }
    // the stream redeemed it: polling now finds it used
    assertThat(poll(c, c.getString("requesterSecret")).statusCode()).isEqualTo(410);
  }

  @Test
  void aPhotoOfTheQrAloneRedeemsNothing() {
    Account phone = api.register("Victim");
    JsonObject c = newChallenge();
    scan(c, phone.token());
    approve(c, phone.token());
    String token = c.getString("qr").substring("parley:link:".length());
    for (String wrong : new String[] {token, "wrong-secret", ""}) {
      var res = poll(c, wrong);
      assertThat(res.statusCode()).isIn(403, 404);
      assertThat(res.bodyAsString()).doesNotContain("\"token\"");
    }
    var events =
        api.get("/api/auth/qr/" + c.getString("challengeId") + "/events?secret=" + token, null);
    assertThat(events.statusCode()).isEqualTo(403);
    // the rightful requester still gets it
    assertThat(poll(c, c.getString("requesterSecret")).statusCode()).isEqualTo(200);
  }

  @Test
  void scanningNeedsASignedInDeviceAndApprovalNeedsAScanFirst() {
    Account phone = api.register("Careful");
    Account other = api.register("Other");
    JsonObject c = newChallenge();
    assertThat(scan(c, null).statusCode()).isEqualTo(401);
    assertThat(scan(c, "forged.token.value").statusCode()).isEqualTo(401);
    var early = approve(c, phone.token());
    assertThat(early.statusCode()).isEqualTo(409);
    assertThat(errorCode(early)).isEqualTo("qr_not_scanned");
    assertThat(scan(c, phone.token()).statusCode()).isEqualTo(200);
    // another account cannot take over a scanned challenge
    assertThat(scan(c, other.token()).statusCode()).isEqualTo(409);
    assertThat(approve(c, other.token()).statusCode()).isEqualTo(409);
    assertThat(
            api.post(
                    "/api/auth/qr/scan",
                    new JsonObject().put("qr", "parley:link:nonsense"),
                    phone.token())
                .statusCode())
        .isEqualTo(404);
    assertThat(
            api.post(
                    "/api/auth/qr/scan",
                    new JsonObject().put("qr", new JsonObject().put("$ne", "")),
                    phone.token())
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void anExpiredChallengeIsRefusedEverywhereEvenIfStillStored() {
    Account phone = api.register("Late");
    JsonObject c = newChallenge();
    scan(c, phone.token());
    // time passes: the TTL index would remove it eventually; the code must refuse it regardless
    db.expire("qrchallenges", c.getString("challengeId"));
    var approve = approve(c, phone.token());
    assertThat(approve.statusCode()).isEqualTo(410);
    assertThat(errorCode(approve)).isEqualTo("qr_expired");
    var poll = poll(c, c.getString("requesterSecret"));
    assertThat(poll.statusCode()).isEqualTo(410);
    assertThat(errorCode(poll)).isEqualTo("qr_expired");
    assertThat(image(c, c.getString("requesterSecret")).statusCode()).isEqualTo(410);
  }
}
