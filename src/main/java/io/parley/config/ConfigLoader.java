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
import io.parley.config.ParleyConfig.SseConfig;
import io.parley.config.ParleyConfig.TlsConfig;
import io.parley.config.ParleyConfig.UploadsConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link ParleyConfig} from the bundled defaults, the operator's file, a {@code .env} file
 * and the environment, then validates it, collecting every problem before failing: {@link
 * ConfigFiles} reads the files, {@link EnvOverrides} applies the environment, {@link Sections}
 * reads and checks each section, {@link DevelopmentSecret} fills in a missing HS256 secret.
 */
public final class ConfigLoader {

  /** The defaults: {@code conf/parley.yaml}, copied into the jar by the build. */
  public static final String DEFAULTS_RESOURCE = "parley-defaults/parley.yaml";

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
    ConfigLoader loader = new ConfigLoader(ConfigFiles.withDotEnv(env, workDir), workDir);
    ParleyConfig cfg = loader.build();
    return new Loaded(cfg, List.copyOf(loader.warnings));
  }

  // ---------------------------------------------------------------------------------------------

  private ParleyConfig build() {
    List<String> problems = new ArrayList<>();
    JsonObject tree = ConfigFiles.merged(env, workDir, problems);
    Map<String, String> sources = EnvOverrides.apply(env, tree, problems);

    // read in this order, so that problems and warnings are listed in it
    Sections s = new Sections(new Reader(tree, sources, problems), workDir, warnings);
    Mode mode = s.mode();
    NodeConfig node = s.node();
    HttpConfig http = s.http();
    ClusterConfig cluster = s.cluster();
    MongoConfig mongo = s.mongo(mode);
    RedisConfig redis = s.redis();
    SseConfig sse = s.sse();
    s.checkRedisUrl(redis);
    UploadsConfig uploads = s.uploads();
    LogConfig log = s.log(mode);
    JwtConfig jwt = s.jwt(mode, node);
    AuthConfig auth = s.auth();
    ProxyConfig proxy = s.proxy();
    CorsConfig cors = s.cors();
    TlsConfig tls = s.tls(http);
    RateLimitConfig rateLimit = s.rateLimit(redis, cluster);
    MetricsConfig metrics = s.metrics(http);

    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }

    if (jwt.algorithm().equals("HS256") && jwt.secret().isEmpty()) {
      jwt =
          new JwtConfig(
              "HS256",
              DevelopmentSecret.of(mode, node.dataDir(), warnings),
              true,
              jwt.expiresIn(),
              null,
              null);
    }
    return new ParleyConfig(
        mode, node, http, cluster, mongo, jwt, auth, sse, redis, uploads, log, proxy, cors, tls,
        rateLimit, metrics);
  }
}
