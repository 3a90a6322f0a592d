package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Http;
import io.parley.testing.SelfSigned;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Direct HTTPS from PEM files, HSTS, and the plain-HTTP listener that redirects to HTTPS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {
  @TempDir static Path dir;
  Node node;
  Http http;
  WebClient tls;
  int redirectPort;

  @BeforeAll
  void start() {
    SelfSigned cert = SelfSigned.create(dir.resolve("tls"));
    redirectPort = TestNodes.freePort();
    Map<String, String> env = TestNodes.env(dir);
    env.put("TLS_KEY_PATH", cert.keyPath().toString());
    env.put("TLS_CERT_PATH", cert.certPath().toString());
    env.put("TLS_REDIRECT_PORT", String.valueOf(redirectPort));
    node = TestNodes.start(env, dir);
    http = new Http();
    // trusts exactly the test certificate, and checks that it names 127.0.0.1
    tls =
        WebClient.create(
            http.vertx(),
            new WebClientOptions()
                .setSsl(true)
                .setVerifyHost(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(cert.certPath().toString())));
  }

  @AfterAll
  void stop() {
    TestNodes.stop(node);
    tls.close();
    http.close();
  }

  private HttpResponse<Buffer> https(String path) throws Exception {
    return tls.get(node.httpPort(), "127.0.0.1", path).send().await(20, TimeUnit.SECONDS);
  }

  /** A plain-HTTP request to the redirect listener that does not follow the redirect. */
  private HttpResponse<Buffer> plain(HttpMethod method, String path) throws Exception {
    return http.client()
        .request(method, redirectPort, "127.0.0.1", path)
        .followRedirects(false)
        .sendBuffer(Buffer.buffer("{}"))
        .await(20, TimeUnit.SECONDS);
  }

  @Test
  void theApiIsServedOverHttpsWithHsts() throws Exception {
    var res = https("/health/live");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.getHeader("Strict-Transport-Security"))
        .isEqualTo("max-age=31536000; includeSubDomains");
    assertThat(res.getHeader("X-Frame-Options")).isEqualTo("DENY");
  }

  @Test
  void plainHttpOnTheApiPortIsNotServed() {
    boolean answered;
    try {
      var res = http.get(node.httpPort(), "/health/live");
      answered = res.statusCode() == 200;
    } catch (IllegalStateException e) {
      answered = false;
    }
    assertThat(answered).isFalse();
  }

  @Test
  void theRedirectListenerSendsClientsToHttps() throws Exception {
    var get = plain(HttpMethod.GET, "/api/users/me?x=1");
    assertThat(get.statusCode()).isEqualTo(301);
    assertThat(get.getHeader("Location"))
        .isEqualTo("https://127.0.0.1:" + node.httpPort() + "/api/users/me?x=1");
    assertThat(get.getHeader("Strict-Transport-Security")).isNull();

    var post =
        http.send(HttpMethod.POST, redirectPort, "/api/auth/login", Buffer.buffer("{}"), Map.of());
    assertThat(post.statusCode()).isEqualTo(308);

    // following it lands on the HTTPS API
    var followed = tls.getAbs(get.getHeader("Location")).send().await(20, TimeUnit.SECONDS);
    assertThat(followed.statusCode()).isEqualTo(401);
  }
}
