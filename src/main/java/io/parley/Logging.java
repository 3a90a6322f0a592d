package io.parley;

import io.parley.config.ParleyConfig;

/**
 * Chooses the log format and level before the first logger is created: JSON lines in production,
 * readable lines in development (see src/main/resources/logback.xml).
 */
public final class Logging {
  private Logging() {}

  public static void configure(ParleyConfig.LogConfig log) {
    System.setProperty("parley.log.level", log.level().toUpperCase(java.util.Locale.ROOT));
    if (log.json()) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
    routeLibrariesToSlf4j();
  }

  /** Vert.x, Hazelcast and Netty all log through SLF4J, so one configuration covers them. */
  public static void routeLibrariesToSlf4j() {
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
  }
}
