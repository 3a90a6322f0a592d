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
    AuthConfig auth,
    SseConfig sse,
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
   * @param algorithm HS256 (shared secret) or RS256 / ES256 (key pair from PEM files)
   * @param secret HS256 secret
   * @param secretGenerated true when no secret was configured and a development one was made
   * @param expiresIn token lifetime
   * @param privateKeyPath PEM private key (signing; auth nodes), for RS256 / ES256
   * @param publicKeyPath PEM public key (verification; every node), for RS256 / ES256
   */
  public record JwtConfig(
      String algorithm,
      String secret,
      boolean secretGenerated,
      Duration expiresIn,
      Path privateKeyPath,
      Path publicKeyPath) {
    @Override
    public String toString() {
      return "JwtConfig[algorithm="
          + algorithm
          + ", secret=<redacted>, secretGenerated="
          + secretGenerated
          + ", expiresIn="
          + expiresIn
          + "]";
    }
  }

  /**
   * Accounts and sign-in.
   *
   * @param phoneDefaultRegion region for numbers given without a country code ("" = require +…)
   * @param passwordMinLength shortest password accepted at registration
   * @param failedLoginLimit failed sign-ins allowed per phone and per client address per window
   * @param failedLoginWindow that window
   * @param qrTtlSeconds lifetime of a QR device-link challenge (at most 120)
   * @param qrCreateLimitPerMinute QR challenges a client address may create per minute
   * @param lookupLimitPerMinute contact lookups a user may make per minute
   * @param registrationsPerHour accounts a client address may register per hour
   */
  public record AuthConfig(
      String phoneDefaultRegion,
      int passwordMinLength,
      int failedLoginLimit,
      Duration failedLoginWindow,
      int qrTtlSeconds,
      int qrCreateLimitPerMinute,
      int lookupLimitPerMinute,
      int registrationsPerHour) {}

  /**
   * Real-time streams ({@code GET /sse}).
   *
   * @param heartbeatMs comment heartbeat interval
   * @param maxStreamsPerUser open streams one user may hold on one node
   * @param maxStreamsPerAddress open streams one client address may hold on one node
   * @param maxQueuedBytes bytes a stream may have waiting to be written before it is dropped
   * @param resumeWindowMs how far before a resume cursor the replay starts (clock skew, commit
   *     delay)
   * @param replayMaxAge cursors older than this get {@code resync}
   * @param replayMaxEvents a replay larger than this gets {@code resync} instead
   * @param ticketTtlSeconds lifetime of a single-use stream ticket
   */
  public record SseConfig(
      long heartbeatMs,
      int maxStreamsPerUser,
      int maxStreamsPerAddress,
      int maxQueuedBytes,
      long resumeWindowMs,
      Duration replayMaxAge,
      int replayMaxEvents,
      int ticketTtlSeconds) {}

  /**
   * @param url redis://… or empty (no relay, no shared counters in Redis)
   * @param userChannel pub/sub channel of events addressed to single users
   * @param conversationChannel pub/sub channel of conversation events
   */
  public record RedisConfig(
      String url, String password, String userChannel, String conversationChannel) {
    public boolean enabled() {
      return !url.isEmpty();
    }

    @Override
    public String toString() {
      return "RedisConfig[url="
          + Redact.uri(url)
          + ", password=<redacted>, userChannel="
          + userChannel
          + ", conversationChannel="
          + conversationChannel
          + "]";
    }
  }

  public record UploadsConfig(Path dir, long maxFileSize) {}

  public record LogConfig(String level, boolean json) {}
}
