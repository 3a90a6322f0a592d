package io.parley.hostile;

import static io.parley.hostile.BodyCases.Kind.STRING;
import static io.parley.hostile.HostileNode.eachCase;
import static io.parley.hostile.HostileNode.named;
import static io.parley.hostile.Tokens.b64;
import static io.parley.hostile.Tokens.claims;
import static io.parley.hostile.Tokens.signed;
import static io.parley.hostile.Tokens.without;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.hostile.BodyCases.Route;
import io.parley.hostile.HostileNode.Reply;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile requests against sign-up, sign-in, sign-out and devices ({@code /api/auth/register},
 * {@code login}, {@code logout}, {@code logout-all}, {@code /api/sessions}), and forged tokens
 * against every authenticated route. Each is refused with its status and code, and nothing is
 * stored.
 */
class AuthHostileIT extends HostileSuite {
  /** The request a forged token is tried on: renaming the victim (a write, so harm would show). */
  private Reply renameAliceWith(String token) {
    return Reply.of(
        n.json(HttpMethod.PATCH, "/api/users/me", new JsonObject().put("name", "Pwned"), token));
  }

  private void refusedToken(String code, String token) {
    Reply r = n.refused(401, code, () -> renameAliceWith(token));
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
  }

  // --- forged tokens ----------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> forgedTokensAreInvalid() {
    Account a = n.alice;
    String real = a.token();
    String[] parts = real.split("\\.");
    JsonObject mine = claims(a.id(), a.sessionId());
    Map<String, String> forged = new LinkedHashMap<>();
    forged.put(
        "a tampered payload with the original signature",
        parts[0] + "." + b64(claims(n.bob.id(), a.sessionId()).encode()) + "." + parts[2]);
    forged.put(
        "another secret's signature", Tokens.hs256("x".repeat(40), Tokens.header("HS256"), mine));
    forged.put("an empty secret's signature", Tokens.hs256("", Tokens.header("HS256"), mine));
    forged.put("the signature cut off", parts[0] + "." + parts[1] + ".");
    forged.put("no signature part", parts[0] + "." + parts[1]);
    forged.put(
        "a signature of another token",
        parts[0] + "." + parts[1] + "." + n.bob.token().split("\\.")[2]);
    for (String none : List.of("none", "None", "NONE", "nOnE")) {
      forged.put("alg " + none + ", no signature", Tokens.unsigned(none, mine, ""));
      forged.put("alg " + none + ", the real signature", Tokens.unsigned(none, mine, parts[2]));
    }
    forged.put(
        "alg HS512 signed with the real secret (one algorithm only)",
        Tokens.hmac(
            "HmacSHA512",
            io.parley.testing.TestNodes.TEST_SECRET.getBytes(),
            Tokens.header("HS512"),
            mine));
    forged.put(
        "alg HS384 signed with the real secret",
        Tokens.hmac(
            "HmacSHA384",
            io.parley.testing.TestNodes.TEST_SECRET.getBytes(),
            Tokens.header("HS384"),
            mine));
    forged.put("RS256 with the attacker's own key in a jwk header", Tokens.rs256WithOwnKey(mine));
    forged.put(
        "RS256 header over an HS256 signature",
        Tokens.hs256(io.parley.testing.TestNodes.TEST_SECRET, Tokens.header("RS256"), mine));
    forged.put(
        "a kid pointing at a file, signed with an empty key",
        Tokens.hs256("", Tokens.header("HS256").put("kid", "../../../../dev/null"), mine));
    long now = System.currentTimeMillis() / 1000;
    forged.put(
        "expired an hour ago", signed(mine.copy().put("iat", now - 7200).put("exp", now - 3600)));
    forged.put("not valid before tomorrow", signed(mine.copy().put("nbf", now + 86_400)));
    forged.put("issued tomorrow", signed(mine.copy().put("iat", now + 86_400)));
    forged.put("another issuer", signed(mine.copy().put("iss", "evil")));
    forged.put("no sub", signed(without(mine, "sub")));
    forged.put("no sid", signed(without(mine, "sid")));
    forged.put("sub null", signed(mine.copy().putNull("sub")));
    forged.put("sid null", signed(mine.copy().putNull("sid")));
    forged.put("a JSON array as payload", parts[0] + "." + b64("[1,2]") + "." + parts[2]);
    forged.put("a header that is not JSON", b64("not json") + "." + parts[1] + "." + parts[2]);
    forged.put("three dots of garbage", "a.b.c");
    forged.put("not a JWT at all", "garbage");
    forged.put("a 6 KB token", "x".repeat(6000));
    return eachCase(forged, token -> refusedToken("invalid_token", token));
  }

  // --- issue 13, #9: one claim trusted without the other; malformed claims ---------------------

  /**
   * Claims of the wrong JSON type are a malformed token, 401 {@code invalid_token}; today a
   * non-string sid, sub or exp is a 500. A token without exp would never expire and is refused too.
   */
  @TestFactory
  Stream<DynamicTest> malformedClaimsAreInvalidTokens() {
    Account a = n.alice;
    JsonObject mine = claims(a.id(), a.sessionId());
    long now = System.currentTimeMillis() / 1000;
    Map<String, String> forged = new LinkedHashMap<>();
    forged.put("sid a number", signed(mine.copy().put("sid", 12345)));
    forged.put("sid a boolean", signed(mine.copy().put("sid", true)));
    forged.put("sid an operator", signed(mine.copy().put("sid", new JsonObject().putNull("$ne"))));
    forged.put("sid an array", signed(mine.copy().put("sid", new JsonArray().add(a.sessionId()))));
    forged.put("sub a number", signed(mine.copy().put("sub", 12345)));
    forged.put("sub an operator", signed(mine.copy().put("sub", new JsonObject().putNull("$ne"))));
    forged.put("the exp as a string", signed(mine.copy().put("exp", String.valueOf(now + 3600))));
    forged.put("no exp (it would never expire)", signed(without(mine, "exp")));
    return eachCase(forged, token -> refusedToken("invalid_token", token));
  }

  @TestFactory
  Stream<DynamicTest> everyAuthenticatedRouteRefusesANumericSid() {
    return onEveryRoute(
        Map.of("a numeric sid", signed(claims(n.alice.id(), n.alice.sessionId()).put("sid", 7))));
  }

  /** Makes both HTTP instances of the node cache this user's session as active. */
  private void cached(Account who) {
    for (int i = 0; i < 4; i++) {
      // a new connection each time: connections are spread over the instances
      assertThat(
              n.api
                  .raw(
                      HttpMethod.GET,
                      "/api/users/me",
                      null,
                      Map.of("Authorization", "Bearer " + who.token(), "Connection", "close"))
                  .statusCode())
          .isEqualTo(200);
    }
  }

  /** A token whose sub and sid name different users is neither of them. */
  @Test
  void aTokenWhoseSubAndSidDisagreeIsInvalid() {
    // Trudy's session is active and cached; the token says it is Alice's and renames her
    Account trudy = n.api.register("Trudy");
    cached(trudy);
    refusedToken("invalid_token", signed(claims(n.alice.id(), trudy.sessionId())));
  }

  /** A signed-out user cannot stay signed in on someone else's session id. */
  @Test
  void aSignedOutUserCannotBorrowAnotherUsersSession() {
    Account ursula = n.api.register("Ursula");
    Account victor = n.api.register("Victor");
    cached(ursula);
    assertThat(n.api.post("/api/auth/logout", null, victor.token()).statusCode()).isEqualTo(204);
    refusedToken("invalid_token", signed(claims(victor.id(), ursula.sessionId())));
  }

  @TestFactory
  Stream<DynamicTest> aSubThatIsNoUserIsInvalid() {
    Account wendy = n.api.register("Wendy");
    cached(wendy);
    return Stream.of("", "wendy", "0123456789abcdef01234567")
        .map(
            sub ->
                named(
                    "sub '" + sub + "' with Wendy's session",
                    () -> refusedToken("invalid_token", signed(claims(sub, wendy.sessionId())))));
  }

  @TestFactory
  Stream<DynamicTest> malformedSessionClaimsAreRefused() {
    Map<String, String> forged = new LinkedHashMap<>();
    forged.put("an empty sid", signed(claims(n.alice.id(), "")));
    forged.put("a sid that is not an id", signed(claims(n.alice.id(), "../../sessions")));
    forged.put("a sid that is a regex", signed(claims(n.alice.id(), ".*")));
    return eachCase(
        forged,
        token ->
            n.refused(
                401, Set.of("invalid_token", "session_revoked"), () -> renameAliceWith(token)));
  }

  @Test
  void aWellSignedTokenForAnUnknownSessionIsRevoked() {
    refusedToken("session_revoked", signed(claims(n.alice.id(), "0123456789abcdef01234567")));
  }

  @Test
  void aSignedOutSessionsTokenIsRefusedEverywhere() {
    Account second = n.api.login(n.alice, "second phone");
    assertThat(n.api.post("/api/auth/logout", null, second.token()).statusCode()).isEqualTo(204);
    refusedToken("session_revoked", second.token());
    n.refused(401, "session_revoked", () -> n.api.post("/api/auth/logout", null, second.token()));
    n.refused(401, "session_revoked", () -> n.api.get("/api/sessions", second.token()));
    n.refused(401, "session_revoked", () -> n.api.post("/api/sse/ticket", null, second.token()));
  }

  @Test
  void anUnlinkedDevicesTokenIsRefused() {
    Account third = n.api.login(n.alice, "third phone");
    assertThat(n.api.delete("/api/sessions/" + third.sessionId(), n.alice.token()).statusCode())
        .isEqualTo(204);
    refusedToken("session_revoked", third.token());
    // re-signing its claims (as if the secret leaked) does not bring it back
    refusedToken("session_revoked", signed(claims(n.alice.id(), third.sessionId())));
  }

  @Test
  void tokensFromLogoutAllAreRefused() {
    Account victim = n.api.register("Victor");
    Account other = n.api.login(victim, "tablet");
    assertThat(n.api.post("/api/auth/logout-all", null, victim.token()).statusCode())
        .isEqualTo(204);
    for (Account t : List.of(victim, other)) {
      n.refused(
          401,
          "session_revoked",
          () ->
              n.json(
                  HttpMethod.PATCH,
                  "/api/users/me",
                  new JsonObject().put("name", "Pwned"),
                  t.token()));
    }
  }

  @TestFactory
  Stream<DynamicTest> theTokenIsOnlyReadFromTheBearerHeader() {
    String t = n.alice.token();
    Map<String, Map<String, String>> headers = new LinkedHashMap<>();
    headers.put("no Authorization", Map.of());
    headers.put("Bearer with nothing after it", Map.of("Authorization", "Bearer "));
    headers.put("Basic credentials", Map.of("Authorization", "Basic YWxpY2U6cGFzc3dvcmQ="));
    headers.put("the token without a scheme", Map.of("Authorization", t));
    headers.put("another scheme", Map.of("Authorization", "Token " + t));
    headers.put("the token in a cookie", Map.of("Cookie", "token=" + t));
    headers.put("the token in X-Access-Token", Map.of("X-Access-Token", t));
    List<DynamicTest> tests = new ArrayList<>();
    headers.forEach(
        (name, h) ->
            tests.add(
                named(
                    name,
                    () -> {
                      Map<String, String> all = new LinkedHashMap<>(h);
                      all.put("Content-Type", "application/json");
                      Reply r =
                          n.refused(
                              401,
                              "unauthorized",
                              () ->
                                  n.api.raw(
                                      HttpMethod.PATCH,
                                      "/api/users/me",
                                      new JsonObject().put("name", "Pwned").toBuffer(),
                                      all));
                      assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
                    })));
    for (String param : List.of("token", "access_token", "jwt", "authorization")) {
      tests.add(
          n.refusedTest(
              "the token as ?" + param + "=",
              401,
              "unauthorized",
              () ->
                  n.json(
                      HttpMethod.PATCH,
                      "/api/users/me?" + param + "=" + t,
                      new JsonObject().put("name", "Pwned"),
                      null)));
    }
    tests.add(
        n.refusedTest(
            "a 20 KB Authorization header",
            431,
            (String) null,
            () ->
                RawHttp.send(
                    n.port(),
                    "GET",
                    "/api/users/me",
                    Map.of("Authorization", "Bearer " + "x".repeat(20_000)),
                    null)));
    return tests.stream();
  }

  /**
   * Every authenticated route, with a request that would change Alice's data or show it: none of
   * them accepts a forged token.
   */
  @TestFactory
  Stream<DynamicTest> everyAuthenticatedRouteRefusesForgedTokens() {
    Account a = n.alice;
    JsonObject mine = claims(a.id(), a.sessionId());
    long now = System.currentTimeMillis() / 1000;
    Map<String, String> forged = new LinkedHashMap<>();
    forged.put("alg none", Tokens.unsigned("none", mine, ""));
    forged.put("a bad signature", Tokens.hs256("y".repeat(40), Tokens.header("HS256"), mine));
    forged.put("expired", signed(mine.copy().put("iat", now - 7200).put("exp", now - 3600)));
    return onEveryRoute(forged);
  }

  /** Every authenticated route, with a request that would change or show Alice's data. */
  List<Object[]> authenticatedRoutes() {
    String m = n.aliceMessage.getString("id");
    List<Object[]> routes = new ArrayList<>();
    routes.add(new Object[] {HttpMethod.POST, "/api/auth/logout", null});
    routes.add(new Object[] {HttpMethod.POST, "/api/auth/logout-all", null});
    routes.add(new Object[] {HttpMethod.GET, "/api/sessions", null});
    routes.add(new Object[] {HttpMethod.DELETE, "/api/sessions/" + n.alice.sessionId(), null});
    routes.add(
        new Object[] {
          HttpMethod.POST, "/api/auth/qr/scan", new JsonObject().put("qr", "parley:link:x")
        });
    routes.add(
        new Object[] {
          HttpMethod.POST, "/api/auth/qr/approve", new JsonObject().put("qr", "parley:link:x")
        });
    routes.add(new Object[] {HttpMethod.GET, "/api/users/me", null});
    routes.add(
        new Object[] {HttpMethod.PATCH, "/api/users/me", new JsonObject().put("name", "Pwned")});
    routes.add(new Object[] {HttpMethod.GET, "/api/users/lookup?phone=%2B14155550100", null});
    routes.add(
        new Object[] {
          HttpMethod.POST,
          "/api/conversations",
          new JsonObject().put("type", "group").put("memberIds", HostileNode.ids(n.mallory))
        });
    routes.add(new Object[] {HttpMethod.GET, "/api/conversations", null});
    routes.add(new Object[] {HttpMethod.GET, "/api/conversations/" + n.aliceGroup, null});
    routes.add(
        new Object[] {
          HttpMethod.PATCH,
          "/api/conversations/" + n.aliceGroup,
          new JsonObject().put("title", "Pwned")
        });
    routes.add(
        new Object[] {HttpMethod.POST, "/api/conversations/" + n.aliceGroup + "/archive", null});
    routes.add(
        new Object[] {HttpMethod.DELETE, "/api/conversations/" + n.aliceGroup + "/archive", null});
    routes.add(
        new Object[] {
          HttpMethod.POST,
          "/api/conversations/" + n.aliceGroup + "/members",
          new JsonObject().put("userIds", HostileNode.ids(n.mallory))
        });
    routes.add(
        new Object[] {
          HttpMethod.DELETE, "/api/conversations/" + n.aliceGroup + "/members/" + n.bob.id(), null
        });
    routes.add(
        new Object[] {
          HttpMethod.POST,
          "/api/conversations/" + n.aliceGroup + "/messages",
          new JsonObject().put("clientId", "forged-1").put("text", "Pwned")
        });
    routes.add(
        new Object[] {HttpMethod.GET, "/api/conversations/" + n.aliceBob + "/messages", null});
    routes.add(
        new Object[] {
          HttpMethod.POST,
          "/api/conversations/" + n.aliceBob + "/receipts",
          new JsonObject().put("type", "read").put("upToSeq", 2)
        });
    routes.add(
        new Object[] {HttpMethod.POST, "/api/conversations/" + n.aliceBob + "/typing", null});
    routes.add(
        new Object[] {
          HttpMethod.PATCH, "/api/messages/" + m, new JsonObject().put("text", "Pwned")
        });
    routes.add(new Object[] {HttpMethod.DELETE, "/api/messages/" + m, null});
    routes.add(new Object[] {HttpMethod.POST, "/api/sse/ticket", null});
    routes.add(new Object[] {HttpMethod.GET, "/sse", null});
    routes.add(
        new Object[] {
          HttpMethod.POST,
          "/api/uploads",
          io.parley.testing.Uploads.createBody(n.aliceBob, "a.png", "image/png", 100)
        });
    routes.add(
        new Object[] {HttpMethod.POST, "/api/uploads/0123456789abcdef01234567/complete", null});
    routes.add(new Object[] {HttpMethod.GET, "/api/uploads/0123456789abcdef01234567", null});
    return routes;
  }

  private Stream<DynamicTest> onEveryRoute(Map<String, String> forged) {
    List<DynamicTest> tests = new ArrayList<>();
    for (Object[] route : authenticatedRoutes()) {
      HttpMethod method = (HttpMethod) route[0];
      String path = (String) route[1];
      JsonObject body = (JsonObject) route[2];
      forged.forEach(
          (what, token) ->
              tests.add(
                  named(
                      method + " " + path + " with " + what,
                      () -> {
                        Reply r =
                            n.refused(
                                401, "invalid_token", () -> n.json(method, path, body, token));
                        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
                      })));
    }
    return tests.stream();
  }

  // --- register and login -----------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> registerBodies() {
    Route r =
        new Route(
            "register",
            HttpMethod.POST,
            () -> "/api/auth/register",
            () -> null,
            () ->
                new JsonObject()
                    .put("phone", Api.newPhone())
                    .put("name", "Eve")
                    .put("password", "a perfectly fine password")
                    .put("deviceName", "laptop"),
            BodyCases.fields(
                "phone", STRING, "name", STRING, "password", STRING, "deviceName", STRING),
            Set.of("phone", "name", "password"),
            "name");
    return BodyCases.of(n, r).stream();
  }

  @TestFactory
  Stream<DynamicTest> loginBodies() {
    Route r =
        new Route(
            "login",
            HttpMethod.POST,
            () -> "/api/auth/login",
            () -> null,
            () ->
                new JsonObject()
                    .put("phone", n.carol.phone())
                    .put("password", n.carol.password())
                    .put("deviceName", "laptop"),
            BodyCases.fields("phone", STRING, "password", STRING, "deviceName", STRING),
            Set.of("phone", "password"),
            "deviceName");
    return BodyCases.of(n, r).stream();
  }

  @TestFactory
  Stream<DynamicTest> registerRefusesBadValues() {
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put(
        "a taken phone",
        new Object[] {409, "phone_taken", n.alice.phone(), "Eve", "a fine password"});
    cases.put(
        "a taken phone in another spelling",
        new Object[] {409, "phone_taken", " " + n.alice.phone() + " ", "Eve", "a fine password"});
    cases.put(
        "a phone that is an operator name",
        new Object[] {400, "invalid_phone", "$ne", "Eve", "a fine password"});
    cases.put(
        "a phone that is a regex",
        new Object[] {400, "invalid_phone", ".*", "Eve", "a fine password"});
    cases.put(
        "a phone of letters",
        new Object[] {400, "invalid_phone", "+1-CALL-ME-NOW", "Eve", "a fine password"});
    cases.put(
        "a short password", new Object[] {400, "weak_password", Api.newPhone(), "Eve", "short"});
    cases.put(
        "a password over 1024 bytes (600 two-byte characters)",
        new Object[] {400, "password_too_long", Api.newPhone(), "Eve", "é".repeat(600)});
    cases.put(
        "a name of spaces",
        new Object[] {400, "validation_failed", Api.newPhone(), "   ", "a fine password"});
    cases.put(
        "a name with a NUL",
        new Object[] {400, "validation_failed", Api.newPhone(), "Ev\0e", "a fine password"});
    cases.put(
        "a name with a newline",
        new Object[] {400, "validation_failed", Api.newPhone(), "Eve\nAdmin", "a fine password"});
    cases.put(
        "a name of 65 characters",
        new Object[] {400, "validation_failed", Api.newPhone(), "e".repeat(65), "a fine password"});
    return eachCase(
        cases,
        c ->
            n.refused(
                (int) c[0],
                (String) c[1],
                () ->
                    n.api.post(
                        "/api/auth/register",
                        new JsonObject().put("phone", c[2]).put("name", c[3]).put("password", c[4]),
                        null)));
  }

  @Test
  void aDeviceNameWithControlCharactersIsRefused() {
    n.refused(
        400,
        "validation_failed",
        () ->
            n.api.post(
                "/api/auth/login",
                new JsonObject()
                    .put("phone", n.carol.phone())
                    .put("password", n.carol.password())
                    .put("deviceName", "phone\r\nX-Injected: 1"),
                null));
  }

  @Test
  void wrongCredentialsStoreNothing() {
    n.refused(
        401,
        "invalid_credentials",
        () ->
            n.api.post(
                "/api/auth/login",
                new JsonObject().put("phone", n.carol.phone()).put("password", "not her password"),
                null));
    n.refused(
        401,
        "invalid_credentials",
        () ->
            n.api.post(
                "/api/auth/login",
                new JsonObject().put("phone", Api.newPhone()).put("password", "anything at all"),
                null));
  }

  // --- sessions ---------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> onlyYourOwnSessionsCanBeUnlinked() {
    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("Bob's session", n.bob.sessionId());
    ids.put("an unknown session", "0123456789abcdef01234567");
    ids.put("Bob's session in upper case", n.bob.sessionId().toUpperCase());
    ids.put("an id that is not one", "not-an-id");
    ids.put("an encoded operator", "%7B%22%24ne%22%3Anull%7D");
    ids.put("an encoded regex", "%2E%2A");
    ids.put("an encoded path", "..%2F..%2Fusers");
    return n.refusedEach(
        ids, 404, "session_not_found", id -> n.api.delete("/api/sessions/" + id, n.alice.token()));
  }

  @Test
  void theSessionListShowsOnlyTheCallersDevices() {
    var res = n.harmless(() -> n.api.get("/api/sessions", n.alice.token()));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.bodyAsString())
        .doesNotContain(n.bob.sessionId())
        .doesNotContain(n.mallory.sessionId())
        .doesNotContain("token")
        .doesNotContain("passwordHash");
  }

  @TestFactory
  Stream<DynamicTest> signOutIgnoresBodies() {
    // logout takes no body: an operator in one changes nothing about whom it signs out
    Account victim = n.api.register("Walter");
    return Stream.of(
        named(
            "logout-all with {userId: {$ne: null}} signs out only the caller",
            () -> {
              Account extra = n.api.login(victim, "spare");
              JsonObject othersActive =
                  new JsonObject()
                      .put("userId", new JsonObject().put("$ne", victim.id()))
                      .putNull("revokedAt");
              long before = n.db.count("sessions", othersActive);
              var res =
                  n.api.post(
                      "/api/auth/logout-all",
                      new JsonObject()
                          .put("userId", new JsonObject().putNull("$ne"))
                          .put("sessionId", new JsonObject().putNull("$ne")),
                      extra.token());
              assertThat(res.statusCode()).isEqualTo(204);
              // everyone else's sessions are untouched
              assertThat(n.api.get("/api/users/me", n.alice.token()).statusCode()).isEqualTo(200);
              assertThat(n.api.get("/api/users/me", n.bob.token()).statusCode()).isEqualTo(200);
              assertThat(n.db.count("sessions", othersActive))
                  .as("other users' signed-in sessions")
                  .isEqualTo(before);
            }));
  }
}
