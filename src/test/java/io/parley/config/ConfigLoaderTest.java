package io.parley.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private ParleyConfig load(Map<String, String> env) {
    return ConfigLoader.load(env, dir).config();
  }

  @Test
  void defaultsComeFromTheBundledFile() {
    ParleyConfig c = load(Map.of());
    assertThat(c.mode()).isEqualTo(Mode.DEVELOPMENT);
    assertThat(c.http().port()).isEqualTo(3000);
    assertThat(c.node().roles()).containsExactlyInAnyOrder(Role.values());
    assertThat(c.mongo().embedded()).isTrue();
    assertThat(c.cluster().enabled()).isFalse();
    assertThat(c.jwt().expiresIn()).isEqualTo(Duration.ofDays(7));
    assertThat(c.node().dataDir()).isEqualTo(dir.resolve("data"));
  }

  @Test
  void seedVariablesOverrideTheFile() {
    ParleyConfig c =
        load(
            Map.of(
                "PORT", "8081",
                "MONGO_URI", "mongodb://db.example:27017/chat",
                "JWT_EXPIRES_IN", "15m",
                "LOG_LEVEL", "debug",
                "MAX_FILE_SIZE", "1024",
                "PARLEY_ROLES", "http, auth",
                "PARLEY_INSTANCES", "http=3,auth=2"));
    assertThat(c.http().port()).isEqualTo(8081);
    assertThat(c.mongo().uri()).isEqualTo("mongodb://db.example:27017/chat");
    assertThat(c.jwt().expiresIn()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.log().level()).isEqualTo("debug");
    assertThat(c.uploads().maxFileSize()).isEqualTo(1024);
    assertThat(c.node().roles()).containsExactlyInAnyOrder(Role.HTTP, Role.AUTH);
    assertThat(c.node().instancesOf(Role.HTTP)).isEqualTo(3);
    assertThat(c.node().instancesOf(Role.AUTH)).isEqualTo(2);
  }

  @Test
  void uploadsDefaultToLocalDiskAndS3VariablesSwitchToABucket() {
    ParleyConfig local = load(Map.of());
    assertThat(local.uploads().s3Enabled()).isFalse();
    assertThat(local.uploads().urlExpiry()).isEqualTo(Duration.ofHours(1));
    assertThat(local.uploads().dir()).isEqualTo(dir.resolve("uploads"));

    ParleyConfig s3 =
        load(
            Map.of(
                "AWS_S3_BUCKET", "chat-files",
                "AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "not-a-real-secret",
                "AWS_S3_ENDPOINT", "http://127.0.0.1:9000",
                "AWS_S3_PRESIGNED_URL_EXPIRY", "900"));
    assertThat(s3.uploads().s3Enabled()).isTrue();
    assertThat(s3.uploads().s3().bucket()).isEqualTo("chat-files");
    assertThat(s3.uploads().s3().region()).isEqualTo("eu-west-1");
    assertThat(s3.uploads().s3().endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(s3.uploads().urlExpiry()).isEqualTo(Duration.ofMinutes(15));
    assertThat(s3.uploads().s3().toString()).doesNotContain("not-a-real-secret");
  }

  @Test
  void presignedUrlExpiryIsCappedAtSevenDays() {
    var loaded = ConfigLoader.load(Map.of("AWS_S3_PRESIGNED_URL_EXPIRY", "9999999"), dir);
    assertThat(loaded.config().uploads().urlExpiry()).isEqualTo(Duration.ofDays(7));
    assertThat(loaded.warnings()).anyMatch(w -> w.contains("AWS_S3_PRESIGNED_URL_EXPIRY"));
  }

  @Test
  void eventLoopsDefaultToOnePerCoreAndCanBeSet() {
    assertThat(load(Map.of()).node().eventLoopCount())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(load(Map.of("PARLEY_EVENT_LOOPS", "3")).node().eventLoopCount()).isEqualTo(3);
    assertThatThrownBy(() -> load(Map.of("PARLEY_EVENT_LOOPS", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("node.eventLoops");
  }

  @Test
  void halfConfiguredS3CredentialsAreAProblem() {
    assertThatThrownBy(() -> load(Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("AWS_SECRET_ACCESS_KEY");
  }

  @Test
  void clusterPortTurnsClusteringOn() {
    ParleyConfig c =
        load(
            Map.of(
                "PARLEY_CLUSTER_PORT", "5802",
                "PARLEY_CLUSTER_MEMBERS", "127.0.0.1:5801,127.0.0.1:5802"));
    assertThat(c.cluster().enabled()).isTrue();
    assertThat(c.cluster().port()).isEqualTo(5802);
    assertThat(c.cluster().members()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
  }

  @Test
  void everyProblemIsListedAtOnceWithItsKeyAndVariable() {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", "eighty");
    env.put("LOG_LEVEL", "loud");
    env.put("PARLEY_ROLES", "http,chat");
    env.put("JWT_EXPIRES_IN", "forever");
    env.put("PARLEY_CLUSTER_MEMBERS", "127.0.0.1:5701-5703");
    assertThatThrownBy(() -> load(env))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.problems()).hasSize(5);
              assertThat(e.problems())
                  .anySatisfy(p -> assertThat(p).startsWith("http.port (PORT)").contains("eighty"))
                  .anySatisfy(p -> assertThat(p).startsWith("log.level (LOG_LEVEL)"))
                  .anySatisfy(
                      p -> assertThat(p).startsWith("node.roles (PARLEY_ROLES)").contains("chat"))
                  .anySatisfy(p -> assertThat(p).startsWith("jwt.expiresIn (JWT_EXPIRES_IN)"))
                  .anySatisfy(
                      p -> assertThat(p).startsWith("cluster.members (PARLEY_CLUSTER_MEMBERS)"));
              assertThat(e.getMessage())
                  .startsWith("Parley cannot start: 5 configuration problems");
            });
  }

  @Test
  void productionRequiresAStrongSecretAndADatabase() {
    assertThatThrownBy(() -> load(Map.of("NODE_ENV", "production")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("jwt.secret").contains("required"))
                    .anySatisfy(p -> assertThat(p).startsWith("mongo.uri").contains("required")));
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "NODE_ENV", "production",
                        "MONGO_URI", "mongodb://db:27017",
                        "JWT_SECRET", "too-short")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(
                        p ->
                            assertThat(p)
                                .startsWith("jwt.secret (JWT_SECRET)")
                                .contains("9 bytes")));
  }

  @Test
  void productionWithAStrongSecretStartsAndLogsAsJson() {
    ParleyConfig c =
        load(
            Map.of(
                "NODE_ENV", "production",
                "MONGO_URI", "mongodb://db:27017",
                "JWT_SECRET", "x".repeat(32)));
    assertThat(c.production()).isTrue();
    assertThat(c.log().json()).isTrue();
    assertThat(c.jwt().secretGenerated()).isFalse();
  }

  @Test
  void developmentGeneratesASecretOnceAndKeepsIt() {
    var first = ConfigLoader.load(Map.of(), dir);
    assertThat(first.config().jwt().secretGenerated()).isTrue();
    assertThat(first.config().jwt().secret().length()).isGreaterThanOrEqualTo(32);
    assertThat(first.warnings()).anySatisfy(w -> assertThat(w).contains("JWT_SECRET"));
    assertThat(dir.resolve("data/jwt-dev-secret")).exists();
    var second = ConfigLoader.load(Map.of(), dir);
    assertThat(second.config().jwt().secret()).isEqualTo(first.config().jwt().secret());
    assertThat(first.config().jwt().toString()).doesNotContain(first.config().jwt().secret());
  }

  @Test
  void dotEnvIsReadAndTheEnvironmentWins() throws Exception {
    Files.writeString(
        dir.resolve(".env"),
        "# comment\nPORT=4000\nLOG_LEVEL=\"debug\"\nexport JWT_EXPIRES_IN=2h # two hours\n");
    ParleyConfig c = load(Map.of("PORT", "5000"));
    assertThat(c.http().port()).isEqualTo(5000);
    assertThat(c.log().level()).isEqualTo("debug");
    assertThat(c.jwt().expiresIn()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void operatorFileOverridesDefaultsAndUnknownKeysAreProblems() throws Exception {
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(
        dir.resolve("conf/parley.yaml"),
        "http:\n  port: 7000\n  prot: 1\nnode:\n  instances:\n    http: 4\n");
    assertThatThrownBy(() -> load(Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .satisfies(p -> assertThat(p).startsWith("http.prot")));
    Files.writeString(
        dir.resolve("conf/parley.yaml"), "http:\n  port: 7000\nnode:\n  instances:\n    http: 4\n");
    ParleyConfig c = load(Map.of());
    assertThat(c.http().port()).isEqualTo(7000);
    assertThat(c.node().instancesOf(Role.HTTP)).isEqualTo(4);
    assertThat(c.node().instancesOf(Role.AUTH)).isEqualTo(1);
  }

  @Test
  void parleyConfPointsAtAnotherFile() throws Exception {
    Files.writeString(dir.resolve("other.yaml"), "http:\n  port: 7100\n");
    assertThat(load(Map.of("PARLEY_CONF", "other.yaml")).http().port()).isEqualTo(7100);
    assertThatThrownBy(() -> load(Map.of("PARLEY_CONF", "missing.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PARLEY_CONF");
  }

  @Test
  void durationsAcceptSecondsAndUnits() {
    assertThat(Reader.parseDuration("3600")).isEqualTo(Duration.ofHours(1));
    assertThat(Reader.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Reader.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Reader.parseDuration("1w")).isNull();
  }

  @Test
  void redisUrlMustBeARedisUrl() {
    assertThatThrownBy(() -> load(Map.of("REDIS_URL", "http://localhost:6379")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis.url (REDIS_URL)");
    assertThat(load(Map.of("REDIS_URL", "redis://127.0.0.1:6379")).redis().enabled()).isTrue();
  }
}
