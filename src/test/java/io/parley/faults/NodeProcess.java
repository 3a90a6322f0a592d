package io.parley.faults;

import io.parley.testing.Prometheus;
import io.parley.testing.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Parley node as an operator runs it ({@code java -jar target/parley.jar}), configured through
 * its environment, on fixed loopback ports so that it comes back where clients expect it after a
 * restart. Reads what an operator would: {@code /health}, {@code /metrics} (on its own management
 * port), and {@code /proc} for threads, descriptors and memory.
 */
final class NodeProcess extends JarProcess {
  // HTTP/1.1 as operators' tools speak it (no h2c upgrade attempt on plain http)
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  final int httpPort;
  final int metricsPort;
  private final Map<String, String> env;

  private NodeProcess(
      String name, Path dir, Map<String, String> env, int httpPort, int metricsPort) {
    super(
        name,
        dir,
        List.of(
            "-Xmx" + System.getProperty("parley.faults.nodeHeap", "384m"),
            "-XX:+ExitOnOutOfMemoryError",
            // two cores shared by several JVMs: less JIT and GC work per process
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-jar",
            jar().toString()),
        env);
    this.env = env;
    this.httpPort = httpPort;
    this.metricsPort = metricsPort;
  }

  /**
   * A node's environment: test mode, fixed ports, limits out of the way unless a test sets them.
   */
  static Map<String, String> baseEnv(Path dir, String mongoUri) {
    Map<String, String> env = new HashMap<>();
    env.put("NODE_ENV", "test");
    env.put("HOST", "127.0.0.1");
    env.put("PARLEY_DATA_DIR", dir.resolve("data").toString());
    env.put("UPLOAD_DIR", dir.resolve("uploads").toString());
    env.put("JWT_SECRET", TestNodes.TEST_SECRET);
    env.put("LOG_LEVEL", "info");
    env.put("PARLEY_INSTANCES", "http=2");
    env.put("PARLEY_REGISTRATIONS_PER_HOUR", "1000000");
    env.put("RATE_LIMIT_MAX_REQUESTS", "1000000000");
    env.put("RATE_LIMIT_USER_MAX_REQUESTS", "1000000000");
    env.put("RATE_LIMIT_AUTH_MAX_REQUESTS", "1000000000");
    env.put("SSE_MAX_STREAMS_PER_ADDRESS", "100000");
    if (mongoUri != null) {
      env.put("MONGO_URI", mongoUri);
    }
    return env;
  }

  static NodeProcess create(String name, Path dir, Map<String, String> env) {
    Map<String, String> e = new HashMap<>(env);
    int http = TestNodes.freePort();
    int metrics = TestNodes.freePort();
    e.put("PORT", String.valueOf(http));
    e.put("METRICS_PORT", String.valueOf(metrics));
    return new NodeProcess(name, dir, e, http, metrics);
  }

  /** Starts the node and waits until its {@code /health} answers 200. */
  NodeProcess up() {
    start();
    awaitHealthy(90);
    return this;
  }

  String env(String key) {
    return env.get(key);
  }

  void awaitHealthy(int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int last = -1;
    while (System.nanoTime() < deadline) {
      if (!running()) {
        throw new IllegalStateException(name + " exited:\n" + tail());
      }
      last = status("/health");
      if (last == 200) {
        return;
      }
      sleep(200);
    }
    throw new IllegalStateException(name + " not healthy (last " + last + "):\n" + tail());
  }

  /** The status of a GET, or -1 when nothing answered within 5 s. */
  int status(String path) {
    Answer a = get(httpPort, path);
    return a == null ? -1 : a.status();
  }

  record Answer(int status, String body, Map<String, List<String>> headers) {}

  Answer health() {
    return get(httpPort, "/health");
  }

  static Answer get(int port, String path) {
    try {
      // the whole exchange, body included, is bounded (the request timeout covers headers only)
      HttpResponse<String> r =
          HTTP.sendAsync(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                      .timeout(Duration.ofSeconds(5))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .get(15, TimeUnit.SECONDS);
      return new Answer(r.statusCode(), r.body(), r.headers().map());
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The Prometheus text of {@code /metrics}. */
  String metrics() {
    Answer a = get(metricsPort, "/metrics");
    if (a == null || a.status() != 200) {
      throw new IllegalStateException(
          name + ": /metrics answered " + (a == null ? "nothing" : a.status()));
    }
    return a.body();
  }

  /** What /proc and /metrics say about the process now. */
  record Vitals(
      long heapAfterGc, long rss, int threads, int fds, double busConsumers, int streams) {
    @Override
    public String toString() {
      return String.format(
          "heapAfterGC=%dMiB rss=%dMiB threads=%d fds=%d busConsumers=%.0f streams=%d",
          heapAfterGc >> 20, rss >> 20, threads, fds, busConsumers, streams);
    }
  }

  /** Forces a full GC (jcmd), then reads heap, RSS, threads, descriptors and bus consumers. */
  Vitals vitals() {
    jcmd("GC.run");
    String m = metrics();
    long heap = (long) Prometheus.sample(m, "jvm_memory_used_bytes", "area=\"heap\"");
    double consumers = Prometheus.sample(m, "vertx_eventbus_handlers", null);
    double open = Prometheus.sample(m, "parley_sse_streams_open", null);
    Path proc = Path.of("/proc", String.valueOf(pid()));
    long rss = 0;
    int threads = 0;
    try {
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.replaceAll("\\D", ""));
        }
      }
      int fds;
      try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
        fds = (int) s.count();
      }
      return new Vitals(heap, rss, threads, fds, consumers, Double.isNaN(open) ? -1 : (int) open);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + proc, e);
    }
  }

  void jcmd(String command) {
    try {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  String.valueOf(pid()),
                  command)
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      p.waitFor(60, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException("jcmd failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Log lines an operator would be paged for: errors and blocked event loops. */
  List<String> troubleInLog() {
    List<String> lines = logText().lines().toList();
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.contains("NormalResponse already responseReceived")) {
        // Hazelcast's own log when an operation retried after a member died gets two answers:
        // the caller keeps the first, nothing fails; not a fault of ours to page anyone for
        continue;
      }
      if (l.contains(" ERROR ")
          || l.contains("has been blocked for")
          || l.contains("OutOfMemoryError")
          || l.contains("Exception in thread")) {
        // with the exception and its first frames, to say what went wrong where
        StringBuilder b = new StringBuilder(l);
        for (int k = i + 1; k < Math.min(lines.size(), i + 10); k++) {
          b.append(" | ").append(lines.get(k).strip());
        }
        out.add(b.toString());
      }
    }
    return out;
  }
}
