package io.parley.it;

import static io.parley.testing.Api.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.SingleNodeSuite;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Accounts and sessions over HTTP against a whole node on the embedded database. */
class AuthIT extends SingleNodeSuite {
  private long users() {
    return db.count("users", new JsonObject());
  }

  @Test
  void registerReturnsATokenThatWorksAndTheNormalisedPhone() {
    String local = "(415) 555-" + String.format("%04d", (int) (System.nanoTime() % 10000));
    var res =
        api.post(
            "/api/auth/register",
            new JsonObject()
                .put("phone", "+1 " + local)
                .put("name", "Ada")
                .put("password", "correct horse battery"),
            null);
    assertThat(res.statusCode()).isEqualTo(201);
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getString("token")).isNotBlank();
    assertThat(body.getString("expiresAt")).isNotBlank();
    assertThat(body.getJsonObject("user").getString("phone")).matches("\\+1415555\\d{4}");
    assertThat(body.getJsonObject("user").containsKey("passwordHash")).isFalse();
    assertThat(body.getJsonObject("session").getString("id")).isNotBlank();

    var me = api.get("/api/users/me", body.getString("token"));
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.bodyAsJsonObject().getString("name")).isEqualTo("Ada");
    assertThat(me.bodyAsJsonObject().getString("id"))
        .isEqualTo(body.getJsonObject("user").getString("id"));

    JsonObject stored =
        db.findOne("users", new JsonObject().put("_id", me.bodyAsJsonObject().getString("id")));
    assertThat(stored.getString("passwordHash")).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(stored.encode()).doesNotContain("correct horse battery");
  }

  @Test
  void theSamePhoneCannotRegisterTwice() {
    Account a = api.register("First");
    long before = users();
    var res =
        api.post(
            "/api/auth/register",
            new JsonObject()
                .put("phone", a.phone())
                .put("name", "Second")
                .put("password", "another password"),
            null);
    assertThat(res.statusCode()).isEqualTo(409);
    assertThat(errorCode(res)).isEqualTo("phone_taken");
    assertThat(users()).isEqualTo(before);
  }

  @Test
  void hostileRegistrationsAreRejectedAndStoreNothing() {
    long before = users();
    String phone = Api.newPhone();
    Map<JsonObject, String> cases =
        Map.of(
            new JsonObject()
                    .put("phone", "not a phone")
                    .put("name", "X")
                    .put("password", "password123"),
                "invalid_phone",
            new JsonObject().put("phone", "+1 234").put("name", "X").put("password", "password123"),
                "invalid_phone",
            new JsonObject()
                    .put("phone", new JsonObject().put("$ne", ""))
                    .put("name", "X")
                    .put("password", "password123"),
                "validation_failed",
            new JsonObject().put("phone", phone).put("name", 42).put("password", "password123"),
                "validation_failed",
            new JsonObject().put("phone", phone).put("name", "X"), "validation_failed",
            new JsonObject()
                    .put("phone", phone)
                    .put("name", "X")
                    .put("password", "password123")
                    .put("passwordHash", "x"),
                "validation_failed",
            new JsonObject()
                    .put("phone", phone)
                    .put("name", "X")
                    .put("password", "password123")
                    .put("_id", "abc"),
                "validation_failed",
            new JsonObject().put("phone", phone).put("name", "X").put("password", "short"),
                "weak_password",
            new JsonObject().put("phone", phone).put("name", "X").put("password", "é".repeat(600)),
                "password_too_long",
            new JsonObject().put("phone", phone).put("name", "X").put("password", "p".repeat(1025)),
                "validation_failed");
    cases.forEach(
        (body, code) -> {
          var res = api.post("/api/auth/register", body, null);
          assertThat(res.statusCode()).as(body.encode()).isEqualTo(400);
          assertThat(errorCode(res)).as(body.encode()).isEqualTo(code);
        });
    var malformed =
        api.raw(
            HttpMethod.POST,
            "/api/auth/register",
            Buffer.buffer("{\"phone\": "),
            Map.of("Content-Type", "application/json"));
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(errorCode(malformed)).isEqualTo("invalid_json");
    var array = api.raw(HttpMethod.POST, "/api/auth/register", Buffer.buffer("[1,2]"), Map.of());
    assertThat(array.statusCode()).isEqualTo(400);
    var huge =
        api.raw(
            HttpMethod.POST,
            "/api/auth/register",
            Buffer.buffer("{\"phone\":\"" + "1".repeat(200_000) + "\"}"),
            Map.of("Content-Type", "application/json"));
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(users()).isEqualTo(before);
  }

  @Test
  void aLongPassphraseWorksUntruncated() {
    String phone = Api.newPhone();
    String pass =
        "a long passphrase, well over sixty-four characters, with 🔑 and ümlauts ".repeat(3);
    assertThat(
            api.post(
                    "/api/auth/register",
                    new JsonObject().put("phone", phone).put("name", "Long").put("password", pass),
                    null)
                .statusCode())
        .isEqualTo(201);
    assertThat(
            api.post(
                    "/api/auth/login",
                    new JsonObject().put("phone", phone).put("password", pass),
                    null)
                .statusCode())
        .isEqualTo(200);
    String truncated = pass.substring(0, 72);
    assertThat(
            api.post(
                    "/api/auth/login",
                    new JsonObject().put("phone", phone).put("password", truncated),
                    null)
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void unknownPhoneAndWrongPasswordLookTheSame() {
    Account a = api.register("Bob");
    var wrong =
        api.post(
            "/api/auth/login",
            new JsonObject().put("phone", a.phone()).put("password", "wrong password"),
            null);
    var unknown =
        api.post(
            "/api/auth/login",
            new JsonObject().put("phone", Api.newPhone()).put("password", "wrong password"),
            null);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(wrong.bodyAsString()).isEqualTo(unknown.bodyAsString());
  }

  @Test
  void badTokensAreRefused() {
    Account a = api.register("Carol");
    String[] parts = a.token().split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1])));
    assertThat(payload.fieldNames()).contains("sub", "sid", "iat", "exp");
    assertThat(payload.getLong("exp") - payload.getLong("iat")).isEqualTo(7 * 24 * 3600L);

    String otherUser = b64(payload.copy().put("sub", "000000000000000000000000").encode());
    String tampered = parts[0] + "." + otherUser + "." + parts[2];
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    String hs512 = b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2];
    for (String bad : new String[] {tampered, none, hs512, "garbage", a.token() + "x"}) {
      var res = api.get("/api/users/me", bad);
      assertThat(res.statusCode()).as(bad).isEqualTo(401);
      assertThat(errorCode(res)).isEqualTo("invalid_token");
    }
    var missing = api.get("/api/users/me", null);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
  }

  @Test
  void anExpiredTokenIsRefused() {
    Account a = api.register("Dave");
    var jwt = signer();
    long past = System.currentTimeMillis() / 1000 - 3600;
    String expired =
        jwt.generateToken(
            new JsonObject()
                .put("sub", a.id())
                .put("sid", a.sessionId())
                .put("iat", past - 60)
                .put("exp", past),
            new io.vertx.ext.auth.JWTOptions().setIssuer("parley").setNoTimestamp(true));
    assertThat(api.get("/api/users/me", expired).statusCode()).isEqualTo(401);
    String valid =
        jwt.generateToken(
            new JsonObject().put("sub", a.id()).put("sid", a.sessionId()),
            new io.vertx.ext.auth.JWTOptions().setIssuer("parley").setExpiresInSeconds(60));
    assertThat(api.get("/api/users/me", valid).statusCode()).isEqualTo(200);
  }

  private io.vertx.ext.auth.jwt.JWTAuth signer() {
    return TestNodes.hs256(http.vertx(), TestNodes.TEST_SECRET);
  }

  /**
   * A token is believed only when its session is its subject's: whoever holds the key cannot pass
   * one user's session off as another's, whether the session is cached on this node or not.
   */
  @Test
  void aTokenWhoseSubjectAndSessionDisagreeIsRefused() {
    Account victim = api.register("Victim of sid");
    Account other = api.register("Other sub");
    var jwt = signer();
    var opts = new io.vertx.ext.auth.JWTOptions().setExpiresInSeconds(60);
    // first while the victim's session is cached here (the victim just used it) ...
    assertThat(api.get("/api/users/me", victim.token()).statusCode()).isEqualTo(200);
    String cached =
        jwt.generateToken(
            new JsonObject().put("sub", other.id()).put("sid", victim.sessionId()), opts);
    var res = api.get("/api/users/me", cached);
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(errorCode(res)).isEqualTo("invalid_token");
    // ... then for a session this node has not seen yet
    Account fresh = api.login(victim, "Second device");
    String uncached =
        jwt.generateToken(
            new JsonObject().put("sub", other.id()).put("sid", fresh.sessionId()), opts);
    var res2 = api.get("/api/users/me", uncached);
    assertThat(res2.statusCode()).isEqualTo(401);
    assertThat(errorCode(res2)).isEqualTo("invalid_token");
    // the rightful tokens still work
    assertThat(api.get("/api/users/me", fresh.token()).statusCode()).isEqualTo(200);
  }

  @Test
  void claimsOfTheWrongTypeAreABadTokenNotAServerError() {
    Account a = api.register("Typed claims");
    var jwt = signer();
    var opts = new io.vertx.ext.auth.JWTOptions().setExpiresInSeconds(60);
    for (JsonObject claims :
        new JsonObject[] {
          new JsonObject().put("sub", a.id()).put("sid", 12345),
          new JsonObject().put("sub", a.id()).put("sid", new JsonObject().put("$ne", "")),
          new JsonObject().put("sub", a.id()).put("sid", new JsonArray().add(a.sessionId())),
          new JsonObject().put("sub", 42).put("sid", a.sessionId()),
          new JsonObject().put("sub", a.id()).put("sid", "not-an-id"),
          new JsonObject().put("sub", a.id())
        }) {
      var res = api.get("/api/users/me", jwt.generateToken(claims, opts));
      assertThat(res.statusCode()).as(claims.encode()).isEqualTo(401);
      assertThat(errorCode(res)).as(claims.encode()).isEqualTo("invalid_token");
    }
  }

  @Test
  void sessionsAreListedAndRevokedOneByOne() {
    Account phone = api.register("Erin");
    Account laptop = api.login(phone, "Laptop");
    var list = api.get("/api/sessions", phone.token());
    assertThat(list.statusCode()).isEqualTo(200);
    JsonArray sessions = list.bodyAsJsonObject().getJsonArray("sessions");
    assertThat(sessions).hasSize(2);
    assertThat(sessions.stream().map(o -> (JsonObject) o))
        .anySatisfy(s -> assertThat(s.getString("deviceName")).isEqualTo("Laptop"))
        .anySatisfy(
            s -> {
              assertThat(s.getBoolean("current")).isTrue();
              assertThat(s.getString("id")).isEqualTo(phone.sessionId());
            });

    assertThat(api.delete("/api/sessions/" + laptop.sessionId(), phone.token()).statusCode())
        .isEqualTo(204);
    var refused = api.get("/api/users/me", laptop.token());
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(errorCode(refused)).isEqualTo("session_revoked");
    assertThat(api.get("/api/users/me", phone.token()).statusCode()).isEqualTo(200);
    assertThat(api.get("/api/sessions", phone.token()).bodyAsJsonObject().getJsonArray("sessions"))
        .hasSize(1);
  }

  @Test
  void aUserCannotTouchAnotherUsersSessions() {
    Account a = api.register("Frank");
    Account b = api.register("Grace");
    assertThat(api.delete("/api/sessions/" + b.sessionId(), a.token()).statusCode()).isEqualTo(404);
    assertThat(api.delete("/api/sessions/not-an-id", a.token()).statusCode()).isEqualTo(404);
    assertThat(api.delete("/api/sessions/%7B%22$ne%22:1%7D", a.token()).statusCode())
        .isEqualTo(404);
    assertThat(api.get("/api/users/me", b.token()).statusCode()).isEqualTo(200);
  }

  @Test
  void logoutEndsThisSessionAndLogoutAllEndsEveryOne() {
    Account a = api.register("Heidi");
    Account second = api.login(a, "Tablet");
    Account third = api.login(a, "Desktop");
    assertThat(api.post("/api/auth/logout", null, second.token()).statusCode()).isEqualTo(204);
    assertThat(api.get("/api/users/me", second.token()).statusCode()).isEqualTo(401);
    assertThat(api.get("/api/users/me", third.token()).statusCode()).isEqualTo(200);
    assertThat(api.post("/api/auth/logout-all", null, a.token()).statusCode()).isEqualTo(204);
    assertThat(api.get("/api/users/me", a.token()).statusCode()).isEqualTo(401);
    assertThat(api.get("/api/users/me", third.token()).statusCode()).isEqualTo(401);
  }

  @Test
  void profileUpdatesAndLookup() {
    Account a = api.register("Ivan");
    Account b = api.register("Judy");
    var patched =
        api.patch("/api/users/me", new JsonObject().put("name", "Ivan the Great"), a.token());
    assertThat(patched.statusCode()).isEqualTo(200);
    assertThat(api.get("/api/users/me", a.token()).bodyAsJsonObject().getString("name"))
        .isEqualTo("Ivan the Great");
    assertThat(
            api.patch("/api/users/me", new JsonObject().put("phone", "+15550000000"), a.token())
                .statusCode())
        .isEqualTo(400);
    assertThat(api.patch("/api/users/me", new JsonObject().put("name", ""), a.token()).statusCode())
        .isEqualTo(400);
    assertThat(api.get("/api/users/me", a.token()).bodyAsJsonObject().getString("phone"))
        .isEqualTo(a.phone());

    var found =
        api.get(
            "/api/users/lookup?phone="
                + java.net.URLEncoder.encode(b.phone(), java.nio.charset.StandardCharsets.UTF_8),
            a.token());
    assertThat(found.statusCode()).isEqualTo(200);
    assertThat(found.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("id", b.id()).put("phone", b.phone()).put("name", "Judy"));
    assertThat(api.get("/api/users/lookup?phone=" + b.phone(), a.token()).statusCode())
        .isEqualTo(200);
    assertThat(api.get("/api/users/lookup?phone=%2B14155559999", a.token()).statusCode())
        .isIn(200, 404);
    assertThat(api.get("/api/users/lookup?phone=nope", a.token()).statusCode()).isEqualTo(400);
    assertThat(api.get("/api/users/lookup", a.token()).statusCode()).isEqualTo(400);
    assertThat(api.get("/api/users/lookup?phone=" + b.phone(), null).statusCode()).isEqualTo(401);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
