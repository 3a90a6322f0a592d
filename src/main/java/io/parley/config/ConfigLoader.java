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
import io.parley.security.Secrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Builds {@link ParleyConfig} from the bundled defaults, the operator's file, a {@code .env} file
 * and the environment, then validates it, collecting every problem before failing.
 */
public final class ConfigLoader {

  /** The defaults: {@code conf/parley.yaml}, copied into the jar by the build. */
  public static final String DEFAULTS_RESOURCE = "parley-defaults/parley.yaml";

  static final int MIN_SECRET_BYTES = 32;
  static final String DEV_SECRET_FILE = "jwt-dev-secret";

  private enum Kind {
    STRING,
    LIST,
    MAP
  }

  private record EnvVar(String name, String path, Kind kind) {}

  /** Environment variables and the key each overrides: the seed's names and the node's own. */
  private static final List<EnvVar> ENV_VARS =
      List.of(
          new EnvVar("NODE_ENV", "env", Kind.STRING),
          new EnvVar("PARLEY_ROLES", "node.roles", Kind.LIST),
          new EnvVar("PARLEY_REGISTRATIONS_PER_HOUR", "auth.registrationsPerHour", Kind.STRING),
          new EnvVar("PARLEY_INSTANCES", "node.instances", Kind.MAP),
          new EnvVar("PARLEY_DATA_DIR", "node.dataDir", Kind.STRING),
          new EnvVar("HOST", "http.host", Kind.STRING),
          new EnvVar("PORT", "http.port", Kind.STRING),
          new EnvVar("API_URL", "http.publicUrl", Kind.STRING),
          new EnvVar("TRUSTED_PROXIES", "http.trustedProxies", Kind.LIST),
          new EnvVar("CORS_ORIGIN", "cors.origins", Kind.LIST),
          new EnvVar("CORS_CREDENTIALS", "cors.allowCredentials", Kind.STRING),
          new EnvVar("TLS_KEY_PATH", "tls.keyPath", Kind.STRING),
          new EnvVar("TLS_CERT_PATH", "tls.certPath", Kind.STRING),
          new EnvVar("TLS_REDIRECT_PORT", "tls.redirectPort", Kind.STRING),
          new EnvVar("RATE_LIMIT_STORE", "rateLimit.store", Kind.STRING),
          new EnvVar("RATE_LIMIT_WINDOW_MS", "rateLimit.windowMs", Kind.STRING),
          new EnvVar("RATE_LIMIT_MAX_REQUESTS", "rateLimit.maxRequests", Kind.STRING),
          new EnvVar("RATE_LIMIT_USER_MAX_REQUESTS", "rateLimit.userMaxRequests", Kind.STRING),
          new EnvVar("RATE_LIMIT_AUTH_WINDOW_MS", "rateLimit.authWindowMs", Kind.STRING),
          new EnvVar("RATE_LIMIT_AUTH_MAX_REQUESTS", "rateLimit.authMaxRequests", Kind.STRING),
          new EnvVar(
              "RATE_LIMIT_CONVERSATIONS_PER_HOUR", "rateLimit.conversationsPerHour", Kind.STRING),
          new EnvVar("METRICS_ENABLED", "metrics.enabled", Kind.STRING),
          new EnvVar("METRICS_PORT", "metrics.port", Kind.STRING),
          new EnvVar("METRICS_HOST", "metrics.host", Kind.STRING),
          new EnvVar("PARLEY_CLUSTER", "cluster.enabled", Kind.STRING),
          new EnvVar("PARLEY_CLUSTER_HOST", "cluster.host", Kind.STRING),
          new EnvVar("PARLEY_CLUSTER_PORT", "cluster.port", Kind.STRING),
          new EnvVar("PARLEY_CLUSTER_MEMBERS", "cluster.members", Kind.LIST),
          new EnvVar("PARLEY_CLUSTER_CONFIG", "cluster.configFile", Kind.STRING),
          new EnvVar("PARLEY_CLUSTER_PUBLIC_PORT", "cluster.publicPort", Kind.STRING),
          new EnvVar("PARLEY_CLUSTER_BUS_PORT", "cluster.busPort", Kind.STRING),
          new EnvVar("PARLEY_CLUSTER_BUS_PUBLIC_PORT", "cluster.busPublicPort", Kind.STRING),
          new EnvVar("MONGO_URI", "mongo.uri", Kind.STRING),
          new EnvVar("MONGO_DATABASE", "mongo.database", Kind.STRING),
          new EnvVar("PARLEY_EMBEDDED_MONGO_PORT", "mongo.embeddedPort", Kind.STRING),
          new EnvVar("JWT_SECRET", "jwt.secret", Kind.STRING),
          new EnvVar("JWT_EXPIRES_IN", "jwt.expiresIn", Kind.STRING),
          new EnvVar("JWT_ALGORITHM", "jwt.algorithm", Kind.STRING),
          new EnvVar("JWT_PRIVATE_KEY_PATH", "jwt.privateKeyPath", Kind.STRING),
          new EnvVar("JWT_PUBLIC_KEY_PATH", "jwt.publicKeyPath", Kind.STRING),
          new EnvVar("PHONE_DEFAULT_REGION", "auth.phoneDefaultRegion", Kind.STRING),
          new EnvVar("REDIS_URL", "redis.url", Kind.STRING),
          new EnvVar("REDIS_PASSWORD", "redis.password", Kind.STRING),
          new EnvVar("REDIS_USER_CHANNEL", "redis.userChannel", Kind.STRING),
          new EnvVar("REDIS_CONVERSATION_CHANNEL", "redis.conversationChannel", Kind.STRING),
          new EnvVar("SSE_HEARTBEAT_MS", "sse.heartbeatMs", Kind.STRING),
          new EnvVar("SSE_MAX_STREAMS_PER_USER", "sse.maxStreamsPerUser", Kind.STRING),
          new EnvVar("SSE_MAX_STREAMS_PER_ADDRESS", "sse.maxStreamsPerAddress", Kind.STRING),
          new EnvVar("SSE_MAX_QUEUED_BYTES", "sse.maxQueuedBytes", Kind.STRING),
          new EnvVar("SSE_RESUME_WINDOW_MS", "sse.resumeWindowMs", Kind.STRING),
          new EnvVar("SSE_CHECK_INTERVAL_MS", "sse.checkIntervalMs", Kind.STRING),
          new EnvVar("UPLOAD_DIR", "uploads.dir", Kind.STRING),
          new EnvVar("MAX_FILE_SIZE", "uploads.maxFileSize", Kind.STRING),
          new EnvVar("AWS_S3_PRESIGNED_URL_EXPIRY", "uploads.urlExpirySeconds", Kind.STRING),
          new EnvVar("AWS_S3_BUCKET", "uploads.s3.bucket", Kind.STRING),
          new EnvVar("AWS_REGION", "uploads.s3.region", Kind.STRING),
          new EnvVar("AWS_ACCESS_KEY_ID", "uploads.s3.accessKeyId", Kind.STRING),
          new EnvVar("AWS_SECRET_ACCESS_KEY", "uploads.s3.secretAccessKey", Kind.STRING),
          new EnvVar("AWS_SESSION_TOKEN", "uploads.s3.sessionToken", Kind.STRING),
          new EnvVar("AWS_S3_ENDPOINT", "uploads.s3.endpoint", Kind.STRING),
          new EnvVar("LOG_LEVEL", "log.level", Kind.STRING),
          new EnvVar("LOG_FORMAT", "log.format", Kind.STRING));

  private final Map<String, String> env;
  private final Path workDir;
  private final List<String> warnings = new ArrayList<>();

  private ConfigLoader(Map<String, String> env, Path workDir) {
    this.env = env;
    this.workDir = workDir;
  }

  /** The result: the config and the warnings to log once logging is set up. */
  public record Loaded(ParleyConfig config, List<String> warnings) {}

  /** Loads from the real environment and working directory. */
  public static Loaded fromProcess() {
    return load(System.getenv(), Path.of("").toAbsolutePath());
  }

  /**
   * Loads with the given environment (a {@code .env} file in {@code workDir} fills in what it does
   * not set).
   *
   * @throws ConfigException listing every problem
   */
  public static Loaded load(Map<String, String> env, Path workDir) {
    ConfigLoader loader = new ConfigLoader(withDotEnv(env, workDir), workDir);
    ParleyConfig cfg = loader.build();
    return new Loaded(cfg, List.copyOf(loader.warnings));
  }

  // ---------------------------------------------------------------------------------------------

  private ParleyConfig build() {
    List<String> problems = new ArrayList<>();
    JsonObject tree = readYaml(defaultsText(), "bundled defaults");
    Set<String> knownPaths = leafPaths(tree);

    String confPath = env.get("PARLEY_CONF");
    Path operatorFile =
        confPath != null && !confPath.isBlank()
            ? workDir.resolve(confPath)
            : workDir.resolve("conf/parley.yaml");
    if (Files.isRegularFile(operatorFile)) {
      try {
        JsonObject operator = readYaml(Files.readString(operatorFile), operatorFile.toString());
        for (String p : leafPaths(operator)) {
          if (!knownPaths.contains(p) && !isUnderMapKey(p)) {
            problems.add(p + " (" + operatorFile.getFileName() + "): unknown key");
          }
        }
        deepMerge(tree, operator);
      } catch (IOException | RuntimeException e) {
        problems.add("PARLEY_CONF: cannot read " + operatorFile + ": " + e.getMessage());
      }
    } else if (confPath != null && !confPath.isBlank()) {
      problems.add("PARLEY_CONF: no such file " + operatorFile);
    }

    Map<String, String> sources = new HashMap<>();
    for (EnvVar v : ENV_VARS) {
      String value = env.get(v.name());
      if (value == null) {
        continue;
      }
      sources.put(v.path(), v.name());
      Object converted =
          switch (v.kind()) {
            case STRING -> value.trim();
            case LIST -> splitList(value);
            case MAP -> splitMap(value, v.name(), problems);
          };
      put(tree, v.path(), converted);
    }
    if (env.containsKey("PARLEY_CLUSTER_PORT") && !env.containsKey("PARLEY_CLUSTER")) {
      put(tree, "cluster.enabled", true);
      sources.put("cluster.enabled", "PARLEY_CLUSTER_PORT");
    }

    Reader r = new Reader(tree, sources, problems);
    Mode mode = r.enumValue("env", Mode.class);
    NodeConfig node = readNode(r);
    HttpConfig http =
        new HttpConfig(
            r.string("http.host"),
            r.intRange("http.port", 0, 65535),
            r.string("http.publicUrl"),
            r.intRange("http.maxBodyBytes", 1024, 64 * 1024 * 1024),
            r.longRange("http.busTimeoutMs", 100, 600_000));
    ClusterConfig cluster = readCluster(r);
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
    SseConfig sse =
        new SseConfig(
            r.longRange("sse.heartbeatMs", 100, 600_000),
            r.intRange("sse.maxStreamsPerUser", 1, 1_000_000),
            r.intRange("sse.maxStreamsPerAddress", 1, 10_000_000),
            r.intRange("sse.maxQueuedBytes", 1024, 1 << 30),
            r.longRange("sse.resumeWindowMs", 0, 600_000),
            r.duration("sse.replayMaxAge"),
            r.intRange("sse.replayMaxEvents", 1, 1_000_000),
            r.intRange("sse.ticketTtlSeconds", 5, 300),
            r.longRange("sse.checkIntervalMs", 200, 600_000));
    if (redis.url() != null
        && !redis.url().isEmpty()
        && !(redis.url().startsWith("redis://") || redis.url().startsWith("rediss://"))) {
      r.problem("redis.url", "must start with redis:// or rediss://");
    }
    UploadsConfig uploads = readUploads(r);
    String level = r.oneOf("log.level", List.of("trace", "debug", "info", "warn", "error"));
    String format = r.oneOf("log.format", List.of("auto", "json", "text"));
    LogConfig log =
        new LogConfig(
            level, "json".equals(format) || ("auto".equals(format) && mode == Mode.PRODUCTION));
    JwtConfig jwt = readJwt(r, mode, node);
    AuthConfig auth = readAuth(r);
    ProxyConfig proxy = readProxy(r);
    CorsConfig cors = readCors(r);
    TlsConfig tls = readTls(r, http);
    RateLimitConfig rateLimit = readRateLimit(r, redis, cluster);
    MetricsConfig metrics =
        new MetricsConfig(
            r.bool("metrics.enabled"),
            r.string("metrics.host"),
            r.intRange("metrics.port", 0, 65535));
    if (metrics.port() != 0 && metrics.port() == http.port()) {
      r.problem("metrics.port", "must differ from http.port (metrics have their own port)");
    }

    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }

    if (jwt.algorithm().equals("HS256") && jwt.secret().isEmpty()) {
      jwt =
          new JwtConfig(
              "HS256", developmentSecret(mode, node.dataDir()), true, jwt.expiresIn(), null, null);
    }
    return new ParleyConfig(
        mode, node, http, cluster, mongo, jwt, auth, sse, redis, uploads, log, proxy, cors, tls,
        rateLimit, metrics);
  }

  private ProxyConfig readProxy(Reader r) {
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

  private CorsConfig readCors(Reader r) {
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

  private TlsConfig readTls(Reader r, HttpConfig http) {
    String key = r.string("tls.keyPath");
    String cert = r.string("tls.certPath");
    Path keyPath = null;
    Path certPath = null;
    if (key.isEmpty() != cert.isEmpty()) {
      r.problem(
          key.isEmpty() ? "tls.keyPath" : "tls.certPath",
          "is required when " + (key.isEmpty() ? "tls.certPath" : "tls.keyPath") + " is set");
    } else if (!key.isEmpty()) {
      keyPath = readableFile(r, "tls.keyPath", key);
      certPath = readableFile(r, "tls.certPath", cert);
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

  private Path readableFile(Reader r, String key, String value) {
    Path p = workDir.resolve(value);
    if (!Files.isReadable(p)) {
      r.problem(key, "cannot read " + p);
      return null;
    }
    return p;
  }

  private RateLimitConfig readRateLimit(Reader r, RedisConfig redis, ClusterConfig cluster) {
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

  private JwtConfig readJwt(Reader r, Mode mode, NodeConfig node) {
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
      publicKey = pemFile(r, "jwt.publicKeyPath", true);
      // only nodes that sign tokens (the auth role) need the private key
      privateKey = pemFile(r, "jwt.privateKeyPath", node.runs(Role.AUTH));
    }
    return new JwtConfig(algorithm, secret, false, expiresIn, privateKey, publicKey);
  }

  private Path pemFile(Reader r, String key, boolean required) {
    String value = r.string(key);
    if (value.isEmpty()) {
      if (required) {
        r.problem(key, "is required with an RS256/ES256 jwt.algorithm");
      }
      return null;
    }
    Path p = workDir.resolve(value);
    if (!Files.isReadable(p)) {
      r.problem(key, "cannot read " + p);
      return null;
    }
    return p;
  }

  /**
   * Presigned URLs live at most 7 days (S3's limit for SigV4); longer is capped, with a warning.
   */
  static final long MAX_URL_EXPIRY_SECONDS = 7 * 24 * 3600;

  private UploadsConfig readUploads(Reader r) {
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

  private AuthConfig readAuth(Reader r) {
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

  private NodeConfig readNode(Reader r) {
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
        r.path("node.dataDir", workDir),
        r.longRange("node.shutdownGraceMs", 0, 600_000));
  }

  private ClusterConfig readCluster(Reader r) {
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

  private String developmentSecret(Mode mode, Path dataDir) {
    if (mode == Mode.TEST) {
      warnings.add("JWT_SECRET is not set: using a random secret for this process only");
      return randomSecret();
    }
    Path file = dataDir.resolve(DEV_SECRET_FILE);
    try {
      if (Files.isRegularFile(file)) {
        String s = Files.readString(file).trim();
        if (s.length() >= MIN_SECRET_BYTES) {
          warnings.add(
              "JWT_SECRET is not set: using the development secret kept in "
                  + file
                  + " (set JWT_SECRET in production)");
          return s;
        }
      }
      Files.createDirectories(dataDir);
      String s = randomSecret();
      Files.writeString(file, s);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system; the file keeps the folder's permissions
      }
      warnings.add(
          "JWT_SECRET is not set: generated a random development secret in "
              + file
              + " (set JWT_SECRET in production)");
      return s;
    } catch (IOException e) {
      warnings.add(
          "JWT_SECRET is not set and "
              + file
              + " is not writable: using a random secret for this"
              + " process only");
      return randomSecret();
    }
  }

  private static String randomSecret() {
    return Secrets.random(48);
  }

  // --- sources ---------------------------------------------------------------------------------

  private static String defaultsText() {
    try (InputStream in =
        ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process environment wins over {@code .env}, as with dotenv. */
  static Map<String, String> withDotEnv(Map<String, String> env, Path workDir) {
    Path file = workDir.resolve(".env");
    if (!Files.isRegularFile(file)) {
      return env;
    }
    Map<String, String> merged = new LinkedHashMap<>(DotEnv.parse(readQuietly(file)));
    merged.putAll(env);
    return merged;
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(List.of(".env: cannot read " + file + ": " + e.getMessage()));
    }
  }

  private static JsonObject readYaml(String text, String name) {
    Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    if (loaded == null) {
      return new JsonObject();
    }
    if (!(loaded instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(name + " is not a YAML mapping");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) map;
    // copy() turns nested maps and lists into JsonObject / JsonArray
    return new JsonObject(m).copy();
  }

  // --- tree helpers ----------------------------------------------------------------------------

  private static boolean isUnderMapKey(String path) {
    return path.startsWith("node.instances.");
  }

  private static Set<String> leafPaths(JsonObject o) {
    Set<String> out = new java.util.HashSet<>();
    collect("", o, out);
    return out;
  }

  private static void collect(String prefix, JsonObject o, Set<String> out) {
    for (String k : o.fieldNames()) {
      Object v = o.getValue(k);
      String p = prefix.isEmpty() ? k : prefix + "." + k;
      if (v instanceof JsonObject child && !child.isEmpty()) {
        collect(p, child, out);
      } else {
        out.add(p);
      }
    }
  }

  private static void deepMerge(JsonObject base, JsonObject over) {
    for (String k : over.fieldNames()) {
      Object v = over.getValue(k);
      if (v instanceof JsonObject ov && base.getValue(k) instanceof JsonObject bv) {
        deepMerge(bv, ov);
      } else {
        base.put(k, v);
      }
    }
  }

  private static void put(JsonObject tree, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject o = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = o.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        o.put(parts[i], next);
      }
      o = next;
    }
    o.put(parts[parts.length - 1], value);
  }

  private static JsonArray splitList(String value) {
    JsonArray a = new JsonArray();
    for (String s : value.split(",")) {
      if (!s.isBlank()) {
        a.add(s.trim());
      }
    }
    return a;
  }

  private static JsonObject splitMap(String value, String var, List<String> problems) {
    JsonObject o = new JsonObject();
    for (String s : value.split(",")) {
      if (s.isBlank()) {
        continue;
      }
      int eq = s.indexOf('=');
      if (eq <= 0) {
        problems.add(var + ": \"" + s.trim() + "\" is not name=value");
        continue;
      }
      o.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
    }
    return o;
  }
}
