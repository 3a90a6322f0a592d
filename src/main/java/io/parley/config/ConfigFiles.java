package io.parley.config;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The files config comes from: the bundled defaults, the operator's YAML file merged over them
 * (keys the defaults do not have are problems), and {@code .env} under the environment.
 */
final class ConfigFiles {
  private ConfigFiles() {}

  /**
   * The bundled defaults with the operator's file ({@code PARLEY_CONF}, else {@code
   * conf/parley.yaml} when it exists) merged over them.
   */
  static JsonObject merged(Map<String, String> env, Path workDir, List<String> problems) {
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
    return tree;
  }

  private static String defaultsText() {
    try (InputStream in =
        ConfigLoader.class.getClassLoader().getResourceAsStream(ConfigLoader.DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            ConfigLoader.DEFAULTS_RESOURCE + " is missing from the classpath");
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
}
