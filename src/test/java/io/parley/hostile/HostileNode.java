package io.parley.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Db;
import io.parley.testing.Http;
import io.parley.testing.TestNode;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * The shared fixture of the hostile-input suite: one real node per test class (embedded MongoDB,
 * local uploads), a client, direct access to its database, and a small world to attack: Alice and
 * Bob with a direct conversation, Alice's group with Bob and Carol, and Mallory, the attacker, with
 * a conversation of her own with Carol.
 *
 * <p>Every hostile request goes through {@link #refused} (or {@link #harmless}): the database and
 * the upload folder are snapshotted before and after, and must be identical.
 */
final class HostileNode implements AutoCloseable {
  final Path dir;
  final Path uploadDir;
  private final TestNode fixture;
  final Node node;
  final Http http;
  final Api api;
  final Db db;

  Account alice;
  Account bob;
  Account carol;
  Account mallory;

  /** Alice and Bob's direct conversation: Alice's message at seq 1, Bob's at seq 2. */
  String aliceBob;

  JsonObject aliceMessage;
  JsonObject bobMessage;

  /** Alice's group (she is its only admin) with Bob and Carol. */
  String aliceGroup;

  /** Mallory's direct conversation with Carol, where Mallory is a legitimate member. */
  String malloryCarol;

  private HostileNode(Path dir, Map<String, String> extraEnv) {
    this.dir = dir;
    Map<String, String> env = TestNodes.env(dir);
    env.putAll(extraEnv);
    this.uploadDir = Path.of(env.get("UPLOAD_DIR"));
    this.fixture = TestNode.start(env, dir);
    this.node = fixture.node;
    this.http = fixture.http;
    this.api = fixture.api;
    this.db = fixture.db;
  }

  static HostileNode start(Path dir) {
    return start(dir, Map.of());
  }

  static HostileNode start(Path dir, Map<String, String> extraEnv) {
    return new HostileNode(dir, extraEnv).world();
  }

  /** With these lines of YAML as the operator's config file ({@code PARLEY_CONF}). */
  static HostileNode start(Path dir, Map<String, String> extraEnv, String yaml) {
    Path conf = dir.resolve("parley-hostile.yaml");
    try {
      java.nio.file.Files.writeString(conf, yaml);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("PARLEY_CONF", conf.toString());
    return start(dir, env);
  }

  private HostileNode world() {
    alice = api.register("Alice");
    bob = api.register("Bob");
    carol = api.register("Carol");
    mallory = api.register("Mallory");
    aliceBob = api.conversation(alice, "direct", null, bob).getString("id");
    aliceMessage = api.send(alice, aliceBob, "hello Bob");
    bobMessage = api.send(bob, aliceBob, "hello Alice");
    aliceGroup = api.conversation(alice, "group", "Climbing", bob, carol).getString("id");
    malloryCarol = api.conversation(mallory, "direct", null, carol).getString("id");
    return this;
  }

  int port() {
    return node.httpPort();
  }

  DbSnapshot snapshot() {
    return DbSnapshot.take(db.client(), uploadDir);
  }

  /** What a test reads from any kind of answer. */
  record Reply(int status, String code, String body, Map<String, String> headers) {
    static Reply of(Object answer) {
      if (answer instanceof Reply r) {
        return r;
      }
      if (answer instanceof HttpResponse<?> res) {
        Buffer b = res.body() instanceof Buffer buf ? buf : null;
        Map<String, String> h = new HashMap<>();
        res.headers().forEach(e -> h.putIfAbsent(e.getKey().toLowerCase(), e.getValue()));
        String text = b == null ? "" : b.toString(StandardCharsets.UTF_8);
        return new Reply(res.statusCode(), code(text), text, h);
      }
      if (answer instanceof RawHttp.Answer a) {
        return new Reply(a.status(), a.errorCode(), a.text(), a.headers());
      }
      throw new IllegalArgumentException("not an answer: " + answer);
    }

    String header(String name) {
      return headers.get(name.toLowerCase());
    }

    private static String code(String text) {
      try {
        JsonObject e = new JsonObject(text).getJsonObject("error");
        return e == null ? null : e.getString("code");
      } catch (RuntimeException notJson) {
        return null;
      }
    }
  }

  /**
   * Sends a hostile request and asserts how it was refused: this status, this error code, and not a
   * byte changed in the database or the upload folder.
   */
  Reply refused(int status, String code, Supplier<?> request) {
    return refused(status, java.util.Set.of(String.valueOf(code)), request);
  }

  /** As {@link #refused(int, String, Supplier)}, where any of these codes is right. */
  Reply refused(int status, java.util.Set<String> codes, Supplier<?> request) {
    DbSnapshot before = snapshot();
    Reply r = Reply.of(request.get());
    String changes = snapshot().diff(before);
    java.util.List<String> problems = new java.util.ArrayList<>();
    if (r.status() != status) {
      problems.add("status " + r.status() + ", expected " + status);
    }
    if (!codes.contains(String.valueOf(r.code()))) {
      problems.add("error code " + r.code() + ", expected " + String.join(" or ", codes));
    }
    if (!changes.isEmpty()) {
      problems.add("it changed the database: " + changes.strip());
    }
    assertThat(problems).as("answer %s", clip(r.body())).isEmpty();
    return r;
  }

  private static String clip(String s) {
    return s.length() > 600 ? s.substring(0, 600) + "…" : s;
  }

  /** Runs a request that may succeed but must not store anything (reads, ignored input). */
  <T> T harmless(Supplier<T> request) {
    DbSnapshot before = snapshot();
    T result = request.get();
    String changes = snapshot().diff(before);
    if (result != null && !(result instanceof AutoCloseable)) {
      assertThat(Reply.of(result).status()).as("a server error").isLessThan(500);
    }
    assertThat(changes).as("what the request changed").isEmpty();
    return result;
  }

  // --- requests -------------------------------------------------------------------------------

  HttpResponse<Buffer> get(String path, String token) {
    return api.get(path, token);
  }

  HttpResponse<Buffer> json(HttpMethod method, String path, JsonObject body, String token) {
    return http.json(method, port(), path, body, token);
  }

  /** A body sent as these exact bytes, with {@code Content-Type: application/json}. */
  HttpResponse<Buffer> bytes(HttpMethod method, String path, byte[] body, String token) {
    Map<String, String> h = new HashMap<>();
    h.put("Content-Type", "application/json");
    if (token != null) {
      h.put("Authorization", "Bearer " + token);
    }
    return http.send(method, port(), path, Buffer.buffer(body), h);
  }

  HttpResponse<Buffer> text(HttpMethod method, String path, String body, String token) {
    return bytes(method, path, body.getBytes(StandardCharsets.UTF_8), token);
  }

  static Map<String, String> bearer(String token) {
    Map<String, String> h = new HashMap<>();
    if (token != null) {
      h.put("Authorization", "Bearer " + token);
    }
    return h;
  }

  /** {@code POST /api/uploads} as {@code who}: the answer with the upload id, URL and headers. */
  JsonObject startUpload(Account who, String conversationId, String name, String type, long size) {
    var res =
        api.post(
            "/api/uploads",
            io.parley.testing.Uploads.createBody(conversationId, name, type, size),
            who.token());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject();
  }

  /** PUTs the bytes to an upload's URL with the headers it came with (plus any overrides). */
  io.parley.testing.Uploads.Answer putBytes(
      JsonObject upload, Map<String, String> overrides, byte[] body) {
    Map<String, String> h = io.parley.testing.Uploads.headers(upload);
    h.putAll(overrides);
    h.values().removeIf(java.util.Objects::isNull);
    return io.parley.testing.Uploads.send(
        http,
        HttpMethod.PUT,
        upload.getString("url"),
        h,
        false,
        java.util.List.of(Buffer.buffer(body)));
  }

  /** Start, PUT, complete: the id of a ready upload of {@code who}'s. */
  String readyUpload(Account who, String conversationId, String name, byte[] png) {
    JsonObject u = startUpload(who, conversationId, name, "image/png", png.length);
    assertThat(putBytes(u, Map.of(), png).status()).isEqualTo(204);
    var done = api.post("/api/uploads/" + u.getString("uploadId") + "/complete", null, who.token());
    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    return u.getString("uploadId");
  }

  /** A group of {@code owner}'s with these members, created for one test. */
  String group(Account owner, Account... members) {
    return api.conversation(owner, "group", "t", members).getString("id");
  }

  static JsonArray ids(Account... accounts) {
    JsonArray a = new JsonArray();
    for (Account x : accounts) {
      a.add(x.id());
    }
    return a;
  }

  /**
   * A dynamic test whose failure message starts with its name (reports list dynamic tests by index
   * only).
   */
  static DynamicTest named(String name, Executable body) {
    return DynamicTest.dynamicTest(
        name,
        () -> {
          try {
            body.execute();
          } catch (AssertionError e) {
            AssertionError named = new AssertionError(name + ": " + e.getMessage(), e);
            named.setStackTrace(e.getStackTrace());
            throw named;
          }
        });
  }

  /**
   * One {@link #named} dynamic test per case, named by its key, running {@code test} on its value.
   */
  static <T> Stream<DynamicTest> eachCase(Map<String, T> cases, ThrowingConsumer<T> test) {
    return cases.entrySet().stream().map(e -> named(e.getKey(), () -> test.accept(e.getValue())));
  }

  /**
   * A {@link #named} dynamic test that this request is {@link #refused} with this status and code.
   */
  DynamicTest refusedTest(String name, int status, String code, Supplier<?> request) {
    return named(name, () -> refused(status, code, request));
  }

  /**
   * One dynamic test per case, named by its key: the request made of its value is {@link #refused}
   * with this status and error code.
   */
  <T> Stream<DynamicTest> refusedEach(
      Map<String, T> cases, int status, String code, Function<T, ?> request) {
    return cases.entrySet().stream()
        .map(e -> refusedTest(e.getKey(), status, code, () -> request.apply(e.getValue())));
  }

  /** Waits (up to 10 s) for a condition a server reaches asynchronously. */
  static boolean eventually(BooleanSupplier condition) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }

  @Override
  public void close() {
    fixture.close();
  }
}
