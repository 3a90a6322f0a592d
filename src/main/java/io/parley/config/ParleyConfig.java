package io.parley.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's typed, validated configuration. Built only by {@link ConfigLoader}; every default is
 * in {@code conf/parley.yaml}.
 */
public record ParleyConfig(
    Mode mode,
    NodeConfig node,
    HttpConfig http,
    ClusterConfig cluster,
    MongoConfig mongo,
    JwtConfig jwt,
    RedisConfig redis,
    UploadsConfig uploads,
    LogConfig log) {

  public boolean production() {
    return mode == Mode.PRODUCTION;
  }

  /** Roles, instances per role, data folder, shutdown grace. */
  public record NodeConfig(
      Set<Role> roles, Map<Role, Integer> instances, Path dataDir, long shutdownGraceMs) {

    public boolean runs(Role role) {
      return roles.contains(role);
    }

    /** Instances of a role; a configured 0 means one per CPU core. */
    public int instancesOf(Role role) {
      int n = instances.getOrDefault(role, 1);
      return n == 0 ? Runtime.getRuntime().availableProcessors() : n;
    }
  }

  public record HttpConfig(
      String host, int port, String publicUrl, int maxBodyBytes, long busTimeoutMs) {}

  public record ClusterConfig(
      boolean enabled, String host, int port, List<String> members, Path configFile) {}

  /**
   * @param uri the connection string, or empty when the node must start the embedded database
   * @param embeddedPort loopback port of the embedded database (0 = any)
   */
  public record MongoConfig(String uri, String database, int embeddedPort, int maxPoolSize) {
    public boolean embedded() {
      return uri.isEmpty();
    }
  }

  /**
   * @param secret HS256 secret (at least 32 bytes once loaded)
   * @param secretGenerated true when no secret was configured and a development one was made
   */
  public record JwtConfig(String secret, boolean secretGenerated, Duration expiresIn) {
    @Override
    public String toString() {
      return "JwtConfig[secret=<redacted>, secretGenerated="
          + secretGenerated
          + ", expiresIn="
          + expiresIn
          + "]";
    }
  }

  public record RedisConfig(String url, String password) {
    public boolean enabled() {
      return !url.isEmpty();
    }

    @Override
    public String toString() {
      return "RedisConfig[url=" + Redact.uri(url) + ", password=<redacted>]";
    }
  }

  public record UploadsConfig(Path dir, long maxFileSize) {}

  public record LogConfig(String level, boolean json) {}
}
