package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Nginx;
import io.parley.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What can be checked of the deployment files without Docker or systemd here: they exist, the image
 * builds the way the README says, the compose file parses with the expected services, the nginx
 * site passes {@code nginx -t}, and CI installs what the tests need.
 */
class DeploymentFilesTest {

  private static String read(String path) throws IOException {
    Path p = Path.of(path);
    assertThat(p).as(path).isRegularFile();
    return Files.readString(p);
  }

  /** The README's build command, e.g. {@code mvn -B -q package -DskipTests}. */
  private static String readmeBuildCommand() throws IOException {
    Matcher m =
        Pattern.compile("(mvn -B[^&\\n`]*package[^&\\n`]*?)\\s*(&&|\\n|`)")
            .matcher(read("README.md"));
    assertThat(m.find()).as("README names a mvn ... package command").isTrue();
    return m.group(1).trim();
  }

  @Test
  void theDockerfileBuildsLikeTheReadmeAndRunsAsNonRootWithAHealthCheck() throws IOException {
    // one instruction per line: join backslash continuations
    String docker = read("Dockerfile").replace("\\\n", " ");
    List<String> froms = docker.lines().filter(l -> l.startsWith("FROM ")).toList();
    assertThat(froms).hasSizeGreaterThanOrEqualTo(2);
    assertThat(froms.get(0)).contains("maven").contains(" AS build");
    assertThat(froms.get(froms.size() - 1)).contains("jre");
    // the build stage runs the README's command (offline flags aside)
    String readme = readmeBuildCommand();
    List<String> runLines = docker.lines().filter(l -> l.contains("mvn ")).toList();
    assertThat(runLines)
        .anySatisfy(l -> assertThat(l.replace(" -o", "").replaceAll("\\s+", " ")).contains(readme));
    assertThat(docker).containsPattern("(?m)^USER (?!root)\\S+");
    assertThat(docker).containsPattern("(?m)^HEALTHCHECK .*?/health/live");
    assertThat(docker).contains("COPY --from=build").contains("parley.jar");
    assertThat(docker).containsPattern("(?m)^ENTRYPOINT .*java");
  }

  @Test
  void theDockerIgnoreKeepsBuildOutputAndSecretsOut() throws IOException {
    String ignore = read(".dockerignore");
    assertThat(ignore.lines().map(String::trim).toList())
        .contains("target", ".git", ".env", "data", "uploads");
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeParsesWithDatabaseRedisTwoNodesAndNginx() throws IOException {
    Object loaded =
        new Yaml(new SafeConstructor(new LoaderOptions())).load(read("docker-compose.yml"));
    assertThat(loaded).isInstanceOf(Map.class);
    Map<String, Object> services =
        (Map<String, Object>) ((Map<String, Object>) loaded).get("services");
    assertThat(services).containsKeys("mongo", "redis", "parley-1", "parley-2", "nginx");
    for (String node : List.of("parley-1", "parley-2")) {
      Map<String, Object> svc = (Map<String, Object>) services.get(node);
      assertThat(svc).containsKey("build");
      String env = String.valueOf(svc.get("environment"));
      assertThat(env)
          .contains("MONGO_URI")
          .contains("REDIS_URL")
          .contains("PARLEY_CLUSTER_MEMBERS")
          .contains("TRUSTED_PROXIES")
          .contains("NODE_ENV");
    }
    Map<String, Object> nginx = (Map<String, Object>) services.get("nginx");
    assertThat(String.valueOf(nginx.get("volumes"))).contains("conf/nginx/parley.conf");
  }

  @Test
  void theShippedNginxSitePassesNginxTest() {
    Requirements.nginx();
    String conf = Nginx.SHIPPED_CONF.toFile().exists() ? readQuietly() : "";
    assertThat(conf).contains("proxy_buffering off").contains("proxy_http_version 1.1");
    Path prefix = Nginx.prefixWith(conf.replace("listen 80;", "listen 127.0.0.1:18080;"));
    Nginx.Result r = Nginx.test(prefix);
    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output()).contains("test is successful");
  }

  @Test
  void theSystemdUnitRunsTheJarAndRestartsIt() throws IOException {
    String unit = read("conf/systemd/parley.service");
    assertThat(unit)
        .contains("[Service]")
        .containsPattern("(?m)^ExecStart=.*java .*-jar .*parley\\.jar")
        .containsPattern("(?m)^Restart=(on-failure|always)")
        .containsPattern("(?m)^User=parley")
        .contains("KillSignal=SIGTERM");
  }

  /** The -XX flags of a java command line (heap sizing differs between the two files). */
  private static List<String> xxFlags(String commandLine) {
    return Pattern.compile("-XX:\\S+").matcher(commandLine).results().map(r -> r.group()).toList();
  }

  @Test
  void theUnitAndTheImageGiveTheJvmTheSameFlagsAndThisJdkAcceptsThem() throws Exception {
    Matcher exec =
        Pattern.compile("(?m)^ExecStart=(.*)$").matcher(read("conf/systemd/parley.service"));
    assertThat(exec.find()).isTrue();
    Matcher opts =
        Pattern.compile("JAVA_OPTS=\"([^\"]*)\"").matcher(read("Dockerfile").replace("\\\n", " "));
    assertThat(opts.find()).isTrue();
    List<String> unit = xxFlags(exec.group(1));
    List<String> image = xxFlags(opts.group(1));
    // the image sizes its heap from the container (MaxRAMPercentage), the unit with -Xms/-Xmx
    assertThat(image.stream().filter(f -> !f.startsWith("-XX:MaxRAMPercentage")).toList())
        .containsExactlyInAnyOrderElementsOf(
            unit.stream().filter(f -> !f.equals("-XX:+UseG1GC")).toList());
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(unit);
    cmd.add("-version");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out.toLowerCase(java.util.Locale.ROOT)).as(out).doesNotContain("warning");
  }

  @Test
  void ciInstallsRedisAndNginxOnlyWhenMissing() throws IOException {
    String ci = read(".ci/run");
    assertThat(ci).contains("command -v redis-server").contains("command -v nginx");
    assertThat(ci).contains("apt-get install -y");
    assertThat(ci.indexOf("apt-get install")).isLessThan(ci.indexOf("mvn -B verify"));
  }

  private static String readQuietly() {
    try {
      return Files.readString(Nginx.SHIPPED_CONF);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
