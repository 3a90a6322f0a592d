package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import io.parley.verify.DeploymentCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code parley.jar verify}: passes against a healthy node, fails clearly against a broken one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyCommandIT {
  @TempDir static Path dir;
  Node healthy;
  Node broken;

  @BeforeAll
  void start() {
    healthy = TestNodes.start(TestNodes.env(dir.resolve("ok")), dir.resolve("ok"));
    // an edge without the services it needs: /health is 503, nothing can be sent
    Map<String, String> env = TestNodes.env(dir.resolve("broken"));
    env.put("PARLEY_ROLES", "http");
    broken = TestNodes.start(env, dir.resolve("broken"));
  }

  @AfterAll
  void stop() {
    TestNodes.stop(healthy, broken);
  }

  private record Run(int status, String output) {}

  private static Run verify(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status =
        DeploymentCheck.run(List.of(args), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Run(status, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void passesAgainstAHealthyNodeWithThrowawayUsers() {
    Run r = verify("--url", "http://127.0.0.1:" + healthy.httpPort());
    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("health", "sign in the sender", "open the recipient's event stream")
        .contains("receive it on the event stream")
        .contains("OK: every check passed")
        .doesNotContain("FAIL");
  }

  @Test
  void passesWithGivenCredentials() {
    try (Http http = new Http()) {
      Api api = new Api(http, healthy.httpPort());
      Account a = api.register("Operator A");
      Account b = api.register("Operator B");
      Run r =
          verify(
              "--url",
              "http://127.0.0.1:" + healthy.httpPort() + "/",
              "--user",
              a.phone() + ":" + a.password(),
              "--peer",
              b.phone() + ":" + b.password());
      assertThat(r.status()).as(r.output()).isZero();
    }
  }

  @Test
  void failsAtTheHealthStepAgainstABrokenNode() {
    Run r = verify("--url", "http://127.0.0.1:" + broken.httpPort());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.output()).containsPattern("1\\. health\\s+FAIL").contains("HTTP 503");
    assertThat(r.output()).contains("FAILED").doesNotContain("sign in the sender");
  }

  @Test
  void failsWhenNothingListens() {
    Run r = verify("--url", "http://127.0.0.1:" + TestNodes.freePort());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.output()).contains("cannot connect");
  }

  @Test
  void wrongCredentialsFailTheSignInStep() {
    Run r =
        verify(
            "--url",
            "http://127.0.0.1:" + healthy.httpPort(),
            "--user",
            "+14155550000:wrong-password",
            "--peer",
            "+14155550001:wrong-password");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.output()).containsPattern("2\\. sign in the sender\\s+FAIL").contains("HTTP 401");
  }

  @Test
  void badArgumentsExitWithTwo() {
    assertThat(verify().status()).isEqualTo(2);
    assertThat(verify("--url", "ftp://x").status()).isEqualTo(2);
    assertThat(verify("--url", "http://x", "--user", "a:b").status()).isEqualTo(2);
    assertThat(verify("--bogus").status()).isEqualTo(2);
  }
}
