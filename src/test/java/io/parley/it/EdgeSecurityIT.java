package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.SingleNodeSuite;
import io.parley.testing.SseClient;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a browser or an attacker sees at the edge: security headers, CORS, compression, limits. */
class EdgeSecurityIT extends SingleNodeSuite {
  static final String APP = "https://app.example.com";

  @Override
  protected Map<String, String> nodeEnv(Path dir) {
    Map<String, String> env = TestNodes.env(dir);
    env.put("CORS_ORIGIN", APP + ", http://localhost:5173");
    return env;
  }

  private static void assertSecurityHeaders(HttpResponse<Buffer> res) {
    assertThat(res.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(res.getHeader("X-Frame-Options")).isEqualTo("DENY");
    assertThat(res.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(res.getHeader("Content-Security-Policy")).contains("default-src 'none'");
    // plain HTTP without a trusted proxy saying otherwise: no HSTS
    assertThat(res.getHeader("Strict-Transport-Security")).isNull();
  }

  @Test
  void everyKindOfResponseCarriesTheSecurityHeaders() {
    Account a = api.register("Headers");
    List<HttpResponse<Buffer>> responses =
        List.of(
            api.get("/api/users/me", a.token()),
            api.get("/health/live", null),
            api.get("/api/nowhere", null),
            api.get("/api/users/me", null),
            api.post("/api/auth/login", new JsonObject().put("phone", 1), null),
            api.raw(
                HttpMethod.POST,
                "/api/auth/login",
                Buffer.buffer("{not json"),
                Map.of("Content-Type", "application/json")),
            api.raw(
                HttpMethod.POST,
                "/api/auth/login",
                Buffer.buffer("x".repeat(70_000)),
                Map.of("Content-Type", "application/json")));
    assertThat(responses.stream().map(HttpResponse::statusCode))
        .containsExactly(200, 200, 404, 401, 400, 400, 413);
    for (HttpResponse<Buffer> res : responses) {
      assertSecurityHeaders(res);
      assertThat(res.getHeader("Cache-Control")).isEqualTo("no-store");
    }
    assertThat(Api.errorCode(responses.get(5))).isEqualTo("invalid_json");
  }

  @Test
  void eventStreamsCarryTheHeadersAndAreNeverCompressed() {
    var c = api.post("/api/auth/qr", null, null).bodyAsJsonObject();
    try (SseClient sse =
        SseClient.qrEvents(http.vertx(), node.httpPort(), c, Map.of("Accept-Encoding", "gzip"))) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.header("Content-Type")).startsWith("text/event-stream");
      assertThat(sse.header("Content-Encoding")).isNotEqualTo("gzip");
      assertThat(sse.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(sse.header("Content-Security-Policy")).contains("default-src 'none'");
      assertThat(sse.header("Cache-Control")).contains("no-store");
    }
  }

  @Test
  void jsonIsGzippedForClientsThatAcceptIt() {
    var gz = api.raw(HttpMethod.GET, "/health", null, Map.of("Accept-Encoding", "gzip"));
    assertThat(gz.getHeader("Content-Encoding")).isEqualTo("gzip");
    // the raw body is gzip (magic 1f 8b), not JSON
    assertThat(gz.body().getByte(0)).isEqualTo((byte) 0x1f);
    assertThat(gz.body().getByte(1)).isEqualTo((byte) 0x8b);
    var plain = api.raw(HttpMethod.GET, "/health", null, Map.of());
    assertThat(plain.getHeader("Content-Encoding")).isNull();
    assertThat(plain.bodyAsJsonObject().getString("status")).isNotNull();
  }

  @Test
  void aListedOriginGetsCorsHeadersNamingIt() {
    var res = api.raw(HttpMethod.GET, "/health/live", null, Map.of("Origin", APP));
    assertThat(res.getHeader("Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(res.getHeader("Access-Control-Allow-Credentials")).isNull();
    assertThat(res.getHeader("Access-Control-Expose-Headers")).contains("Retry-After");
    assertThat(res.getHeader("Vary")).contains("Origin");
  }

  @Test
  void anUnknownOriginGetsNoCorsHeaders() {
    var res =
        api.raw(HttpMethod.GET, "/health/live", null, Map.of("Origin", "https://evil.example"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().names()).noneMatch(n -> n.toLowerCase().startsWith("access-control"));
  }

  /** A CORS preflight of {@code POST /api/conversations} with a token, from this origin. */
  private HttpResponse<Buffer> preflightFrom(String origin) {
    return api.raw(
        HttpMethod.OPTIONS,
        "/api/conversations",
        null,
        Map.of(
            "Access-Control-Request-Method", "POST",
            "Access-Control-Request-Headers", "authorization, content-type",
            "Origin", origin));
  }

  @Test
  void preflightIsAnsweredForListedOriginsOnly() {
    var ok = preflightFrom("http://localhost:5173");
    assertThat(ok.statusCode()).isEqualTo(204);
    assertThat(ok.getHeader("Access-Control-Allow-Origin")).isEqualTo("http://localhost:5173");
    assertThat(ok.getHeader("Access-Control-Allow-Methods")).contains("POST");
    assertThat(ok.getHeader("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");
    assertThat(ok.getHeader("Access-Control-Max-Age")).isEqualTo("600");
    assertSecurityHeaders(ok);

    var refused = preflightFrom("https://evil.example");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().names())
        .noneMatch(n -> n.toLowerCase().startsWith("access-control"));
  }

  @Test
  void forwardedHeadersFromAnUntrustedPeerAreIgnored() {
    // no TRUSTED_PROXIES here: X-Forwarded-Proto cannot turn on HSTS, and X-Forwarded-For cannot
    // pick the address the QR scanner is shown
    var c =
        api.raw(
                HttpMethod.POST,
                "/api/auth/qr",
                null,
                Map.of("X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https"))
            .bodyAsJsonObject();
    Account scanner = api.register("Scanner");
    var scanned =
        api.post(
            "/api/auth/qr/scan", new JsonObject().put("qr", c.getString("qr")), scanner.token());
    assertThat(scanned.statusCode()).isEqualTo(200);
    assertThat(scanned.bodyAsString()).contains("127.0.0.1").doesNotContain("203.0.113.9");
    var res = api.raw(HttpMethod.GET, "/health/live", null, Map.of("X-Forwarded-Proto", "https"));
    assertThat(res.getHeader("Strict-Transport-Security")).isNull();
  }
}
