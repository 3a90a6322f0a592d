package io.parley.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment variables Parley reads, each with the config key it overrides, and how their
 * values land in the merged config tree.
 */
final class EnvOverrides {
  private EnvOverrides() {}

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
          new EnvVar("PARLEY_EVENT_LOOPS", "node.eventLoops", Kind.STRING),
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

  /**
   * Writes every variable that is set into {@code tree}; returns which variable set each key (for
   * problems that name it).
   */
  static Map<String, String> apply(
      Map<String, String> env, JsonObject tree, List<String> problems) {
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
    return sources;
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
