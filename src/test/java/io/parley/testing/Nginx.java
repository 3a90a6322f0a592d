package io.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx for tests, unprivileged: its own prefix in a temporary folder, a loopback port, the
 * project's {@code conf/nginx/parley.conf} included with only its listen port and upstream servers
 * replaced.
 */
public final class Nginx implements AutoCloseable {
  public static final Path SHIPPED_CONF = Path.of("conf/nginx/parley.conf");

  private final Path prefix;
  private final Process process;
  private final int port;

  private Nginx(Path prefix, Process process, int port) {
    this.prefix = prefix;
    this.process = process;
    this.port = port;
  }

  public static boolean available() {
    return Files.isExecutable(binary());
  }

  /**
   * {@code PARLEY_TEST_NGINX} when set (a path; anything not executable means "no nginx here", to
   * check the skip), else the PATH, else Debian's and the usual locations.
   */
  static Path binary() {
    String forced = System.getenv("PARLEY_TEST_NGINX");
    if (forced != null) {
      return Path.of(forced);
    }
    String pathEnv = System.getenv("PATH");
    if (pathEnv != null) {
      for (String dir : pathEnv.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nginx"))) {
          return Path.of(dir, "nginx");
        }
      }
    }
    for (String p : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return Path.of("nginx");
  }

  /**
   * Writes a main nginx.conf around {@code siteConf} into a fresh prefix folder.
   *
   * @return the prefix folder
   */
  public static Path prefixWith(String siteConf) {
    try {
      // not under JUnit's 0700 folder: nginx workers may run as another user when we are root
      Path prefix = Files.createTempDirectory("parley-nginx");
      Files.setPosixFilePermissions(prefix, PosixFilePermissions.fromString("rwxr-xr-x"));
      // the shipped access log goes to /var/log/nginx: keep it in the prefix instead
      Files.writeString(
          prefix.resolve("parley.conf"), siteConf.replace("/var/log/nginx/", prefix + "/"));
      String main =
          String.join(
              "\n",
              "worker_processes 1;",
              "pid " + prefix.resolve("nginx.pid") + ";",
              "error_log " + prefix.resolve("error.log") + " warn;",
              "events { worker_connections 256; }",
              "http {",
              "  access_log " + prefix.resolve("access.log") + ";",
              "  client_body_temp_path " + prefix.resolve("client_body") + ";",
              "  proxy_temp_path " + prefix.resolve("proxy") + ";",
              "  fastcgi_temp_path " + prefix.resolve("fastcgi") + ";",
              "  uwsgi_temp_path " + prefix.resolve("uwsgi") + ";",
              "  scgi_temp_path " + prefix.resolve("scgi") + ";",
              "  include " + prefix.resolve("parley.conf") + ";",
              "}",
              "");
      Files.writeString(prefix.resolve("nginx.conf"), main);
      return prefix;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code nginx -t} on a prefix; returns its exit status and output. */
  public static Result test(Path prefix) {
    return run(
        List.of(
            binary().toString(),
            "-t",
            "-p",
            prefix.toString(),
            "-c",
            prefix.resolve("nginx.conf").toString(),
            "-e",
            prefix.resolve("error.log").toString()));
  }

  public record Result(int status, String output) {}

  /** The shipped site config, listening on {@code port} and proxying to {@code upstreamPorts}. */
  public static String shippedConfFor(int port, List<Integer> upstreamPorts) {
    try {
      String conf = Files.readString(SHIPPED_CONF);
      StringBuilder servers = new StringBuilder();
      for (int p : upstreamPorts) {
        servers.append("server 127.0.0.1:").append(p).append(";\n    ");
      }
      String replaced =
          conf.replaceFirst("(?m)^\\s*listen 80;", "    listen 127.0.0.1:" + port + ";")
              .replaceFirst(
                  "(?m)^\\s*server 127\\.0\\.0\\.1:3000[^;]*;\\n\\s*", "    " + servers.toString());
      if (replaced.equals(conf) || replaced.contains("listen 80;")) {
        throw new IllegalStateException("conf/nginx/parley.conf no longer has the expected lines");
      }
      return replaced;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts nginx (foreground process) on {@code port} and waits until it accepts connections. */
  public static Nginx start(Path prefix, int port) {
    try {
      ProcessBuilder pb =
          new ProcessBuilder(
                  binary().toString(),
                  "-p",
                  prefix.toString(),
                  "-c",
                  prefix.resolve("nginx.conf").toString(),
                  "-e",
                  prefix.resolve("error.log").toString(),
                  "-g",
                  "daemon off;")
              .redirectErrorStream(true)
              .redirectOutput(prefix.resolve("stdout.log").toFile());
      Process p = pb.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "nginx exited: " + Files.readString(prefix.resolve("stdout.log")));
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
          return new Nginx(prefix, p, port);
        } catch (IOException notYet) {
          p.waitFor(50, TimeUnit.MILLISECONDS);
        }
      }
      p.destroyForcibly();
      throw new IllegalStateException("nginx did not listen on " + port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public Path prefix() {
    return prefix;
  }

  private static Result run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, out + "\n(timed out)");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    // SIGTERM: nginx's fast shutdown, which ends its workers too
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
