package io.parley.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production-hardening keys: CORS, proxies, TLS, rate limits, metrics. */
class OperationsConfigTest {
  @TempDir Path dir;

  private ParleyConfig load(Map<String, String> env) {
    return ConfigLoader.load(env, dir).config();
  }

  private String problems(Map<String, String> env) {
    try {
      load(env);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected configuration problems for " + env);
  }

  @Test
  void defaultsSuitAChatClient() {
    ParleyConfig c = load(Map.of());
    assertThat(c.cors().enabled()).isFalse();
    assertThat(c.proxy().trusted()).isEmpty();
    assertThat(c.tls().enabled()).isFalse();
    assertThat(c.tls().hstsMaxAgeSeconds()).isEqualTo(31_536_000L);
    assertThat(c.rateLimit().store()).isEqualTo("auto");
    assertThat(c.rateLimit().window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.rateLimit().maxRequests()).isEqualTo(600);
    assertThat(c.rateLimit().userMaxRequests()).isEqualTo(1200);
    assertThat(c.rateLimit().authWindow()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.rateLimit().authMaxRequests()).isEqualTo(30);
    assertThat(c.metrics().enabled()).isTrue();
    assertThat(c.metrics().port()).isEqualTo(9464);
    assertThat(c.metrics().host()).isEqualTo("127.0.0.1");
  }

  @Test
  void seedAndNodeVariablesSetTheNewKeys() throws Exception {
    Path key = Files.writeString(dir.resolve("key.pem"), "k");
    Path cert = Files.writeString(dir.resolve("cert.pem"), "c");
    ParleyConfig c =
        load(
            Map.ofEntries(
                Map.entry("CORS_ORIGIN", "https://app.example.com/, http://localhost:5173"),
                Map.entry("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1, ::1"),
                Map.entry("TLS_KEY_PATH", key.toString()),
                Map.entry("TLS_CERT_PATH", cert.toString()),
                Map.entry("TLS_REDIRECT_PORT", "8080"),
                Map.entry("RATE_LIMIT_WINDOW_MS", "900000"),
                Map.entry("RATE_LIMIT_MAX_REQUESTS", "100"),
                Map.entry("RATE_LIMIT_USER_MAX_REQUESTS", "200"),
                Map.entry("RATE_LIMIT_AUTH_MAX_REQUESTS", "5"),
                Map.entry("RATE_LIMIT_STORE", "local"),
                Map.entry("METRICS_PORT", "9100")));
    assertThat(c.cors().origins())
        .containsExactly("https://app.example.com", "http://localhost:5173");
    assertThat(c.proxy().trusts("10.1.2.3")).isTrue();
    assertThat(c.proxy().trusts("127.0.0.1")).isTrue();
    assertThat(c.proxy().trusts("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(c.proxy().trusts("192.168.1.1")).isFalse();
    assertThat(c.tls().enabled()).isTrue();
    assertThat(c.tls().redirectPort()).isEqualTo(8080);
    assertThat(c.rateLimit().window()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.rateLimit().maxRequests()).isEqualTo(100);
    assertThat(c.rateLimit().userMaxRequests()).isEqualTo(200);
    assertThat(c.rateLimit().authMaxRequests()).isEqualTo(5);
    assertThat(c.rateLimit().store()).isEqualTo("local");
    assertThat(c.metrics().port()).isEqualTo(9100);
  }

  @Test
  void invalidValuesAreAllListedWithTheirVariables() {
    String p =
        problems(
            Map.ofEntries(
                Map.entry("CORS_ORIGIN", "app.example.com"),
                Map.entry("TRUSTED_PROXIES", "10.0.0.0/33,proxy.internal"),
                Map.entry("TLS_KEY_PATH", dir.resolve("missing-key.pem").toString()),
                Map.entry("RATE_LIMIT_WINDOW_MS", "soon"),
                Map.entry("RATE_LIMIT_MAX_REQUESTS", "0"),
                Map.entry("RATE_LIMIT_STORE", "memcached"),
                Map.entry("METRICS_ENABLED", "perhaps"),
                Map.entry("METRICS_PORT", "70000")));
    assertThat(p)
        .contains("cors.origins (CORS_ORIGIN): \"app.example.com\" is not an origin")
        .contains("http.trustedProxies (TRUSTED_PROXIES): \"10.0.0.0/33\" has a prefix length")
        .contains("\"proxy.internal\" is not an IP address or CIDR block")
        .contains("tls.certPath: is required when tls.keyPath is set")
        .contains("rateLimit.windowMs (RATE_LIMIT_WINDOW_MS): \"soon\" is not an integer")
        .contains("rateLimit.maxRequests (RATE_LIMIT_MAX_REQUESTS): 0 is out of range")
        .contains("rateLimit.store (RATE_LIMIT_STORE): \"memcached\" is not one of")
        .contains("metrics.enabled (METRICS_ENABLED): \"perhaps\" is not true or false")
        .contains("metrics.port (METRICS_PORT): 70000 is out of range");
  }

  @Test
  void aWildcardOriginCannotBeCombinedWithCredentials() {
    assertThat(problems(Map.of("CORS_ORIGIN", "*", "CORS_CREDENTIALS", "true")))
        .contains("\"*\" cannot be combined with cors.allowCredentials");
    assertThat(load(Map.of("CORS_ORIGIN", "*")).cors().origins()).containsExactly("*");
  }

  @Test
  void tlsFilesMustBeReadableAndTheRedirectNeedsTls() {
    assertThat(
            problems(
                Map.of(
                    "TLS_KEY_PATH", "nope/key.pem",
                    "TLS_CERT_PATH", "nope/cert.pem")))
        .contains("tls.keyPath (TLS_KEY_PATH): cannot read")
        .contains("tls.certPath (TLS_CERT_PATH): cannot read");
    assertThat(problems(Map.of("TLS_REDIRECT_PORT", "8080")))
        .contains("tls.redirectPort (TLS_REDIRECT_PORT): needs TLS");
  }

  @Test
  void sharedStoresNeedWhatTheyShareThrough() {
    assertThat(problems(Map.of("RATE_LIMIT_STORE", "redis")))
        .contains("redis needs redis.url (REDIS_URL)");
    assertThat(problems(Map.of("RATE_LIMIT_STORE", "hazelcast")))
        .contains("hazelcast needs clustering");
    assertThat(problems(Map.of("METRICS_PORT", "3000")))
        .contains("metrics.port (METRICS_PORT): must differ from http.port");
  }
}
