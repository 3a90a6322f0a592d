package io.parley.hostile;

import static io.parley.hostile.HostileNode.eachCase;
import static io.parley.hostile.HostileNode.named;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.hostile.HostileNode.Reply;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The operator routes ({@code /health}, {@code /health/live}, {@code /metrics}) and the router
 * itself as an attacker sees them: what health tells, metrics on the public port under other
 * spellings, path tricks that must not get around a token check ({@code //api}, dot segments,
 * {@code %2e%2e}, encoded slashes), and oversized request lines and headers.
 */
class OperatorRoutesHostileIT extends HostileSuite {
  private Reply raw(String method, String target, String token, byte[] body) {
    Map<String, String> h = new LinkedHashMap<>(HostileNode.bearer(token));
    if (body != null) {
      h.put("Content-Type", "application/json");
    }
    return Reply.of(RawHttp.send(n.port(), method, target, h, body));
  }

  // --- health -----------------------------------------------------------------------------------

  @TestFactory
  Stream<DynamicTest> healthTellsNothingSecretAndStoresNothing() {
    return Stream.of("/health", "/health?verbose=true&debug=1", "/health/live")
        .map(
            path ->
                named(
                    path,
                    () -> {
                      Reply r = n.harmless(() -> raw("GET", path, null, null));
                      assertThat(r.status()).isEqualTo(200);
                      JsonObject body = new JsonObject(r.body());
                      assertThat(body.getString("status")).isEqualTo("up");
                      assertThat(r.body())
                          .doesNotContain("mongodb://")
                          .doesNotContain(TestNodes.TEST_SECRET)
                          .doesNotContain(n.dir.toString())
                          .doesNotContainIgnoringCase("password")
                          .doesNotContain("Exception");
                    }));
  }

  /** A test named by the path: GET it is refused 404 {@code not_found} and shows no metrics. */
  private DynamicTest noMetricsAt(String path) {
    return named(
        path,
        () -> {
          Reply r = n.refused(404, "not_found", () -> raw("GET", path, null, null));
          assertThat(r.body()).doesNotContain("# HELP").doesNotContain("jvm_");
        });
  }

  @TestFactory
  Stream<DynamicTest> metricsUnderOtherNamesAreNotFound() {
    return Stream.of(
            "/METRICS", "/metrics;x=1", "/metrics%2F", "/api/metrics", "/health/../metrics2")
        .map(this::noMetricsAt);
  }

  // --- path tricks ------------------------------------------------------------------------------

  /**
   * Spellings of {@code /api/users/me} that the router must treat as that route, token check
   * included.
   */
  static final List<String> SAME_ROUTE =
      List.of(
          "//api/users/me",
          "/api//users/me",
          "/api/./users/me",
          "/api/x/../users/me",
          "/api/users/%6de",
          "/%61pi/users/me",
          "/api/users/me/",
          "/api/users/x/%2e%2e/me",
          "/api/users/x/%2E%2E/me",
          "http://evil.example/api/users/me");

  @TestFactory
  Stream<DynamicTest> pathTricksDoNotGetAroundTheTokenCheck() {
    List<DynamicTest> tests = new ArrayList<>();
    String forged = Tokens.unsigned("none", Tokens.claims(n.alice.id(), n.alice.sessionId()), "");
    byte[] rename = new JsonObject().put("name", "Pwned").toBuffer().getBytes();
    for (String target : SAME_ROUTE) {
      tests.add(
          n.refusedTest(
              "PATCH " + target + " without a token",
              401,
              "unauthorized",
              () -> raw("PATCH", target, null, rename)));
      tests.add(
          n.refusedTest(
              "PATCH " + target + " with an alg-none token",
              401,
              "invalid_token",
              () -> raw("PATCH", target, forged, rename)));
      tests.add(
          named(
              "GET " + target + " with a real token",
              () -> {
                Reply r = n.harmless(() -> raw("GET", target, n.mallory.token(), null));
                assertThat(r.status()).isEqualTo(200);
                assertThat(new JsonObject(r.body()).getString("id")).isEqualTo(n.mallory.id());
              }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> encodedSlashesDoNotMakeNewRoutes() {
    Map<String, Object[]> cases = new LinkedHashMap<>();
    String conv = n.aliceBob;
    cases.put(
        "a conversation id ending in %2Fmessages",
        new Object[] {
          "POST",
          "/api/conversations/" + conv + "%2Fmessages",
          n.alice.token(),
          "{\"clientId\":\"x\",\"text\":\"t\"}",
          // the path names /api/conversations/{id}, which takes no POST: 405, nothing sent
          405,
          "method_not_allowed"
        });
    cases.put(
        "a conversation id with %2F..%2F",
        new Object[] {
          "GET",
          "/api/conversations/" + n.malloryCarol + "%2F..%2F" + conv,
          n.mallory.token(),
          null,
          404,
          "conversation_not_found"
        });
    cases.put(
        "a message id with %2F..%2F",
        new Object[] {
          "DELETE",
          "/api/messages/x%2F..%2F" + n.aliceMessage.getString("id"),
          n.mallory.token(),
          null,
          404,
          "message_not_found"
        });
    cases.put(
        "a session id with %2F..%2F",
        new Object[] {
          "DELETE",
          "/api/sessions/x%2F..%2F" + n.alice.sessionId(),
          n.mallory.token(),
          null,
          404,
          "session_not_found"
        });
    cases.put(
        "an upload id ending in %2Fcontent",
        new Object[] {
          "PUT",
          "/api/uploads/0123456789abcdef01234567%2Fcontent",
          null,
          "{}",
          405,
          "method_not_allowed"
        });
    cases.put(
        "%2e%2e out of /api",
        new Object[] {"GET", "/api/%2e%2e/api/users/me", null, null, 401, "unauthorized"});
    cases.put(
        "a backslash",
        new Object[] {"GET", "/api/users/me\\..\\..\\", n.mallory.token(), null, 404, "not_found"});
    cases.put(
        "an encoded NUL",
        new Object[] {"GET", "/api/users/me%00", n.mallory.token(), null, 404, "not_found"});
    cases.put(
        "upper-case /API",
        new Object[] {"GET", "/API/users/me", n.mallory.token(), null, 404, "not_found"});
    return eachCase(
        cases,
        c ->
            n.refused(
                (int) c[4],
                (String) c[5],
                () ->
                    raw(
                        (String) c[0],
                        (String) c[1],
                        (String) c[2],
                        c[3] == null ? null : ((String) c[3]).getBytes())));
  }

  @Test
  void oversizedRequestLinesAndHeadersAreRefusedBeforeRouting() {
    n.refused(414, (String) null, () -> raw("GET", "/api/users/" + "a".repeat(9000), null, null));
    n.refused(
        431,
        (String) null,
        () ->
            Reply.of(
                RawHttp.send(
                    n.port(),
                    "GET",
                    "/api/users/me",
                    Map.of("X-Padding", "p".repeat(10_000)),
                    null)));
  }

  @TestFactory
  Stream<DynamicTest> malformedPercentEscapesAreBadRequests() {
    String c = n.malloryCarol;
    return Stream.of(
            "/api/conversations?limit=%ZZ",
            "/api/conversations?cursor=%E0%A4%A",
            "/api/conversations/%ZZ",
            "/api/conversations/" + c + "/messages?beforeSeq=%",
            "/api/users/lookup?phone=%",
            "/api/auth/qr/%ZZ",
            "/api/auth/qr/%ZZ/events?secret=%",
            "/api/uploads/%ZZ",
            "/sse?ticket=%ZZ")
        .map(
            target ->
                n.refusedTest(
                    target, 400, "bad_request", () -> raw("GET", target, n.mallory.token(), null)));
  }

  @Test
  void unknownRoutesAreNotFound() {
    for (String path :
        // "/" is the web client's page (docs/web-client.md)
        List.of(
            "/api",
            "/api/",
            "/admin",
            "/api/admin",
            "/.env",
            "/api/../../etc/passwd",
            "/conf/parley.yaml")) {
      n.refused(404, "not_found", () -> raw("GET", path, n.mallory.token(), null));
    }
  }

  // --- issue 13, #7: operator surfaces open to everyone ----------------------------------------

  /** Prometheus metrics are not served on the public API port, under any spelling. */
  @TestFactory
  Stream<DynamicTest> metricsAreNotServedOnTheApiPort() {
    return Stream.of(
            "/metrics",
            "/metrics/",
            "//metrics",
            "/%6detrics",
            "/%6D%65%74%72%69%63%73",
            "/./metrics",
            "/api/../metrics",
            "/%2e/metrics",
            "/api/%2e%2e/metrics",
            "/metrics?name[]=jvm_info")
        .map(this::noMetricsAt);
  }

  // --- not in issue 13: a known path with another method is 405, not 404 ------------------------

  /**
   * The router registers a 405 {@code method_not_allowed} handler, but the catch-all 404 route
   * answers first, so a wrong method looks like a missing route.
   */
  @TestFactory
  Stream<DynamicTest> wrongMethodsAreNotAllowed() {
    String m = n.aliceMessage.getString("id");
    String[][] cases = {
      {"POST", "/health"},
      {"DELETE", "/health/live"},
      {"GET", "/api/auth/login"},
      {"PUT", "/api/auth/register"},
      {"DELETE", "/api/auth/qr"},
      {"DELETE", "/api/users/me"},
      {"PUT", "/api/users/me"},
      {"PATCH", "/api/sessions"},
      {"PUT", "/api/conversations"},
      {"DELETE", "/api/conversations/" + n.aliceBob},
      {"PUT", "/api/conversations/" + n.aliceBob + "/messages"},
      {"GET", "/api/conversations/" + n.aliceBob + "/typing"},
      {"GET", "/api/messages/" + m},
      {"PUT", "/api/messages/" + m},
      {"DELETE", "/api/uploads/0123456789abcdef01234567"},
      {"TRACE", "/api/users/me"},
    };
    return Stream.of(cases)
        .map(
            c ->
                n.refusedTest(
                    c[0] + " " + c[1],
                    405,
                    "method_not_allowed",
                    () ->
                        raw(
                            c[0],
                            c[1],
                            n.alice.token(),
                            c[0].equals("GET") || c[0].equals("TRACE") || c[0].equals("DELETE")
                                ? null
                                : "{}".getBytes())));
  }
}
