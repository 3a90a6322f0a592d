package io.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} ({@link RedisBinary}: the PATH's, else the embedded-redis artifact's)
 * on a loopback port, started, stopped and restarted on the same port by a test.
 */
public final class LocalRedis implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  public LocalRedis(Path dir) {
    this(dir, TestNodes.freePort());
  }

  public LocalRedis(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server and waits until it accepts connections. */
  public LocalRedis start() {
    try {
      process =
          RedisBinary.server(port, dir)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server could not start: " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return this;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server exited; see its log in " + dir);
        }
        Thread.onSpinWait();
      }
    }
    throw new IllegalStateException("redis-server did not listen on " + port);
  }

  public boolean running() {
    return process != null && process.isAlive();
  }

  public void stop() {
    if (process != null) {
      process.destroy();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  @Override
  public void close() {
    stop();
  }
}
