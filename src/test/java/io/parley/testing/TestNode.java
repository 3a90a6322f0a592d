package io.parley.testing;

import io.parley.Node;
import java.nio.file.Path;
import java.util.Map;

/**
 * One real node for a test class, the set-up every single-node IT shares: the node started by
 * {@link TestNodes}, a client ({@link Http}), its {@link Api} and direct access to the node's
 * database ({@link Db}). {@link #close} stops them in reverse order.
 */
public final class TestNode implements AutoCloseable {
  public final Node node;
  public final Http http;
  public final Api api;
  public final Db db;

  private TestNode(Node node) {
    this.node = node;
    Http client = null;
    try {
      client = new Http();
      this.http = client;
      this.api = new Api(client, node.httpPort());
      this.db = new Db(client.vertx(), node);
    } catch (RuntimeException e) {
      if (client != null) {
        client.close();
      }
      TestNodes.stop(node);
      throw e;
    }
  }

  /** A node with the standard test environment ({@link TestNodes#env}), files under {@code dir}. */
  public static TestNode start(Path dir) {
    return start(TestNodes.env(dir), dir);
  }

  /** A node with this environment: {@link TestNodes#env} plus what the test is about. */
  public static TestNode start(Map<String, String> env, Path dir) {
    return new TestNode(TestNodes.start(env, dir));
  }

  @Override
  public void close() {
    db.close();
    TestNodes.stop(node);
    http.close();
  }
}
