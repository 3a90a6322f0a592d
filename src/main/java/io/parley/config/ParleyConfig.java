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
    LogConfig log,
    ProxyConfig proxy,
    CorsConfig cors,
    TlsConfig tls,
    RateLimitConfig rateLimit,
    MetricsConfig metrics) {

  public boolean production() {
    return mode == Mode.PRODUCTION;
  }

  /**
   * Roles, instances per role, event loops, data folder, shutdown grace.
   *
   * @param eventLoops Vert.x event loops; 0 = one per CPU core
   */
  public record NodeConfig(
      Set<Role> roles,
      Map<Role, Integer> instances,
      int eventLoops,
      Path dataDir,
      long shutdownGraceMs) {

    public boolean runs(Role role) {
      return roles.contains(role);
    }

    /** Event loops of this node's Vert.x; a configured 0 means one per CPU core. */
    public int eventLoopCount() {
      return eventLoops == 0 ? Runtime.getRuntime().availableProcessors() : eventLoops;
    }

    /** Instances of a role; a configured 0 means one per CPU core. */
    public int instancesOf(Role role) {
      int n = instances.getOrDefault(role, 1);
      return n == 0 ? Runtime.getRuntime().availableProcessors() : n;
    }
  }

  public record HttpConfig(
      String host, int port, String publicUrl, int maxBodyBytes, long busTimeoutMs) {}

  /**
   * @param publicPort the member port other members dial (a NAT or proxy port); 0 = {@code port}
   * @param busPort the event bus's own TCP port; 0 = any free port
   * @param busPublicPort the event-bus port other members dial; 0 = the one it listens on
   */
  public record ClusterConfig(
      boolean enabled,
      String host,
      int port,
      List<String> members,
      Path configFile,
      int publicPort,
      int busPort,
      int busPublicPort) {
    /** The port this member announces to the others. */
    public int announcedPort() {
      return publicPort == 0 ? port : publicPort;
    }
  }

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
   * @param maxSessionsPerUser signed-in devices per user (the least recently used goes beyond)
   */
  public record AuthConfig(
      String phoneDefaultRegion,
      int passwordMinLength,
      int failedLoginLimit,
      Duration failedLoginWindow,
      int qrTtlSeconds,
      int qrCreateLimitPerMinute,
      int lookupLimitPerMinute,
      int registrationsPerHour,
      int maxSessionsPerUser) {}

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
   * @param checkIntervalMs how often each hub compares recent conversations with what it fed
   */
  public record SseConfig(
      long heartbeatMs,
      int maxStreamsPerUser,
      int maxStreamsPerAddress,
      int maxQueuedBytes,
      long resumeWindowMs,
      Duration replayMaxAge,
      int replayMaxEvents,
      int ticketTtlSeconds,
      long checkIntervalMs) {}

  /**
   * @param url redis://… or empty (no relay, no shared counters in Redis)
   * @param userChannel pub/sub channel of events addressed to single users
   * @param conversationChannel pub/sub channel of conversation events
   * @param poolSize connections for the shared rate-limit counters
   */
  public record RedisConfig(
      String url, String password, String userChannel, String conversationChannel, int poolSize) {
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
          + ", poolSize="
          + poolSize
          + "]";
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
   * @param unsentMaxAge ready uploads older than this that no message carries are removed
   * @param cleanupInterval how often those removals run
   * @param createLimitPerHour uploads one user may start per hour
   * @param s3 the S3 bucket; local disk when its bucket is empty
   */
  public record UploadsConfig(
      Path dir,
      long maxFileSize,
      Duration urlExpiry,
      Duration localTokenTtl,
      Duration pendingMaxAge,
      Duration unsentMaxAge,
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

  /**
   * Reverse proxies in front of the node.
   *
   * @param trusted peers whose X-Forwarded-For / X-Forwarded-Proto headers are believed
   */
  public record ProxyConfig(List<Cidr> trusted) {
    /** Whether {@code address} (a literal IP) is a trusted proxy. */
    public boolean trusts(String address) {
      for (Cidr c : trusted) {
        if (c.contains(address)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Cross-origin resource sharing.
   *
   * @param origins exact allowed origins (lower case, no trailing slash), or "*"
   * @param allowCredentials whether to send Access-Control-Allow-Credentials
   * @param maxAgeSeconds preflight cache lifetime
   */
  public record CorsConfig(List<String> origins, boolean allowCredentials, int maxAgeSeconds) {
    public boolean enabled() {
      return !origins.isEmpty();
    }
  }

  /**
   * Direct HTTPS.
   *
   * @param keyPath PEM private key, or null without TLS
   * @param certPath PEM certificate chain, or null without TLS
   * @param redirectPort plain-HTTP port redirecting to HTTPS, 0 for none
   * @param hstsMaxAgeSeconds Strict-Transport-Security max-age, 0 for no header
   */
  public record TlsConfig(Path keyPath, Path certPath, int redirectPort, long hstsMaxAgeSeconds) {
    public boolean enabled() {
      return keyPath != null && certPath != null;
    }
  }

  /**
   * Request rate limits.
   *
   * @param store auto, redis, hazelcast or local
   * @param window the window of the per-address and per-user limits
   * @param maxRequests requests per client address per window
   * @param userMaxRequests requests per signed-in user per window
   * @param authWindow the window of the auth-route limit
   * @param authMaxRequests non-GET requests under /api/auth per client address per auth window
   * @param conversationsPerHour conversations one user may create per hour
   */
  public record RateLimitConfig(
      String store,
      Duration window,
      long maxRequests,
      long userMaxRequests,
      Duration authWindow,
      long authMaxRequests,
      long conversationsPerHour) {}

  /**
   * Prometheus metrics, served on a management port of their own (never on the API port).
   *
   * @param enabled whether metrics are collected and served
   * @param host address the management port listens on (loopback by default)
   * @param port management port for {@code GET /metrics}; 0 = not served (still counted)
   */
  public record MetricsConfig(boolean enabled, String host, int port) {}
}
