package io.parley.hostile;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of a hostile-input test class: one {@link HostileNode} ({@code n}) started in a
 * temporary folder before the class's tests and closed after them. A class's own {@code @BeforeAll}
 * methods run once the node and its world are up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HostileSuite {
  HostileNode n;

  /** Starts this class's node: {@link HostileNode#start(Path)} unless the class needs settings. */
  HostileNode startNode(Path dir) {
    return HostileNode.start(dir);
  }

  @BeforeAll
  final void startHostileNode(@TempDir Path dir) {
    n = startNode(dir);
  }

  @AfterAll
  final void closeHostileNode() {
    n.close();
  }
}
