package io.parley.testing;

import io.parley.Node;
import io.parley.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Starts real Parley nodes for tests, configured the way an operator would: through environment
 * variables read by {@link ConfigLoader}. Set {@code PARLEY_TEST_MONGO_URI} to run against a real
 * MongoDB instead of the embedded database (each node set gets its own database there).
 */
public final class TestNodes {
  public static final String TEST_SECRET = "test-secret-0123456789-0123456789-abcdef";
  static final long UNLIMITED = 1_000_000_000L;

  /** Every port {@link #freePort} has given in this JVM. */
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private TestNodes() {}

  /** A loopback port nothing listens on, and one this JVM has not been given before. */
  public static int freePort() {
    for (int attempt = 0; ; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        s.setReuseAddress(true);
        port = s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      // the kernel may give a port it just gave again once its socket is closed: two ports asked
      // for one node (HTTP and metrics) must differ
      if (HANDED_OUT.add(port) || attempt >= 100) {
        return port;
      }
    }
  }

  /** A standalone node's environment: ephemeral ports, files under {@code dir}. */
  public static Map<String, String> env(Path dir) {
    Map<String, String> env = new HashMap<>();
    env.put("NODE_ENV", "test");
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    env.put("PARLEY_DATA_DIR", dir.resolve("data").toString());
    env.put("PARLEY_EMBEDDED_MONGO_PORT", "0");
    env.put("UPLOAD_DIR", dir.resolve("uploads").toString());
    env.put("JWT_SECRET", TEST_SECRET);
    env.put("LOG_LEVEL", System.getProperty("parley.log.level", "warn"));
    env.put("PARLEY_INSTANCES", "http=2");
    // many nodes share this host in tests: no management port unless a test asks for one
    env.put("METRICS_PORT", "0");
    // tests register many users from one address
    env.put("PARLEY_REGISTRATIONS_PER_HOUR", "1000000");
    // request limits out of the way of tests about something else; limit tests set low ones
    env.put("RATE_LIMIT_MAX_REQUESTS", String.valueOf(UNLIMITED));
    env.put("RATE_LIMIT_USER_MAX_REQUESTS", String.valueOf(UNLIMITED));
    env.put("RATE_LIMIT_AUTH_MAX_REQUESTS", String.valueOf(UNLIMITED));
    env.put("RATE_LIMIT_CONVERSATIONS_PER_HOUR", String.valueOf(UNLIMITED));
    String realMongo = System.getenv("PARLEY_TEST_MONGO_URI");
    if (realMongo != null && !realMongo.isBlank()) {
      env.put(
          "MONGO_URI",
          withDatabase(realMongo, "parley_test_" + UUID.randomUUID().toString().substring(0, 8)));
    }
    return env;
  }

  /**
   * The environments of a cluster on 127.0.0.1, one per name in order: files under {@code
   * dir/<name>}, a free cluster port each, every node listing all of them as members. A test
   * changes what it is about, then starts each in {@code dir.resolve(name)}.
   */
  public static Map<String, Map<String, String>> cluster(Path dir, String... names) {
    List<Integer> ports = new java.util.ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      ports.add(freePort());
    }
    Map<String, Map<String, String>> envs = new java.util.LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      envs.put(names[i], clustered(env(dir.resolve(names[i])), ports.get(i), ports));
    }
    return envs;
  }

  /** Adds clustering on {@code port} with the given member ports on 127.0.0.1. */
  private static Map<String, String> clustered(
      Map<String, String> env, int port, List<Integer> members) {
    Map<String, String> e = new HashMap<>(env);
    e.put("PARLEY_CLUSTER_PORT", String.valueOf(port));
    e.put("PARLEY_CLUSTER_HOST", "127.0.0.1");
    e.put(
        "PARLEY_CLUSTER_MEMBERS",
        String.join(",", members.stream().map(p -> "127.0.0.1:" + p).toList()));
    return e;
  }

  /** A JWT signer and verifier for HS256 with this secret: for tests that make their own tokens. */
  public static io.vertx.ext.auth.jwt.JWTAuth hs256(io.vertx.core.Vertx vertx, String secret) {
    return io.vertx.ext.auth.jwt.JWTAuth.create(
        vertx,
        new io.vertx.ext.auth.jwt.JWTAuthOptions()
            .addPubSecKey(
                new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /**
   * Writes {@code yaml} as the operator's file ({@code conf/parley.yaml}) of a node whose working
   * folder is {@code workDir}: for settings that have no environment variable.
   */
  public static void operatorFile(Path workDir, String yaml) {
    try {
      java.nio.file.Files.createDirectories(workDir.resolve("conf"));
      java.nio.file.Files.writeString(workDir.resolve("conf/parley.yaml"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Node start(Map<String, String> env, Path workDir) {
    var loaded = ConfigLoader.load(env, workDir);
    try {
      return Node.start(loaded.config()).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not start: " + e.getMessage(), e);
    }
  }

  public static void stop(Node... nodes) {
    for (Node n : nodes) {
      if (n != null) {
        try {
          n.stop().await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("node did not stop: " + e.getMessage(), e);
        }
      }
    }
  }

  private static String withDatabase(String uri, String db) {
    int scheme = uri.indexOf("://") + 3;
    int slash = uri.indexOf('/', scheme);
    int q = uri.indexOf('?', scheme);
    String hostPart = uri.substring(0, slash >= 0 ? slash : (q >= 0 ? q : uri.length()));
    String query = q >= 0 ? uri.substring(q) : "";
    return hostPart + "/" + db + query;
  }
}
