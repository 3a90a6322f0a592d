package io.parley.faults;

import io.parley.testing.TestNodes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The scenarios' MongoDB: a MongoDB-wire server in its own process, its data in an H2 file, on a
 * fixed loopback port so that a stop and a start (an outage) bring it back where nodes expect it.
 */
final class WireDatabase extends JarProcess {
  private final int port;

  private WireDatabase(Path dir, int port) {
    super(
        "mongo",
        dir,
        List.of(
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            jar() + java.io.File.pathSeparator + testClasses(),
            WireDatabaseMain.class.getName(),
            String.valueOf(port),
            dir.resolve("wire.mv").toString()),
        Map.of());
    this.port = port;
  }

  static WireDatabase start(Path dir) {
    WireDatabase db = new WireDatabase(dir, TestNodes.freePort());
    db.up();
    return db;
  }

  /** (Re)starts the server on its port with the data it had. */
  WireDatabase up() {
    start();
    awaitListening(port, 60);
    return this;
  }

  int port() {
    return port;
  }

  /** A connection string for nodes that reach it on {@code viaPort} (itself or a proxy). */
  static String uri(int viaPort, String database) {
    return "mongodb://127.0.0.1:" + viaPort + "/" + database;
  }
}
