package io.parley.hostile;

import static io.parley.hostile.BodyCases.Kind.STRING;
import static io.parley.hostile.HostileNode.named;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.hostile.BodyCases.Route;
import io.parley.hostile.HostileNode.Reply;
import io.parley.testing.Api.Account;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
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
 * Hostile requests against the QR device link: reading, polling and waiting on a challenge without
 * its requester secret, guessed challenge ids and QR tokens, scanning or approving someone else's
 * challenge, and reusing a redeemed one.
 */
class QrHostileIT extends HostileSuite {
  static final String SECRET = "X-Requester-Secret";

  /** A challenge of a victim's new device, still pending. */
  Challenge victim;

  /** One of the attacker's own, with its secret. */
  Challenge attacker;

  record Challenge(String id, String qr, String secret) {
    String token() {
      return qr.substring("parley:link:".length());
    }
  }

  @Override
  HostileNode startNode(Path dir) {
    return HostileNode.start(dir, Map.of(), "auth:\n  qrCreateLimitPerMinute: 100000\n");
  }

  @BeforeAll
  void challenges() {
    victim = create();
    attacker = create();
  }

  Challenge create() {
    var res = n.api.post("/api/auth/qr", null, null);
    assertThat(res.statusCode()).isEqualTo(201);
    JsonObject c = res.bodyAsJsonObject();
    return new Challenge(
        c.getString("challengeId"), c.getString("qr"), c.getString("requesterSecret"));
  }

  private Reply get(String path, String secret) {
    Map<String, String> h = new LinkedHashMap<>();
    if (secret != null) {
      h.put(SECRET, secret);
    }
    return Reply.of(n.api.raw(HttpMethod.GET, path, null, h));
  }

  private Reply scan(Account who, String qr) {
    return Reply.of(n.api.post("/api/auth/qr/scan", new JsonObject().put("qr", qr), who.token()));
  }

  private Reply approve(Account who, String qr) {
    return Reply.of(
        n.api.post(
            "/api/auth/qr/approve",
            new JsonObject().put("qr", qr).put("deviceName", "attacker"),
            who.token()));
  }

  // --- reading a challenge needs its secret -----------------------------------------------------

  @TestFactory
  Stream<DynamicTest> pollingAndWaitingNeedTheSecret() {
    return Stream.concat(withoutTheSecret("").stream(), withoutTheSecret("/events").stream());
  }

  /** {@code GET /api/auth/qr/{id}<read>} of the victim's challenge with anything but its secret. */
  List<DynamicTest> withoutTheSecret(String read) {
    List<DynamicTest> tests = new ArrayList<>();
    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("no secret", null);
    secrets.put("an empty secret", "");
    secrets.put("a wrong secret", "0".repeat(43));
    secrets.put("the attacker's own challenge's secret", attacker.secret());
    secrets.put("an operator as the secret", "{\"$ne\":null}");
    secrets.put("a 4 KB secret", "s".repeat(4000));
    secrets.forEach(
        (what, secret) ->
            tests.add(
                named(
                    "GET /api/auth/qr/{id}" + read + " with " + what,
                    () -> {
                      Reply r =
                          n.refused(
                              403,
                              "invalid_secret",
                              () -> get("/api/auth/qr/" + victim.id() + read, secret));
                      assertThat(r.body()).doesNotContain("<svg").doesNotContain(victim.token());
                    })));
    tests.add(
        n.refusedTest(
            "GET /api/auth/qr/{id}" + read + " with ?secret[$ne]= instead of the secret",
            403,
            "invalid_secret",
            () -> get("/api/auth/qr/" + victim.id() + read + "?secret[$ne]=x", null)));
    return tests;
  }

  @Test
  void theImageIsServedWithTheRightSecret() {
    Reply r = n.harmless(() -> get("/api/auth/qr/" + victim.id() + "/image.svg", victim.secret()));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("<svg");
  }

  @Test
  void pollingWithTheRightSecretChangesNothing() {
    Reply r = n.harmless(() -> get("/api/auth/qr/" + victim.id(), victim.secret()));
    assertThat(r.status()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("status")).isEqualTo("pending");
  }

  @TestFactory
  Stream<DynamicTest> unknownAndMalformedChallengesAreNotFound() {
    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("an unknown id", "0123456789abcdef01234567");
    ids.put("the victim's id in upper case", victim.id().toUpperCase());
    ids.put("the victim's id with one more digit", victim.id() + "0");
    ids.put("the QR token instead of the id", victim.token());
    ids.put("an encoded operator", "%7B%22%24ne%22%3Anull%7D");
    ids.put("an encoded regex", "%2E%2A");
    ids.put("an encoded path", "..%2F..%2Fusers%2Fme");
    ids.put("not an id", "challenge");
    List<DynamicTest> tests = new ArrayList<>();
    for (String read : List.of("", "/image.svg", "/events")) {
      ids.forEach(
          (what, id) -> {
            tests.add(
                n.refusedTest(
                    "GET /api/auth/qr/{" + what + "}" + read,
                    404,
                    "qr_not_found",
                    () -> get("/api/auth/qr/" + id + read, attacker.secret())));
            tests.add(
                n.refusedTest(
                    "GET /api/auth/qr/{" + what + "}" + read + " without a secret",
                    404,
                    "qr_not_found",
                    () -> get("/api/auth/qr/" + id + read, null)));
          });
    }
    return tests.stream();
  }

  /**
   * Ids next to one's own (same second, same process, counter ±3) name nothing one may poll or wait
   * on: an attacker who can guess a neighbour's id still gets nothing from it.
   */
  @Test
  void neighbouringChallengeIdsCannotBePolled() {
    guessNeighbours("", "/events");
  }

  void guessNeighbours(String... reads) {
    Challenge before = create();
    Challenge mine = create();
    Challenge after = create();
    for (String guess : neighbours(mine.id(), 3)) {
      if (guess.equals(mine.id())) {
        continue;
      }
      for (String read : reads) {
        // someone's challenge: not without its secret; no one's: not found
        boolean exists = n.db.findOne("qrchallenges", new JsonObject().put("_id", guess)) != null;
        Reply r =
            n.refused(
                exists ? 403 : 404,
                exists ? "invalid_secret" : "qr_not_found",
                () -> get("/api/auth/qr/" + guess + read, mine.secret()));
        assertThat(r.body())
            .doesNotContain("<svg")
            .doesNotContain(before.token())
            .doesNotContain(after.token());
      }
    }
  }

  /**
   * The ids whose ObjectId counter is within {@code k} of this one's, in this second and the next.
   */
  static List<String> neighbours(String id, int k) {
    byte[] b = HexFormat.of().parseHex(id);
    long seconds =
        ((b[0] & 0xffL) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    int counter = ((b[9] & 0xff) << 16) | ((b[10] & 0xff) << 8) | (b[11] & 0xff);
    List<String> out = new ArrayList<>();
    for (long s = seconds - 1; s <= seconds + 1; s++) {
      for (int c = counter - k; c <= counter + k; c++) {
        byte[] g = b.clone();
        g[0] = (byte) (s >>> 24);
        g[1] = (byte) (s >>> 16);
        g[2] = (byte) (s >>> 8);
        g[3] = (byte) s;
        g[9] = (byte) (c >>> 16);
        g[10] = (byte) (c >>> 8);
        g[11] = (byte) c;
        out.add(HexFormat.of().formatHex(g));
      }
    }
    return out;
  }

  // --- issue 13, #1: the QR image was readable without the secret ------------------------------

  @TestFactory
  Stream<DynamicTest> theImageNeedsTheSecret() {
    return withoutTheSecret("/image.svg").stream();
  }

  /**
   * Ids are guessable (one counter per process): a neighbour's QR code must still be unreadable.
   */
  @Test
  void neighbouringChallengeImagesCannotBeRead() {
    guessNeighbours("/image.svg");
  }

  // --- scanning and approving -------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> guessedQrTokensAreNotFound() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    Map<String, String> qrs = new LinkedHashMap<>();
    qrs.put("a random token", "parley:link:" + HexFormat.of().formatHex(random));
    qrs.put("the prefix alone", "parley:link:");
    qrs.put("the prefix twice", "parley:link:" + victim.qr());
    qrs.put("the challenge id", victim.id());
    qrs.put("the challenge id as a QR", "parley:link:" + victim.id());
    qrs.put("the requester secret", victim.secret());
    qrs.put("the token in upper case", "parley:link:" + victim.token().toUpperCase());
    qrs.put("the token cut short", victim.qr().substring(0, victim.qr().length() - 1));
    qrs.put("a regex", "parley:link:.*");
    qrs.put("an operator in the text", "parley:link:{\"$ne\":null}");
    qrs.put("a 200-character token", "parley:link:" + "a".repeat(200));
    List<DynamicTest> tests = new ArrayList<>();
    qrs.forEach(
        (what, qr) -> {
          tests.add(n.refusedTest("scan " + what, 404, "qr_not_found", () -> scan(n.mallory, qr)));
          tests.add(
              n.refusedTest("approve " + what, 404, "qr_not_found", () -> approve(n.mallory, qr)));
        });
    return tests.stream();
  }

  @Test
  void aChallengeScannedByAnotherAccountCannotBeTakenOver() {
    Challenge c = create();
    assertThat(scan(n.alice, c.qr()).status()).isEqualTo(200);
    n.refused(409, "qr_already_scanned", () -> scan(n.mallory, c.qr()));
    n.refused(409, "qr_not_scanned", () -> approve(n.mallory, c.qr()));
  }

  @Test
  void aChallengeNobodyScannedCannotBeApproved() {
    Challenge c = create();
    n.refused(409, "qr_not_scanned", () -> approve(n.mallory, c.qr()));
  }

  @Test
  void anApprovedChallengeIsRedeemedOnlyWithItsSecretAndOnlyOnce() {
    Challenge c = create();
    assertThat(scan(n.alice, c.qr()).status()).isEqualTo(200);
    assertThat(approve(n.alice, c.qr()).status()).isEqualTo(204);
    // the attacker polls for the grant: nothing is redeemed, no session is made
    for (String secret : new String[] {null, attacker.secret(), c.secret().substring(1)}) {
      n.refused(403, "invalid_secret", () -> get("/api/auth/qr/" + c.id(), secret));
      n.refused(403, "invalid_secret", () -> get("/api/auth/qr/" + c.id() + "/events", secret));
    }
    Reply redeemed = get("/api/auth/qr/" + c.id(), c.secret());
    assertThat(redeemed.status()).isEqualTo(200);
    assertThat(new JsonObject(redeemed.body()).getString("token")).isNotBlank();
    // and never again, by anyone
    n.refused(410, "qr_used", () -> get("/api/auth/qr/" + c.id(), c.secret()));
    n.refused(410, "qr_used", () -> get("/api/auth/qr/" + c.id() + "/events", c.secret()));
    n.refused(410, "qr_used", () -> scan(n.alice, c.qr()));
    n.refused(410, "qr_used", () -> approve(n.alice, c.qr()));
    n.refused(410, "qr_used", () -> scan(n.mallory, c.qr()));
  }

  @TestFactory
  Stream<DynamicTest> scanBodies() {
    Challenge c = create();
    return BodyCases.of(
        n,
        new Route(
            "scan",
            HttpMethod.POST,
            () -> "/api/auth/qr/scan",
            () -> n.mallory.token(),
            () -> new JsonObject().put("qr", c.qr()),
            BodyCases.fields("qr", STRING),
            Set.of("qr")))
        .stream();
  }

  @TestFactory
  Stream<DynamicTest> approveBodies() {
    Challenge c = create();
    assertThat(scan(n.bob, c.qr()).status()).isEqualTo(200);
    return BodyCases.of(
        n,
        new Route(
            "approve",
            HttpMethod.POST,
            () -> "/api/auth/qr/approve",
            () -> n.bob.token(),
            () -> new JsonObject().put("qr", c.qr()).put("deviceName", "browser"),
            BodyCases.fields("qr", STRING, "deviceName", STRING),
            Set.of("qr"),
            "deviceName"))
        .stream();
  }

  @Test
  void aHugeBodyCreatesNoChallenge() {
    n.refused(
        413,
        "payload_too_large",
        () ->
            n.text(
                HttpMethod.POST, "/api/auth/qr", "{\"x\":\"" + "x".repeat(70_000) + "\"}", null));
    n.refused(
        413,
        "payload_too_large",
        () ->
            RawHttp.sendChunked(
                n.port(),
                "POST",
                "/api/auth/qr",
                Map.of("Content-Type", "application/json"),
                300_000,
                (byte) ' '));
  }
}
