package io.parley.faults;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.util.concurrent.CountDownLatch;

/**
 * A MongoDB-wire server as its own process (mongo-java-server, H2 file backend) for the fault
 * scenarios: {@code java -cp target/parley.jar:target/test-classes
 * io.parley.faults.WireDatabaseMain <port> <file>}. SIGTERM closes the file cleanly, so a stop and
 * a start on the same port keep the data, as a real MongoDB restart does.
 */
public final class WireDatabaseMain {
  private WireDatabaseMain() {}

  public static void main(String[] args) throws InterruptedException {
    int port = Integer.parseInt(args[0]);
    MongoServer server = new MongoServer(new H2Backend(args[1]));
    server.bind("127.0.0.1", port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdown();
                  stopped.countDown();
                }));
    System.out.println("wire database listening on 127.0.0.1:" + port);
    stopped.await();
  }
}
