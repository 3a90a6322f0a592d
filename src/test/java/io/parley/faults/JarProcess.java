package io.parley.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM started from the built jar ({@code target/parley.jar}, there in the
 * integration-test phase), which a scenario can stop (SIGTERM), kill (SIGKILL), freeze (SIGSTOP)
 * and thaw (SIGCONT), and restart with the same settings.
 */
class JarProcess implements AutoCloseable {
  final String name;
  final Path dir;
  private final List<String> command;
  private final Map<String, String> env;
  private Process process;
  private int starts;

  JarProcess(String name, Path dir, List<String> jvmArgsAndMain, Map<String, String> env) {
    this.name = name;
    this.dir = dir;
    this.env = env;
    this.command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgsAndMain);
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("parley.jar", "target/parley.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: the scenarios run after `mvn package`");
    }
    return jar;
  }

  static Path testClasses() {
    return Path.of("target", "test-classes").toAbsolutePath();
  }

  JarProcess start() {
    if (running()) {
      throw new IllegalStateException(name + " is already running");
    }
    try {
      Files.createDirectories(dir);
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
      pb.environment().clear();
      pb.environment().put("PATH", System.getenv("PATH"));
      pb.environment().putAll(env);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
      Files.writeString(
          log(),
          "---- start " + (++starts) + " of " + name + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      process = pb.start();
      Process started = process;
      // a test JVM that ends (even aborted by a timeout) takes its processes with it
      Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path log() {
    return dir.resolve(name + ".log");
  }

  String logText() {
    try {
      return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  boolean running() {
    return process != null && process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** {@code kill -9}: no shutdown hook, no clean close of anything. */
  void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitExit(30);
    }
  }

  /** SIGTERM, then wait for the process to end (it closes cleanly). */
  void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!waitExit(60)) {
        process.destroyForcibly();
        waitExit(30);
      }
    }
  }

  /** SIGSTOP: the process holds its sockets but answers nothing, as in a long GC pause. */
  void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze}. */
  void thaw() {
    signal("CONT");
  }

  private void signal(String sig) {
    try {
      Process p = new ProcessBuilder("kill", "-" + sig, String.valueOf(pid())).start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private boolean waitExit(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits until {@code port} accepts connections (or the process died). */
  void awaitListening(int port, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (!running()) {
        throw new IllegalStateException(name + " exited:\n" + tail());
      }
      if (listening(port)) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException(name + " did not listen on " + port + ":\n" + tail());
  }

  String tail() {
    String log = logText();
    return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      thawQuietly();
      process.destroyForcibly();
      waitExit(30);
    }
  }

  private void thawQuietly() {
    try {
      thaw();
    } catch (RuntimeException ignored) {
      // it was not frozen, or it is gone
    }
  }
}
