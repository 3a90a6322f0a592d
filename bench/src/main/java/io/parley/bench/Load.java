package io.parley.bench;

import io.parley.bench.Http.Req;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;

/**
 * The load: SSE subscribers and open-loop senders in this process, on one event loop, so that send
 * and receive timestamps come from one clock. Latency is measured from each message's intended
 * send time (t0 + idx / rate), so a server that stalls is charged for the whole stall.
 */
final class Load {
  private static final byte[] MARK = "bench#".getBytes(StandardCharsets.US_ASCII);
  private static final String PAD =
      " the quick brown fox jumps over the lazy dog, again and again and again";

  /** One measured run. */
  record Result(
      double offeredMsgsPerS,
      long sends,
      long sendErrors,
      long expected,
      long unique,
      long duplicates,
      double seconds,
      Histogram latencyUs,
      double serverCpuS,
      double nodeCpuS,
      double wallS,
      long deliveriesInWindow,
      long sendsInWindow,
      long bytesInWindow,
      double harnessCpuS) {
    long lost() {
      return expected - unique;
    }

    double cpuUsPerDelivery() {
      return serverCpuS * 1e6 / Math.max(1, deliveriesInWindow);
    }

    double nodeCpuUsPerDelivery() {
      return nodeCpuS * 1e6 / Math.max(1, deliveriesInWindow);
    }

    double cpuUsPerSend() {
      return serverCpuS * 1e6 / Math.max(1, sendsInWindow);
    }

    double deliveriesPerCpuS() {
      return deliveriesInWindow / Math.max(1e-9, serverCpuS);
    }

    double harnessCpuPct() {
      return 100 * harnessCpuS / wallS;
    }

    double serverCpuPct() {
      return 100 * serverCpuS / wallS;
    }

    double bytesPerDelivery() {
      return (double) bytesInWindow / Math.max(1, deliveriesInWindow);
    }

    double deliveriesPerS() {
      return unique / seconds;
    }

    double ms(double pct) {
      return latencyUs.getValueAtPercentile(pct) / 1000.0;
    }
  }

  /** One open SSE stream (re-opened in place by churn). */
  private final class Stream {
    final Target.Sub sub;
    HttpClientRequest request;
    String lastId;
    BitSet got = new BitSet();
    boolean open;

    Stream(Target.Sub sub) {
      this.sub = sub;
    }
  }

  private final Vertx vertx;
  private final Context ctx;
  private final HttpClient sse;
  private final Http sender;
  private final List<Stream> streams = new ArrayList<>();

  // run state: touched on the event loop only
  private String tag = "";
  private long t0;
  private long intervalNs;
  private long measureFrom;
  private long measureTo;
  private Histogram hist;
  private long frames;
  private long bytes;
  private long unique;
  private long dups;
  private long sent;
  private long sendErrors;
  private int runs;
  private long failedResumes;

  Load(Vertx vertx) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.sse =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setIdleTimeout(0),
            new PoolOptions().setHttp1MaxSize(100_000).setMaxWaitQueueSize(-1));
    this.sender = new Http(vertx, 128);
  }

  private <T> T onLoop(Callable<T> c) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(
        v -> {
          try {
            p.complete(c.call());
          } catch (Exception e) {
            p.fail(e);
          }
        });
    return p.future().await();
  }

  /** Opens the streams (256 at a time) and waits until every one answered 200. */
  void open(List<Target.Sub> subs) {
    List<Stream> fresh = new ArrayList<>();
    for (Target.Sub s : subs) {
      fresh.add(new Stream(s));
    }
    for (int i = 0; i < fresh.size(); i += 256) {
      List<Stream> batch = fresh.subList(i, Math.min(fresh.size(), i + 256));
      List<Future<Void>> fs = onLoop(() -> batch.stream().map(this::connect).toList());
      Future.all(fs).await();
      if ((i / 256) % 20 == 19) {
        Bench.progress("  %d/%d streams open", i + batch.size(), fresh.size());
      }
    }
    onLoop(() -> streams.addAll(fresh));
  }

  private Future<Void> connect(Stream s) {
    RequestOptions o =
        new RequestOptions()
            .setHost("127.0.0.1")
            .setPort(s.sub.port())
            .setMethod(HttpMethod.GET)
            .setURI(s.sub.uri())
            .putHeader("Accept", "text/event-stream");
    s.sub.headers().forEach(o::putHeader);
    if (s.lastId != null) {
      o.putHeader("Last-Event-ID", s.lastId);
    }
    return sse.request(o)
        .compose(
            req -> {
              s.request = req;
              Future<Void> head =
                  req.response()
                      .compose(
                          res -> {
                            if (res.statusCode() != 200) {
                              return Future.failedFuture(
                                  "stream " + s.sub.uri() + " answered " + res.statusCode());
                            }
                            s.open = true;
                            RecordParser parser =
                                RecordParser.newDelimited("\n\n", frame -> onFrame(s, frame));
                            res.handler(parser);
                            // a reset connection's late callbacks must not mark its successor
                            res.endHandler(v -> s.open = s.open && s.request != req);
                            res.exceptionHandler(e -> s.open = s.open && s.request != req);
                            return Future.succeededFuture();
                          });
              req.end();
              return head;
            });
  }

  private void onFrame(Stream s, Buffer frame) {
    byte[] b = frame.getBytes();
    if (b.length > 4 && b[0] == 'i' && b[1] == 'd' && b[2] == ':') {
      int nl = indexOf(b, (byte) '\n', 0);
      s.lastId = new String(b, 4, (nl < 0 ? b.length : nl) - 4, StandardCharsets.US_ASCII).trim();
    }
    int p = indexOf(b, MARK);
    if (p < 0) {
      return;
    }
    int t = p + MARK.length;
    int hash = indexOf(b, (byte) '#', t);
    if (hash < 0 || !tag.equals(new String(b, t, hash - t, StandardCharsets.US_ASCII))) {
      return; // a late frame of an earlier run
    }
    long idx = 0;
    for (int i = hash + 1; i < b.length && b[i] != '#'; i++) {
      idx = idx * 10 + (b[i] - '0');
    }
    long now = System.nanoTime();
    frames++;
    bytes += b.length + 2;
    if (idx >= measureFrom && idx < measureTo) {
      int bit = (int) (idx - measureFrom);
      if (s.got.get(bit)) {
        dups++;
      } else {
        s.got.set(bit);
        unique++;
        long us = Math.max(0, (now - (t0 + idx * intervalNs)) / 1000);
        hist.recordValue(Math.min(us, hist.getHighestTrackableValue()));
      }
    }
  }

  /** The marker at the start of a text ("bench#run#idx#") doubles as its unique clientId. */
  static String clientId(String text) {
    return text.substring(0, text.indexOf(' '));
  }

  private static int indexOf(byte[] b, byte c, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] b, byte[] m) {
    outer:
    for (int i = 0; i <= b.length - m.length; i++) {
      for (int j = 0; j < m.length; j++) {
        if (b[i + j] != m[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Sends at {@code rate} messages/s round-robin over the fixture's conversations for warm-up plus
   * measurement, then waits (at most {@code drainS}) for the measured messages to arrive. With
   * {@code churnPerS} > 0, that many random streams per second are closed and reopened with
   * Last-Event-ID while the load runs.
   */
  Result run(
      Target target,
      Target.Fixture f,
      double rate,
      double warmupS,
      double measureS,
      double drainS,
      double churnPerS) {
    long total = (long) Math.ceil(rate * (warmupS + measureS));
    long from = (long) Math.ceil(rate * warmupS);
    long expected = 0;
    for (long i = from; i < total; i++) {
      expected += f.streamsPerConv()[(int) (i % f.conversations())];
    }
    String runTag = Integer.toString(++runs, 36) + Long.toString(System.nanoTime() % 46656, 36);
    long start =
        onLoop(
            () -> {
              tag = runTag;
              intervalNs = (long) (1e9 / rate);
              measureFrom = from;
              measureTo = total;
              hist = new Histogram(120_000_000L, 3);
              frames = bytes = unique = dups = sent = sendErrors = 0;
              for (Stream s : streams) {
                s.got = new BitSet();
              }
              t0 = System.nanoTime() + 5_000_000;
              long[] timer = new long[1];
              timer[0] =
                  vertx.setPeriodic(
                      1,
                      id -> {
                        long due = Math.min(total, (System.nanoTime() - t0) / intervalNs + 1);
                        while (sent < due) {
                          long idx = sent++;
                          int conv = (int) (idx % f.conversations());
                          Req r = f.sender().request(conv, idx, "bench#" + tag + "#" + idx + "#" + PAD);
                          sender
                              .call(r)
                              .onComplete(
                                  ar -> {
                                    if (ar.failed() || ar.result().status() / 100 != 2) {
                                      if (sendErrors++ == 0) {
                                        Bench.progress(
                                            "  first send error: %s",
                                            ar.failed()
                                                ? ar.cause().toString()
                                                : ar.result().status() + " " + ar.result().body());
                                      }
                                    }
                                  });
                        }
                        if (sent >= total) {
                          vertx.cancelTimer(timer[0]);
                        }
                      });
              if (churnPerS > 0) {
                long churnTimer =
                    vertx.setPeriodic(
                        Math.max(1, (long) (1000 / churnPerS)),
                        id -> {
                          if (sent >= total) {
                            vertx.cancelTimer(id);
                            return;
                          }
                          churnOne();
                        });
              }
              return t0;
            });
    sleepUntil(start + (long) (warmupS * 1e9));
    double cpu0 = target.cpuSeconds();
    double node0 = target.nodeCpuSeconds();
    double self0 = Proc.cpuSecondsOf(ProcessHandle.current().pid());
    long wall0 = System.nanoTime();
    long[] c0 = onLoop(() -> new long[] {frames, bytes, sent});
    sleepUntil(start + (long) ((warmupS + measureS) * 1e9));
    long deadline = System.nanoTime() + (long) (drainS * 1e9);
    long exp = expected;
    while (System.nanoTime() < deadline && onLoop(() -> unique < exp || sent < total)) {
      sleepMs(50);
    }
    double cpu1 = target.cpuSeconds();
    double node1 = target.nodeCpuSeconds();
    double self1 = Proc.cpuSecondsOf(ProcessHandle.current().pid());
    long wall1 = System.nanoTime();
    long[] c1 = onLoop(() -> new long[] {frames, bytes, sent, unique, dups, sendErrors});
    if (churnPerS > 0) {
      reopenClosed();
    }
    return new Result(
        rate,
        c1[2],
        c1[5],
        expected,
        c1[3],
        c1[4],
        measureS,
        onLoop(() -> hist.copy()),
        cpu1 - cpu0,
        node1 - node0,
        (wall1 - wall0) / 1e9,
        c1[0] - c0[0],
        c1[2] - c0[2],
        c1[1] - c0[1],
        self1 - self0);
  }

  private void churnOne() {
    List<Stream> open = streams.stream().filter(s -> s.open).toList();
    if (open.isEmpty()) {
      return;
    }
    Stream s = open.get(ThreadLocalRandom.current().nextInt(open.size()));
    s.open = false;
    s.request.reset();
    connect(s).onFailure(e -> failedResumes++);
  }

  /** Reopens streams that churn left closed (a refused resume is retried, as a client would). */
  private void reopenClosed() {
    for (int attempt = 1; attempt <= 5; attempt++) {
      List<Future<Void>> fs =
          onLoop(() -> streams.stream().filter(s -> !s.open).map(this::connect).toList());
      try {
        Future.join(fs).await();
        return;
      } catch (Exception e) {
        Bench.progress("  reopening streams after churn, attempt %d: %s", attempt, e.getMessage());
        sleepMs(2000);
      }
    }
  }

  /** Resumes refused while churning (the stream stays closed until {@link #reopenClosed}). */
  long failedResumes() {
    return onLoop(() -> failedResumes);
  }

  /** Closes every stream and waits until the connections are gone. */
  void closeAll() {
    onLoop(
        () -> {
          for (Stream s : streams) {
            if (s.request != null) {
              s.request.reset();
            }
          }
          streams.clear();
          return null;
        });
    sleepMs(1000);
  }

  static void sleepUntil(long nanoTime) {
    long ms = (nanoTime - System.nanoTime()) / 1_000_000;
    if (ms > 0) {
      sleepMs(ms);
    }
  }

  static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
