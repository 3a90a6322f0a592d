package io.parley.cluster;

import io.parley.Node;
import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of a test class about a cluster of two nodes, "a" and "b", on 127.0.0.1: their
 * environments from {@link TestNodes#cluster}, one {@link Http} client, and the nodes stopped in
 * the reverse of the order {@link #startNodes} started them in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterSuite {
  /** The cluster's folder: each node works in {@code dir/<name>}. */
  Path dir;

  Http http;
  private Map<String, Map<String, String>> envs;
  private final Deque<Node> started = new ArrayDeque<>();

  /**
   * Changes what the class is about in the nodes' environments and starts them with {@link #start}.
   */
  abstract void startNodes();

  /** The environment of node {@code name} ("a" or "b"), to change before it starts. */
  Map<String, String> env(String name) {
    return envs.get(name);
  }

  /** Starts node {@code name} with its environment as it is now. */
  Node start(String name) {
    Node node = TestNodes.start(envs.get(name), dir.resolve(name));
    started.push(node);
    return node;
  }

  @BeforeAll
  final void startCluster(@TempDir Path tempDir) {
    dir = tempDir;
    http = new Http();
    envs = TestNodes.cluster(dir, "a", "b");
    startNodes();
  }

  @AfterAll
  final void stopCluster() {
    TestNodes.stop(started.toArray(Node[]::new));
    http.close();
  }
}
