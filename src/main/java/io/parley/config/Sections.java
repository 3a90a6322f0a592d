package io.parley.config;

import io.parley.config.ParleyConfig.AuthConfig;
import io.parley.config.ParleyConfig.ClusterConfig;
import io.parley.config.ParleyConfig.CorsConfig;
import io.parley.config.ParleyConfig.HttpConfig;
import io.parley.config.ParleyConfig.JwtConfig;
import io.parley.config.ParleyConfig.LogConfig;
import io.parley.config.ParleyConfig.MetricsConfig;
import io.parley.config.ParleyConfig.MongoConfig;
import io.parley.config.ParleyConfig.NodeConfig;
import io.parley.config.ParleyConfig.ProxyConfig;
import io.parley.config.ParleyConfig.RateLimitConfig;
import io.parley.config.ParleyConfig.RedisConfig;
import io.parley.config.ParleyConfig.S3Config;
import io.parley.config.ParleyConfig.SseConfig;
import io.parley.config.ParleyConfig.TlsConfig;
import io.parley.config.ParleyConfig.UploadsConfig;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads each section of the merged config tree into its record and checks it: problems go to the
 * {@link Reader}, warnings to the list. A section that depends on another takes it as an argument.
 */
final class Sections {
  static final int MIN_SECRET_BYTES = 32;

  /**
   * Presigned URLs live at most 7 days (S3's limit for SigV4); longer is capped, with a warning.
   */
  static final long MAX_URL_EXPIRY_SECONDS = 7 * 24 * 3600;

  private final Reader r;
  private final Path workDir;
  private final List<String> warnings;

  Sections(Reader r, Path workDir, List<String> warnings) {
    this.r = r;
    this.workDir = workDir;
    this.warnings = warnings;
  }

  Mode mode() {
    return r.enumValue("env", Mode.class);
  }

  HttpConfig http() {
    return new HttpConfig(
        r.string("http.host"),
        r.intRange("http.port", 0, 65535),
        r.string("http.publicUrl"),
        r.intRange("http.maxBodyBytes", 1024, 64 * 1024 * 1024),
        r.longRange("http.busTimeoutMs", 100, 600_000));
  }

  MongoConfig mongo(Mode mode) {
    MongoConfig mongo =
        new MongoConfig(
            r.string("mongo.uri"),
            r.string("mongo.database"),
            r.intRange("mongo.embeddedPort", 0, 65535),
            r.intRange("mongo.maxPoolSize", 1, 1000));
    if (mongo.uri() != null && !mongo.uri().isEmpty() && !mongo.uri().startsWith("mongodb")) {
      r.problem("mongo.uri", "must start with mongodb:// or mongodb+srv://");
    }
    if (mode == Mode.PRODUCTION && mongo.uri() != null && mongo.uri().isEmpty()) {
      r.problem(
          "mongo.uri", "is required in production (the embedded database is for development)");
    }
    return mongo;
  }

  /** Redis settings; {@link #checkRedisUrl} checks the URL itself. */
  RedisConfig redis() {
    RedisConfig redis =
        new RedisConfig(
            r.string("redis.url"),
            r.string("redis.password"),
            r.string("redis.userChannel"),
            r.string("redis.conversationChannel"),
            r.intRange("redis.poolSize", 1, 1024));
    if (redis.userChannel().isBlank() || redis.userChannel().equals(redis.conversationChannel())) {
      r.problem("redis.userChannel", "must be set and differ from redis.conversationChannel");
    }
    return redis;
  }

  void checkRedisUrl(RedisConfig redis) {
    if (redis.url() != null
        && !redis.url().isEmpty()
        && !(redis.url().startsWith("redis://") || redis.url().startsWith("rediss://"))) {
      r.problem("redis.url", "must start with redis:// or rediss://");
    }
  }

  SseConfig sse() {
    return new SseConfig(
        r.longRange("sse.heartbeatMs", 100, 600_000),
        r.intRange("sse.maxStreamsPerUser", 1, 1_000_000),
        r.intRange("sse.maxStreamsPerAddress", 1, 10_000_000),
        r.intRange("sse.maxQueuedBytes", 1024, 1 << 30),
        r.longRange("sse.resumeWindowMs", 0, 600_000),
        r.duration("sse.replayMaxAge"),
        r.intRange("sse.replayMaxEvents", 1, 1_000_000),
        r.intRange("sse.ticketTtlSeconds", 5, 300),
        r.longRange("sse.checkIntervalMs", 200, 600_000));
  }

  LogConfig log(Mode mode) {
    String level = r.oneOf("log.level", List.of("trace", "debug", "info", "warn", "error"));
    String format = r.oneOf("log.format", List.of("auto", "json", "text"));
    return new LogConfig(
        level, "json".equals(format) || ("auto".equals(format) && mode == Mode.PRODUCTION));
  }

  MetricsConfig metrics(HttpConfig http) {
    MetricsConfig metrics =
        new MetricsConfig(
            r.bool("metrics.enabled"),
            r.string("metrics.host"),
            r.intRange("metrics.port", 0, 65535));
    if (metrics.port() != 0 && metrics.port() == http.port()) {
      r.problem("metrics.port", "must differ from http.port (metrics have their own port)");
    }
    return metrics;
  }

  NodeConfig node() {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String s : r.stringList("node.roles")) {
      Role.parse(s)
          .ifPresentOrElse(
              roles::add,
              () ->
                  r.problem(
                      "node.roles",
                      "unknown role \"" + s + "\" (use http, auth, persistence, uploads)"));
    }
    if (roles.isEmpty() && !r.hasProblem("node.roles")) {
      r.problem("node.roles", "must name at least one role");
    }
    Map<Role, Integer> instances = new EnumMap<>(Role.class);
    JsonObject inst = r.object("node.instances");
    if (inst != null) {
      for (String key : inst.fieldNames()) {
        Role.parse(key)
            .ifPresentOrElse(
                role -> instances.put(role, r.intRange("node.instances." + key, 0, 256)),
                () -> r.problem("node.instances." + key, "unknown role"));
      }
    }
    return new NodeConfig(
        roles,
        instances,
        r.intRange("node.eventLoops", 0, 1024),
        r.path("node.dataDir", workDir),
        r.longRange("node.shutdownGraceMs", 0, 600_000));
  }

  ClusterConfig cluster() {
    boolean enabled = r.bool("cluster.enabled");
    List<String> members = r.stringList("cluster.members");
    for (String m : members) {
      int colon = m.lastIndexOf(':');
      boolean ok = colon > 0;
      if (ok) {
        try {
          int p = Integer.parseInt(m.substring(colon + 1));
          ok = p > 0 && p <= 65535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        r.problem("cluster.members", "\"" + m + "\" is not host:port (list members one by one)");
      }
    }
    if (enabled && members.isEmpty()) {
      r.problem("cluster.members", "must list at least one member when clustering is on");
    }
    String file = r.string("cluster.configFile");
    Path configFile = null;
    if (file != null && !file.isBlank()) {
      Path p = workDir.resolve(file);
      if (Files.isRegularFile(p)) {
        configFile = p;
      } else if (!"cluster.xml".equals(file)) {
        r.problem("cluster.configFile", "no such file " + p);
      }
    }
    return new ClusterConfig(
        enabled,
        r.string("cluster.host"),
        r.intRange("cluster.port", 1, 65535),
        members,
        configFile,
        r.intRange("cluster.publicPort", 0, 65535),
        r.intRange("cluster.busPort", 0, 65535),
        r.intRange("cluster.busPublicPort", 0, 65535));
  }

  UploadsConfig uploads() {
    long expiry = r.longRange("uploads.urlExpirySeconds", 1, Long.MAX_VALUE / 1000);
    if (expiry > MAX_URL_EXPIRY_SECONDS) {
      warnings.add(
          "AWS_S3_PRESIGNED_URL_EXPIRY "
              + expiry
              + " s is over the 7-day maximum of presigned URLs: using "
              + MAX_URL_EXPIRY_SECONDS);
      expiry = MAX_URL_EXPIRY_SECONDS;
    }
    S3Config s3 =
        new S3Config(
            r.string("uploads.s3.bucket"),
            r.string("uploads.s3.region"),
            r.string("uploads.s3.accessKeyId"),
            r.string("uploads.s3.secretAccessKey"),
            r.string("uploads.s3.sessionToken"),
            r.string("uploads.s3.endpoint"));
    if (!s3.endpoint().isEmpty()
        && !(s3.endpoint().startsWith("http://") || s3.endpoint().startsWith("https://"))) {
      r.problem("uploads.s3.endpoint", "must start with http:// or https://");
    }
    if (s3.accessKeyId().isEmpty() != s3.secretAccessKey().isEmpty()) {
      r.problem(
          "uploads.s3.accessKeyId",
          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (or neither, for the"
              + " default credential chain)");
    }
    return new UploadsConfig(
        r.path("uploads.dir", workDir),
        r.longRange("uploads.maxFileSize", 1, 5L << 30),
        java.time.Duration.ofSeconds(expiry),
        r.duration("uploads.localTokenTtl"),
        r.duration("uploads.pendingMaxAge"),
        r.duration("uploads.unsentMaxAge"),
        r.duration("uploads.cleanupInterval"),
        r.intRange("uploads.createLimitPerHour", 1, 1_000_000),
        s3);
  }

  JwtConfig jwt(Mode mode, NodeConfig node) {
    String algorithm =
        r.oneOf("jwt.algorithm", List.of("hs256", "rs256", "es256")).toUpperCase(Locale.ROOT);
    String secret = r.string("jwt.secret");
    java.time.Duration expiresIn = r.duration("jwt.expiresIn");
    Path privateKey = null;
    Path publicKey = null;
    if (algorithm.equals("HS256")) {
      int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
      if (mode == Mode.PRODUCTION && bytes < MIN_SECRET_BYTES) {
        r.problem(
            "jwt.secret",
            secret.isEmpty()
                ? "is required in production (at least " + MIN_SECRET_BYTES + " bytes)"
                : "is " + bytes + " bytes; at least " + MIN_SECRET_BYTES + " are required");
      } else if (!secret.isEmpty() && bytes < MIN_SECRET_BYTES) {
        warnings.add(
            "JWT_SECRET is only "
                + bytes
                + " bytes; production requires at least "
                + MIN_SECRET_BYTES);
      }
    } else {
      publicKey = pemFile("jwt.publicKeyPath", true);
      // only nodes that sign tokens (the auth role) need the private key
      privateKey = pemFile("jwt.privateKeyPath", node.runs(Role.AUTH));
    }
    return new JwtConfig(algorithm, secret, false, expiresIn, privateKey, publicKey);
  }

  private Path pemFile(String key, boolean required) {
    String value = r.string(key);
    if (value.isEmpty()) {
      if (required) {
        r.problem(key, "is required with an RS256/ES256 jwt.algorithm");
      }
      return null;
    }
    return readableFile(key, value);
  }

  AuthConfig auth() {
    String region = r.string("auth.phoneDefaultRegion").toUpperCase(Locale.ROOT);
    if (!region.isEmpty() && !region.matches("[A-Z]{2}")) {
      r.problem("auth.phoneDefaultRegion", "\"" + region + "\" is not a two-letter region code");
    }
    return new AuthConfig(
        region,
        r.intRange("auth.passwordMinLength", 1, 1024),
        r.intRange("auth.failedLoginLimit", 1, 1_000_000),
        r.duration("auth.failedLoginWindow"),
        r.intRange("auth.qrTtlSeconds", 10, 120),
        r.intRange("auth.qrCreateLimitPerMinute", 1, 1_000_000),
        r.intRange("auth.lookupLimitPerMinute", 1, 1_000_000),
        r.intRange("auth.registrationsPerHour", 1, 1_000_000),
        r.intRange("auth.maxSessionsPerUser", 1, 100_000));
  }

  ProxyConfig proxy() {
    List<Cidr> trusted = new ArrayList<>();
    for (String s : r.stringList("http.trustedProxies")) {
      try {
        trusted.add(Cidr.parse(s));
      } catch (IllegalArgumentException e) {
        r.problem("http.trustedProxies", e.getMessage());
      }
    }
    return new ProxyConfig(List.copyOf(trusted));
  }

  CorsConfig cors() {
    List<String> origins = new ArrayList<>();
    for (String s : r.stringList("cors.origins")) {
      String o = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
      if (!o.equals("*") && !o.matches("https?://[^/\\s?#]+")) {
        r.problem("cors.origins", "\"" + s + "\" is not an origin like https://app.example.com");
      } else {
        origins.add(o.toLowerCase(Locale.ROOT));
      }
    }
    boolean credentials = r.bool("cors.allowCredentials");
    if (credentials && origins.contains("*")) {
      r.problem(
          "cors.origins",
          "\"*\" cannot be combined with cors.allowCredentials: list the origins instead");
    }
    return new CorsConfig(
        List.copyOf(origins), credentials, r.intRange("cors.maxAgeSeconds", 0, 86_400));
  }

  TlsConfig tls(HttpConfig http) {
    String key = r.string("tls.keyPath");
    String cert = r.string("tls.certPath");
    Path keyPath = null;
    Path certPath = null;
    if (key.isEmpty() != cert.isEmpty()) {
      r.problem(
          key.isEmpty() ? "tls.keyPath" : "tls.certPath",
          "is required when " + (key.isEmpty() ? "tls.certPath" : "tls.keyPath") + " is set");
    } else if (!key.isEmpty()) {
      keyPath = readableFile("tls.keyPath", key);
      certPath = readableFile("tls.certPath", cert);
    }
    int redirectPort = r.intRange("tls.redirectPort", 0, 65535);
    if (redirectPort != 0 && key.isEmpty()) {
      r.problem("tls.redirectPort", "needs TLS (tls.keyPath and tls.certPath) to redirect to");
    } else if (redirectPort != 0 && redirectPort == http.port()) {
      r.problem("tls.redirectPort", "must differ from http.port");
    }
    return new TlsConfig(
        keyPath, certPath, redirectPort, r.longRange("tls.hstsMaxAgeSeconds", 0, 63_072_000));
  }

  private Path readableFile(String key, String value) {
    Path p = workDir.resolve(value);
    if (!Files.isReadable(p)) {
      r.problem(key, "cannot read " + p);
      return null;
    }
    return p;
  }

  RateLimitConfig rateLimit(RedisConfig redis, ClusterConfig cluster) {
    String store = r.oneOf("rateLimit.store", List.of("auto", "redis", "hazelcast", "local"));
    if (store.equals("redis") && !redis.enabled()) {
      r.problem("rateLimit.store", "redis needs redis.url (REDIS_URL)");
    } else if (store.equals("hazelcast") && !cluster.enabled()) {
      r.problem("rateLimit.store", "hazelcast needs clustering (PARLEY_CLUSTER_PORT)");
    }
    return new RateLimitConfig(
        store,
        java.time.Duration.ofMillis(r.longRange("rateLimit.windowMs", 1000, 86_400_000)),
        r.longRange("rateLimit.maxRequests", 1, 1_000_000_000),
        r.longRange("rateLimit.userMaxRequests", 1, 1_000_000_000),
        java.time.Duration.ofMillis(r.longRange("rateLimit.authWindowMs", 1000, 86_400_000)),
        r.longRange("rateLimit.authMaxRequests", 1, 1_000_000_000),
        r.longRange("rateLimit.conversationsPerHour", 1, 1_000_000_000));
  }
}
