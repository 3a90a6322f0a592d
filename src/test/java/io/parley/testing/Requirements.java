package io.parley.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a program Maven cannot provide (nginx) are skipped, never failed and never passed
 * silently: the reason goes to the test's output and into the JUnit report as the assumption's
 * message. Everything else the tests need comes from Maven (see {@link RedisBinary}).
 */
public final class Requirements {
  private Requirements() {}

  public static void assume(boolean present, String reason) {
    if (!present) {
      System.out.println("SKIPPED (missing prerequisite): " + reason);
      Assumptions.assumeTrue(false, reason);
    }
  }

  /** A redis-server from the PATH or from the embedded-redis artifact. */
  public static void redis() {
    assume(RedisBinary.path() != null, RedisBinary.problem());
  }

  public static void nginx() {
    assume(
        Nginx.available(),
        "nginx is not installed (Debian package nginx; .ci/run installs it): reverse-proxy test"
            + " skipped");
  }
}
