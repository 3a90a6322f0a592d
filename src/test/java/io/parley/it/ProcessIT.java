package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped jar as an operator runs it: {@code java -jar target/parley.jar}. */
class ProcessIT {
  @TempDir Path dir;

  private Process launch(Map<String, String> env, String... args) throws IOException {
    String jar = System.getProperty("parley.jar", "target/parley.jar");
    List<String> cmd =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.add("-jar");
    cmd.add(Path.of(jar).toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    String logName = args.length == 0 ? "node.log" : "verify.log";
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve(logName).toFile());
    return pb.start();
  }

  private String log() throws IOException {
    return Files.readString(dir.resolve("node.log"), StandardCharsets.UTF_8);
  }

  @Test
  void sigtermStopsTheNodeCleanlyAndLeavesNothingBehind() throws Exception {
    int port = TestNodes.freePort();
    int metricsPort = TestNodes.freePort();
    Process p =
        launch(
            Map.of(
                "PORT", String.valueOf(port),
                "HOST", "127.0.0.1",
                "METRICS_PORT", String.valueOf(metricsPort),
                "PARLEY_EMBEDDED_MONGO_PORT", "0",
                "LOG_LEVEL", "info"));
    try (Http http = new Http()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int status = -1;
      while (System.nanoTime() < deadline && p.isAlive()) {
        try {
          status = http.get(port, "/health").statusCode();
          if (status == 200) {
            break;
          }
        } catch (RuntimeException notYet) {
          // not listening yet
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
      assertThat(status).as(log()).isEqualTo(200);
    }
    // the operator's deployment check, shipped in the same jar
    try (Http http = new Http()) {
      // metrics on the management port, never on the API port
      assertThat(http.get(metricsPort, "/metrics").bodyAsString()).contains("jvm_memory_used");
      assertThat(http.get(port, "/metrics").statusCode()).isEqualTo(404);
    }
    Process verify = launch(Map.of(), "verify", "--url", "http://127.0.0.1:" + port);
    assertThat(verify.waitFor(90, TimeUnit.SECONDS)).isTrue();
    String verifyOut = Files.readString(dir.resolve("verify.log"), StandardCharsets.UTF_8);
    assertThat(verify.exitValue()).as(verifyOut).isZero();
    assertThat(verifyOut).contains("OK: every check passed");
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(log()).isTrue();
    assertThat(p.exitValue()).as(log()).isZero();
    assertThat(children).noneMatch(ProcessHandle::isAlive);
    assertThat(portOpen(port)).isFalse();
    assertThat(log()).contains("shutting down").contains("stopped");
    // the development secret was generated, warned about, and never printed
    String secret = Files.readString(dir.resolve("data/jwt-dev-secret")).trim();
    assertThat(log()).contains("JWT_SECRET is not set").doesNotContain(secret);
  }

  @Test
  void badConfigurationListsEveryProblemAndExitsNonZero() throws Exception {
    Process p = launch(Map.of("NODE_ENV", "production", "PORT", "http", "LOG_LEVEL", "chatty"));
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(log())
        .contains("configuration problems")
        .contains("http.port (PORT)")
        .contains("log.level (LOG_LEVEL)")
        .contains("jwt.secret")
        .contains("mongo.uri");
  }

  private static boolean portOpen(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
