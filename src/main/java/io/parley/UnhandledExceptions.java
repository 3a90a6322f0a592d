package io.parley;

import io.vertx.core.Handler;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's handler for exceptions nothing else handled (Vert.x otherwise logs them as {@code
 * ERROR Unhandled exception}). Every such exception is still logged at ERROR with its stack, except
 * one that Vert.x 5.0.7 itself throws: when a clustered event-bus write to another member fails
 * (the member just died, or its connection is closing), {@code OutboundConnection} hands the
 * failure to the message's {@code OutboundDeliveryContext}, whose {@code tryFail} records it and
 * then always answers {@code false}, so {@code Promise.fail} throws {@code IllegalStateException:
 * Promise already completed}. The throw can skip the rest of that publish's members, or the other
 * writes queued on that connection; the hubs that miss events that way repair their open streams
 * from MongoDB (the membership change is a feed gap, and the periodic check finds the rest). That
 * case is logged at WARN, at most once a minute, with a count.
 */
final class UnhandledExceptions implements Handler<Throwable> {
  private static final Logger LOG = LoggerFactory.getLogger(UnhandledExceptions.class);
  private static final long QUIET_MS = 60_000;

  private final AtomicLong lastWarned = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  @Override
  public void handle(Throwable t) {
    if (!isVertxRethrownClusterWriteFailure(t)) {
      LOG.error("Unhandled exception", t);
      return;
    }
    long n = suppressed.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastWarned.get();
    if (now - last >= QUIET_MS && lastWarned.compareAndSet(last, now)) {
      suppressed.addAndGet(-n);
      LOG.warn(
          "{} event-bus write(s) to another member failed (member gone or connection closing;"
              + " Vert.x 5.0.7 rethrows them as 'Promise already completed'); open streams are"
              + " repaired from the database",
          n);
    }
  }

  /** Vert.x's own rethrow of a failed write to another member, and nothing else. */
  static boolean isVertxRethrownClusterWriteFailure(Throwable t) {
    if (!(t instanceof IllegalStateException)
        || !"Promise already completed".equals(t.getMessage())) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().equals("io.vertx.core.eventbus.impl.clustered.OutboundConnection")) {
        return true;
      }
    }
    return false;
  }
}
