package io.parley.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * What a request holds across asynchronous steps (a stream slot, a file, a subscription, a timer)
 * is released on every path: the answer sent, a failure, or the client gone before, during or after
 * any step.
 *
 * <p>Vert.x reports the end of a response once, to the handlers registered by then; a connection
 * reset can surface as an exception before the response counts as closed. So {@link #watch} is the
 * router's first handler, ahead of every asynchronous step (rate limits included): it registers one
 * end handler while the request is fresh and remembers that the request is done, for whatever
 * reason. A resource taken after an asynchronous step then goes through {@link #untilDone}, which
 * releases it at once when the request is already done, or when it becomes so.
 */
final class Held {
  private static final String KEY = "parley.held";

  private final List<Runnable> releases = new ArrayList<>(2);
  private boolean done;

  private Held() {}

  /** The router's first handler. */
  static Handler<RoutingContext> watch() {
    return rc -> {
      Held h = new Held();
      rc.put(KEY, h);
      rc.addEndHandler(ar -> h.finish());
      rc.next();
    };
  }

  private void finish() {
    List<Runnable> run;
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      run = List.copyOf(releases);
      releases.clear();
    }
    run.forEach(Runnable::run);
  }

  /** The client went away, or the answer is complete: take nothing more for this request. */
  static boolean gone(RoutingContext rc) {
    Held h = rc.get(KEY);
    if (h != null) {
      synchronized (h) {
        if (h.done) {
          return true;
        }
      }
    }
    return rc.response().closed() || rc.response().ended();
  }

  /**
   * Runs {@code release} once the request is done (answered, failed or abandoned); at once,
   * returning false, when it already is.
   */
  static boolean untilDone(RoutingContext rc, Runnable release) {
    Held h = rc.get(KEY);
    if (h == null) {
      throw new IllegalStateException("route " + rc.normalizedPath() + " is not watched by Held");
    }
    synchronized (h) {
      if (!h.done && !rc.response().closed() && !rc.response().ended()) {
        h.releases.add(release);
        return true;
      }
    }
    release.run();
    return false;
  }
}
