package io.parley.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds a {@code redis-server} for tests: the one on the {@code PATH} when there is one (Debian's
 * package, as CI installs it), otherwise the binary shipped inside the {@code
 * com.github.codemonstur:embedded-redis} test dependency (Redis 6.2, Linux x86-64 and arm64,
 * macOS), copied once under {@code target/} and started as an ordinary process. So {@code mvn -B
 * verify} needs nothing but a JDK and Maven.
 */
public final class RedisBinary {
  private static Path found;
  private static String problem;

  private RedisBinary() {}

  /** The server binary, or null when none can be had here (see {@link #problem()}). */
  public static synchronized Path path() {
    if (found == null && problem == null) {
      resolve();
    }
    return found;
  }

  /** Why {@link #path()} is null. */
  public static synchronized String problem() {
    path();
    return problem;
  }

  /** Where the binary came from, for logs: the PATH or the Maven artifact. */
  public static boolean fromPath() {
    Path p = path();
    return p != null && !p.startsWith(extractionDir());
  }

  /**
   * A redis-server on 127.0.0.1:{@code port} that persists nothing and works in {@code dir}; throws
   * when there is no binary.
   */
  static ProcessBuilder server(int port, Path dir) {
    Path binary = path();
    if (binary == null) {
      throw new IllegalStateException(problem());
    }
    return new ProcessBuilder(
        binary.toString(),
        "--port",
        String.valueOf(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir.toString());
  }

  private static void resolve() {
    String pathEnv = System.getenv("PATH");
    if (pathEnv != null) {
      for (String dir : pathEnv.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, "redis-server");
        if (Files.isExecutable(candidate)) {
          found = candidate;
          return;
        }
      }
    }
    String resource = bundledResource();
    if (resource == null) {
      problem =
          "redis-server is not on the PATH and embedded-redis ships no binary for "
              + System.getProperty("os.name")
              + "/"
              + System.getProperty("os.arch");
      return;
    }
    try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        problem = "redis-server is not on the PATH and " + resource + " is not on the classpath";
        return;
      }
      Path dir = extractionDir();
      Files.createDirectories(dir);
      Path target = dir.resolve(resource);
      if (!Files.isExecutable(target)) {
        Path tmp = Files.createTempFile(dir, "redis-server", ".part");
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        if (!tmp.toFile().setExecutable(true)) {
          problem = "cannot make " + tmp + " executable";
          return;
        }
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      found = target;
    } catch (IOException e) {
      problem = "redis-server is not on the PATH and the bundled one could not be copied: " + e;
    }
  }

  private static Path extractionDir() {
    return Path.of("target", "embedded-redis").toAbsolutePath();
  }

  /** The binary inside embedded-redis 1.4.3 for this OS and architecture, or null. */
  private static String bundledResource() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
    boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
    if (os.contains("linux")) {
      return x64
          ? "redis-server-6.2.6-v5-linux-amd64"
          : arm64 ? "redis-server-6.2.7-linux-arm64" : null;
    }
    if (os.contains("mac")) {
      return x64
          ? "redis-server-6.2.6-v5-darwin-amd64"
          : arm64 ? "redis-server-6.2.6-v5-darwin-arm64" : null;
    }
    return null;
  }
}
