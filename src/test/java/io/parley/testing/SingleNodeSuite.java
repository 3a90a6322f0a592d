package io.parley.testing;

import io.parley.Node;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of a test class that runs against one real node: a {@link TestNode} started in a
 * temporary folder before the class's tests and stopped after them. A class about a setting
 * overrides {@link #nodeEnv}; its own {@code @BeforeAll} methods run once the node is up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SingleNodeSuite {
  /** The node's working folder (data, uploads, operator file), one per test class. */
  protected Path dir;

  /** The node's upload folder ({@code UPLOAD_DIR} of its environment). */
  protected Path uploadDir;

  protected TestNode fixture;
  protected Node node;
  protected Http http;
  protected Api api;
  protected Db db;

  /**
   * The node's environment, called once before it starts: {@link TestNodes#env} unless the class
   * changes what it is about (and may write an operator file under {@code dir} here).
   */
  protected Map<String, String> nodeEnv(Path dir) throws IOException {
    return TestNodes.env(dir);
  }

  @BeforeAll
  protected final void startNode(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    Map<String, String> env = nodeEnv(dir);
    uploadDir = Path.of(env.get("UPLOAD_DIR"));
    fixture = TestNode.start(env, dir);
    node = fixture.node;
    http = fixture.http;
    api = fixture.api;
    db = fixture.db;
  }

  @AfterAll
  protected final void stopNode() {
    if (fixture != null) {
      fixture.close();
    }
  }
}
