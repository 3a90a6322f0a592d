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
   */
  public record AuthConfig(
      String phoneDefaultRegion,
      int passwordMinLength,
      int failedLoginLimit,
      Duration failedLoginWindow,
      int qrTtlSeconds,
      int qrCreateLimitPerMinute,
      int lookupLimitPerMinute) {}

  public record RedisConfig(String url, String password) {
    public boolean enabled() {
      return !url.isEmpty();
    }

    @Override
    public String toString() {
      return "RedisConfig[url=" + Redact.uri(url) + ", password=<redacted>]";
    }
  }

  /**
   * Attachments.
   *
   * @param dir local storage folder (local mode, and the folder HTTP nodes stream uploads into)
   * @param maxFileSize largest attachment in bytes
   * @param urlExpiry lifetime of presigned S3 URLs (at most 7 days)
   * @param localTokenTtl lifetime of a local-mode upload URL's token
   * @param pendingMaxAge pending uploads older than this (and past their URL's expiry) are removed
   * @param cleanupInterval how often that removal runs
   * @param createLimitPerHour uploads one user may start per hour
   * @param s3 the S3 bucket; local disk when its bucket is empty
   */
  public record UploadsConfig(
      Path dir,
      long maxFileSize,
      Duration urlExpiry,
      Duration localTokenTtl,
      Duration pendingMaxAge,
      Duration cleanupInterval,
      int createLimitPerHour,
      S3Config s3) {
    public boolean s3Enabled() {
      return !s3.bucket().isEmpty();
    }
  }

  /**
   * S3 (or an S3-compatible store). Region and credentials fall back to the AWS SDK's default
   * chains (environment, profile, instance role) when empty.
   *
   * @param sessionToken session token of temporary credentials (with the key pair), or empty
   * @param endpoint endpoint override for S3-compatible stores; path-style addressing is used with
   *     it
   */
  public record S3Config(
      String bucket,
      String region,
      String accessKeyId,
      String secretAccessKey,
      String sessionToken,
      String endpoint) {
    @Override
    public String toString() {
      return "S3Config[bucket="
          + bucket
          + ", region="
          + region
          + ", accessKeyId="
          + (accessKeyId.isEmpty() ? "" : "<set>")
          + ", secretAccessKey=<redacted>, sessionToken=<redacted>, endpoint="
          + Redact.uri(endpoint)
          + "]";
    }
  }

  public record LogConfig(String level, boolean json) {}
}
