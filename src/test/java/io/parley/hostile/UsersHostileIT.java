package io.parley.hostile;

import static io.parley.hostile.BodyCases.Kind.STRING;
import static io.parley.hostile.HostileNode.eachCase;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.hostile.BodyCases.Route;
import io.parley.hostile.HostileNode.Reply;
import io.parley.testing.Api.Account;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile requests against {@code /api/users}: renaming with bad or smuggled fields, changing what
 * only the server may change, and contact lookups with operators, regexes and repeated parameters.
 */
class UsersHostileIT extends HostileSuite {
  @TestFactory
  Stream<DynamicTest> renameBodies() {
    return BodyCases.of(
        n,
        new Route(
            "PATCH /api/users/me",
            HttpMethod.PATCH,
            () -> "/api/users/me",
            () -> n.mallory.token(),
            () -> new JsonObject().put("name", "Mallory the Great"),
            BodyCases.fields("name", STRING),
            Set.of("name")))
        .stream();
  }

  /** {@code PATCH /api/users/me} with this body, as Mallory. */
  private HttpResponse<Buffer> renameMallory(JsonObject body) {
    return n.json(HttpMethod.PATCH, "/api/users/me", body, n.mallory.token());
  }

  @TestFactory
  Stream<DynamicTest> onlyTheNameCanChange() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", n.alice.id());
    fields.put("_id", n.alice.id());
    fields.put("phone", n.alice.phone());
    fields.put("passwordHash", "$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB");
    fields.put("createdAt", "2020-01-01T00:00:00Z");
    return fields.entrySet().stream()
        .map(
            e ->
                n.refusedTest(
                    "a name and " + e.getKey(),
                    400,
                    "validation_failed",
                    () ->
                        n.json(
                            HttpMethod.PATCH,
                            "/api/users/me",
                            new JsonObject().put("name", "Mal").put(e.getKey(), e.getValue()),
                            n.mallory.token())));
  }

  @TestFactory
  Stream<DynamicTest> badNamesAreRefused() {
    Map<String, String> names = new LinkedHashMap<>();
    names.put("empty", "");
    names.put("only spaces", "    ");
    names.put("65 characters", "m".repeat(65));
    names.put("a NUL", "Mal\0lory");
    names.put("a line break", "Mallory\r\nAdmin");
    names.put("an escape sequence", "Mallory\u001b[31m");
    names.put("a DEL", "Mallory\u007f");
    names.put("40 emoji (80 UTF-16 units)", "\uD83D\uDE00".repeat(40));
    return names.entrySet().stream()
        .map(
            e ->
                n.refusedTest(
                    "a name with " + e.getKey(),
                    400,
                    "validation_failed",
                    () -> renameMallory(new JsonObject().put("name", e.getValue()))));
  }

  @Test
  void renamingChangesOnlyTheCallersName() {
    var res = renameMallory(new JsonObject().put("name", "Mallory"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(n.db.findOne("users", new JsonObject().put("_id", n.alice.id())).getString("name"))
        .isEqualTo("Alice");
  }

  @Test
  void meShowsNoSecrets() {
    Reply r = n.harmless(() -> Reply.of(n.get("/api/users/me", n.mallory.token())));
    assertThat(r.status()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).fieldNames())
        .containsExactlyInAnyOrder("id", "phone", "name");
  }

  // --- lookup -----------------------------------------------------------------------------------

  private String lookup(String rawQuery) {
    return "/api/users/lookup" + rawQuery;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @TestFactory
  Stream<DynamicTest> lookupQueriesAreChecked() {
    Map<String, Object[]> cases = new LinkedHashMap<>();
    cases.put("no phone", new Object[] {"", 400, "validation_failed"});
    cases.put("an empty phone", new Object[] {"?phone=", 400, "validation_failed"});
    cases.put(
        "two phones",
        new Object[] {
          "?phone=" + enc(n.alice.phone()) + "&phone=" + enc(n.bob.phone()),
          400,
          "validation_failed"
        });
    cases.put("phone[$ne]=", new Object[] {"?phone[$ne]=x", 400, "validation_failed"});
    cases.put(
        "phone[$regex]=.*", new Object[] {"?phone%5B%24regex%5D=.*", 400, "validation_failed"});
    cases.put(
        "an operator object as the phone",
        new Object[] {"?phone=" + enc("{\"$ne\":null}"), 400, "invalid_phone"});
    cases.put("a regex as the phone", new Object[] {"?phone=" + enc(".*"), 400, "invalid_phone"});
    cases.put("$where as the phone", new Object[] {"?phone=%24where", 400, "invalid_phone"});
    cases.put(
        "a 65-character phone",
        new Object[] {"?phone=" + "1".repeat(65), 400, "validation_failed"});
    cases.put("a phone with a NUL", new Object[] {"?phone=%2B1415%00555", 400, "invalid_phone"});
    cases.put("invalid UTF-8 in the phone", new Object[] {"?phone=%C3%28", 400, "invalid_phone"});
    cases.put("an unknown phone", new Object[] {"?phone=%2B14155559999", 404, "user_not_found"});
    return eachCase(
        cases,
        c ->
            n.refused(
                (int) c[1], (String) c[2], () -> n.get(lookup((String) c[0]), n.mallory.token())));
  }

  @Test
  void aLookupShowsOnlyIdNameAndPhone() {
    Reply r =
        n.harmless(
            () -> Reply.of(n.get(lookup("?phone=" + enc(n.alice.phone())), n.mallory.token())));
    assertThat(r.status()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).fieldNames())
        .containsExactlyInAnyOrder("id", "phone", "name");
  }

  @Test
  void lookupsAreLimitedPerUser() {
    // auth.lookupLimitPerMinute is 30: a fresh user's 31st lookup in a minute is refused
    Account scraper = n.api.register("Scraper");
    for (int i = 0; i < 30; i++) {
      var res = n.get(lookup("?phone=%2B141555590" + String.format("%02d", i)), scraper.token());
      assertThat(res.statusCode()).as("lookup %d", i).isEqualTo(404);
    }
    Reply r =
        n.refused(
            429,
            "rate_limited",
            () -> n.get(lookup("?phone=" + enc(n.alice.phone())), scraper.token()));
    assertThat(r.header("Retry-After")).isNotBlank();
    assertThat(r.body()).doesNotContain(n.alice.id());
  }

  @Test
  void noOtherUserRouteExists() {
    for (String path :
        List.of(
            "/api/users/" + n.alice.id(),
            "/api/users",
            "/api/users/me/sessions",
            "/api/users/lookup/" + n.alice.phone())) {
      n.refused(404, "not_found", () -> n.get(path, n.mallory.token()));
    }
  }
}
