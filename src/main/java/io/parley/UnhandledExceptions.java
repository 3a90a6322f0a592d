package io.parley;

import io.vertx.core.Handler;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's handler for exceptions nothing else handled (Vert.x otherwise logs them as {@code
 * ERROR Unhandled exception}). Every such exception is still logged at ERROR with its stack, except
 * one that Vert.x 5.0.7 itself throws and that changes nothing: a clustered {@code publish} to an
 * address with consumers on several members shares one write promise between the members ({@code
 * ClusteredEventBus.sendToNodes}: "Write promise might be completed several times"), and when the
 * write to a member that has just died fails after another member's write completed, {@code
 * OutboundConnection.writeMessage} completes it a second time and throws {@code
 * IllegalStateException: Promise already completed}. The publish had already gone to the live
 * members; the dead member's streams are gone with it. That case is logged at WARN, at most once a
 * minute with a count.
 */
final class UnhandledExceptions implements Handler<Throwable> {
  private static final Logger LOG = LoggerFactory.getLogger(UnhandledExceptions.class);
  private static final long QUIET_MS = 60_000;

  private final AtomicLong lastWarned = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  @Override
  public void handle(Throwable t) {
    if (!isClusteredPublishDoubleCompletion(t)) {
      LOG.error("Unhandled exception", t);
      return;
    }
    long n = suppressed.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastWarned.get();
    if (now - last >= QUIET_MS && lastWarned.compareAndSet(last, now)) {
      suppressed.addAndGet(-n);
      LOG.warn(
          "{} event-bus publish(es) to a member that just left failed after reaching the live"
              + " members (Vert.x completes the shared write promise twice; nothing is lost)",
          n);
    }
  }

  /** Vert.x's own double completion of a clustered publish's write promise, and nothing else. */
  static boolean isClusteredPublishDoubleCompletion(Throwable t) {
    if (!(t instanceof IllegalStateException)
        || !"Promise already completed".equals(t.getMessage())) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().equals("io.vertx.core.eventbus.impl.clustered.OutboundConnection")
          && e.getMethodName().equals("writeMessage")) {
        return true;
      }
    }
    return false;
  }
}
