package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Await;
import io.parley.testing.Http;
import io.parley.testing.Nginx;
import io.parley.testing.Requirements;
import io.parley.testing.SseClient;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nginx running the shipped {@code conf/nginx/parley.conf} in front of a node that trusts it
 * (TRUSTED_PROXIES=127.0.0.1/32). The browser side connects from another loopback address,
 * 127.0.0.7, so the node can only learn it from nginx's X-Forwarded-For.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReverseProxyIT {
  static final String CLIENT = "127.0.0.7";

  @TempDir static Path dir;
  Node node;
  Nginx nginx;
  Path prefix;
  Http http;
  WebClient fromClient;
  Api direct;

  @BeforeAll
  void start() {
    if (!Nginx.available()) {
      return; // each test is then reported as skipped, with the reason (see skipWithoutNginx)
    }
    Map<String, String> env = TestNodes.env(dir);
    env.put("TRUSTED_PROXIES", "127.0.0.1/32");
    node = TestNodes.start(env, dir);
    int port = TestNodes.freePort();
    prefix = Nginx.prefixWith(Nginx.shippedConfFor(port, List.of(node.httpPort())));
    Nginx.Result check = Nginx.test(prefix);
    assertThat(check.status()).as(check.output()).isZero();
    nginx = Nginx.start(prefix, port);
    http = new Http();
    fromClient =
        WebClient.create(
            http.vertx(),
            new WebClientOptions().setLocalAddress(CLIENT).setDefaultHost("127.0.0.1"));
    direct = new Api(http, node.httpPort());
  }

  @BeforeEach
  void skipWithoutNginx() {
    Requirements.nginx();
  }

  @AfterAll
  void stop() {
    if (nginx != null) {
      nginx.close();
    }
    TestNodes.stop(node);
    if (fromClient != null) {
      fromClient.close();
    }
    if (http != null) {
      http.close();
    }
  }

  private HttpResponse<Buffer> viaProxy(
      HttpMethod method, String path, JsonObject body, Map<String, String> headers) {
    var req = fromClient.request(method, nginx.port(), "127.0.0.1", path);
    headers.forEach(req::putHeader);
    try {
      return (body == null ? req.send() : req.sendJsonObject(body)).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The address the signed-in scanner is shown for a QR challenge made through the proxy. */
  private String addressSeenFor(Map<String, String> headers) {
    var c = viaProxy(HttpMethod.POST, "/api/auth/qr", null, headers);
    assertThat(c.statusCode()).isEqualTo(201);
    Account scanner = direct.register("Scanner");
    var scanned =
        direct.post(
            "/api/auth/qr/scan",
            new JsonObject().put("qr", c.bodyAsJsonObject().getString("qr")),
            scanner.token());
    assertThat(scanned.statusCode()).isEqualTo(200);
    return scanned.bodyAsJsonObject().getString("address");
  }

  @Test
  void jsonPassesThroughTheProxy() {
    var reg =
        viaProxy(
            HttpMethod.POST,
            "/api/auth/register",
            new JsonObject()
                .put("phone", Api.newPhone())
                .put("name", "Proxied")
                .put("password", "correct horse battery staple"),
            Map.of());
    assertThat(reg.statusCode()).isEqualTo(201);
    String token = reg.bodyAsJsonObject().getString("token");
    var me =
        viaProxy(HttpMethod.GET, "/api/users/me", null, Map.of("Authorization", "Bearer " + token));
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.bodyAsJsonObject().getString("name")).isEqualTo("Proxied");
    assertThat(me.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    // the metrics location is closed at the proxy, however it is spelt
    for (String p : List.of("/metrics", "/metrics/", "//metrics", "/%6detrics", "/METRICS")) {
      assertThat(viaProxy(HttpMethod.GET, p, null, Map.of()).statusCode()).as(p).isEqualTo(404);
    }
  }

  @Test
  void theNodeSeesTheClientAddressNginxForwarded() {
    assertThat(addressSeenFor(Map.of())).isEqualTo(CLIENT);
  }

  @Test
  void aForgedForwardedForIsNotBelieved() {
    // nginx appends the real peer; the node takes the right-most address it does not trust
    assertThat(addressSeenFor(Map.of("X-Forwarded-For", "203.0.113.66"))).isEqualTo(CLIENT);
  }

  @Test
  void anEventStreamFlowsThroughTheProxyUnbufferedAndUncompressed() {
    var c = viaProxy(HttpMethod.POST, "/api/auth/qr", null, Map.of()).bodyAsJsonObject();
    Account phone = direct.register("Phone");
    try (SseClient sse =
        SseClient.qrEvents(http.vertx(), nginx.port(), c, Map.of("Accept-Encoding", "gzip"))) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.header("Content-Type")).startsWith("text/event-stream");
      assertThat(sse.header("Content-Encoding")).isNotEqualTo("gzip");
      // each step arrives while the stream stays open: nothing waits in a proxy buffer
      direct.post(
          "/api/auth/qr/scan", new JsonObject().put("qr", c.getString("qr")), phone.token());
      assertThat(sse.awaitEvent("qr.scanned", 10_000)).isNotNull();
      assertThat(sse.ended()).isFalse();
      assertThat(
              direct
                  .post(
                      "/api/auth/qr/approve",
                      new JsonObject().put("qr", c.getString("qr")).put("deviceName", "Proxied"),
                      phone.token())
                  .statusCode())
          .isEqualTo(204);
      var approved = sse.awaitEvent("qr.approved", 10_000);
      assertThat(approved).isNotNull();
      assertThat(approved.json().getString("token")).isNotBlank();
    }
  }

  @Test
  void aChatMessageArrivesOnSseThroughTheProxyAndResumesThroughIt() {
    Account ann = direct.register("Ann");
    Account bob = direct.register("Bob");
    String conv = direct.conversation(ann, "direct", null, bob).getString("id");
    String lastId;
    try (SseClient sse =
        SseClient.connect(
            http.vertx(),
            nginx.port(),
            "/sse",
            Map.of("Authorization", "Bearer " + bob.token(), "Accept-Encoding", "gzip"))) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.header("Content-Type")).startsWith("text/event-stream");
      assertThat(sse.header("Content-Encoding")).isNotEqualTo("gzip");
      direct.send(ann, conv, "through nginx");
      var e =
          sse.await(
              ev -> ev.event().equals("message.created") && ev.data().contains("through nginx"),
              10_000);
      assertThat(e).isNotNull();
      lastId = e.id();
    }
    direct.send(ann, conv, "while away");
    try (SseClient resumed =
        SseClient.connect(
            http.vertx(),
            nginx.port(),
            "/sse",
            Map.of("Authorization", "Bearer " + bob.token(), "Last-Event-ID", lastId))) {
      assertThat(
              resumed.await(
                  ev -> ev.event().equals("message.created") && ev.data().contains("while away"),
                  10_000))
          .isNotNull();
    }
  }

  @Test
  void jsonIsCompressedThroughTheProxy() {
    var res = viaProxy(HttpMethod.GET, "/health", null, Map.of("Accept-Encoding", "gzip"));
    assertThat(res.getHeader("Content-Encoding")).isEqualTo("gzip");
  }

  @Test
  void credentialsInEventStreamUrlsStayOutOfTheAccessLog() {
    Account ann = direct.register("Logged");
    String ticket =
        direct.post("/api/sse/ticket", null, ann.token()).bodyAsJsonObject().getString("ticket");
    try (SseClient sse =
        SseClient.connect(http.vertx(), nginx.port(), "/sse?ticket=" + ticket, Map.of())) {
      assertThat(sse.status()).isEqualTo(200);
    }
    var c = viaProxy(HttpMethod.POST, "/api/auth/qr", null, Map.of()).bodyAsJsonObject();
    String secret = c.getString("requesterSecret");
    try (SseClient sse =
        SseClient.connect(
            http.vertx(),
            nginx.port(),
            "/api/auth/qr/" + c.getString("challengeId") + "/events?secret=" + secret,
            Map.of())) {
      assertThat(sse.status()).isEqualTo(200);
    }
    Path log = prefix.resolve("parley.access.log");
    // nginx writes the line when the request ends
    Await.until(5000, () -> read(log).contains("/sse?") && read(log).contains("/events?"));
    String logged = read(log);
    assertThat(logged).contains("/sse?[redacted]").contains("/events?[redacted]");
    assertThat(logged).doesNotContain(ticket).doesNotContain(secret);
  }

  private static String read(Path file) {
    try {
      return java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
