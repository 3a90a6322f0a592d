package io.parley;

import io.parley.config.ConfigException;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.parley.verify.DeploymentCheck;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code java -jar parley.jar}: runs a node until SIGTERM or SIGINT, then stops it gracefully.
 * {@code java -jar parley.jar verify --url …}: checks a running deployment ({@link
 * DeploymentCheck}).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("verify")) {
      System.exit(DeploymentCheck.run(List.of(args).subList(1, args.length), System.out));
      return;
    }
    if (args.length > 0) {
      System.err.println(
          "usage: java -jar parley.jar            run a node (config: conf/parley.yaml, env)");
      System.err.println(
          "       java -jar parley.jar verify --url URL   check a running deployment");
      System.exit(2);
      return;
    }
    ConfigLoader.Loaded loaded;
    try {
      loaded = ConfigLoader.fromProcess();
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    ParleyConfig config = loaded.config();
    Logging.configure(config.log());
    Logger log = LoggerFactory.getLogger(Main.class);
    loaded.warnings().forEach(log::warn);

    Node node;
    try {
      node = Node.start(config).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      log.error("Parley failed to start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    log.info("Parley {} listening on {}:{}", mode(config), config.http().host(), node.httpPort());

    Runnable shutdown =
        () -> {
          log.info("shutting down");
          int status = 0;
          try {
            node.stop().await(config.node().shutdownGraceMs() + 30_000, TimeUnit.MILLISECONDS);
          } catch (Exception e) {
            log.error("shutdown did not complete cleanly: {}", e.getMessage());
            status = 1;
          }
          System.exit(status);
        };
    Signal.handle(new Signal("TERM"), s -> new Thread(shutdown, "parley-shutdown").start());
    Signal.handle(new Signal("INT"), s -> new Thread(shutdown, "parley-shutdown").start());
  }

  private static String mode(ParleyConfig config) {
    return config.mode().name().toLowerCase(java.util.Locale.ROOT);
  }
}
