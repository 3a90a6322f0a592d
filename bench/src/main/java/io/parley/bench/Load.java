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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  private static final byte[] RESYNC = "event: resync".getBytes(StandardCharsets.US_ASCII);
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
      double harnessCpuS,
      long resumesInWindow,
      long failedResumesInWindow,
      long resyncsInWindow,
      List<Second> series,
      Map<String, Long> dbCommandsInWindow,
      long sendsDropped,
      long earlierRunFramesInWindow) {
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

    /** Repeated deliveries per resume in the measured window (churn only). */
    double repeatsPerResume() {
      return resumesInWindow == 0 ? 0 : (double) duplicates / resumesInWindow;
    }
  }

  /**
   * Second {@code t} of a run (from its first send): deliveries that arrived in it, latency of the
   * messages due in it, and the CPU the target used in it (% of one core; by kind of thread for JVM
   * servers).
   */
  record Second(
      int t,
      long sends,
      long arrivals,
      Histogram latencyUs,
      double cpuAllPct,
      double cpuServersPct,
      Map<String, Double> threadPct) {}

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
  private final List<Http> senders = new ArrayList<>();
  private final int sendConnections;
  /** Sends not answered yet (a backlog left by an overloaded target is cleared after each run). */
  private long inflight;
  /** Changes when a run starts and when its backlog is dropped: late answers are ignored. */
  private long generation;
  private final String acceptEncoding;
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

  /** Frames of an earlier run's messages: that run waited for all of them, so these are repeats. */
  private long staleFrames;
  private long sent;
  private long sendErrors;
  private int runs;
  private long failedResumes;
  private long resumes;
  private long resyncs;
  /** Run at the start and end of the next run's measured window (e.g. a profiler), then cleared. */
  Runnable beforeMeasure;
  Runnable afterMeasure;
  private long[] arrivalsPerSec = new long[0];
  private long[] sendsPerSec = new long[0];
  private Histogram[] latencyPerSec = new Histogram[0];

  /**
   * @param sendConnections the sends go round-robin over this many keep-alive connections (one per
   *     client, and per server of the target); 0: one pool of up to 128 connections that reuses
   *     whichever is free (the first harness's sender, for comparison)
   * @param acceptEncoding an Accept-Encoding header for every request, as browsers send; null: none
   */
  Load(Vertx vertx, int sendConnections, String acceptEncoding) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.acceptEncoding = acceptEncoding;
    this.sse =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setIdleTimeout(0),
            new PoolOptions().setHttp1MaxSize(100_000).setMaxWaitQueueSize(-1));
    this.sendConnections = sendConnections;
    newSenders();
  }

  private void newSenders() {
    senders.clear();
    if (sendConnections <= 0) {
      senders.add(new Http(vertx, 128));
    } else {
      for (int i = 0; i < sendConnections; i++) {
        senders.add(new Http(vertx, 1));
      }
    }
  }

  /**
   * Waits (at most {@code maxS}) for every send of the run to be answered; a target that fell
   * behind leaves requests queued on the send connections, and those would be sent during the next
   * run. Whatever is still queued then is dropped by closing the connections. Returns the number
   * dropped.
   */
  private long settleSends(double maxS) {
    long deadline = System.nanoTime() + (long) (maxS * 1e9);
    while (System.nanoTime() < deadline && onLoop(() -> inflight) > 0) {
      sleepMs(100);
    }
    long left = onLoop(() -> inflight);
    if (left > 0) {
      onLoop(
          () -> {
            for (Http h : senders) {
              h.client.close();
            }
            newSenders();
            inflight = 0;
            generation++;
            return null;
          });
      Bench.progress("  %d sends still queued after the run (the target fell behind): dropped", left);
    }
    return left;
  }

  private Http senderFor(long idx) {
    return senders.get((int) (idx % senders.size()));
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
    if (acceptEncoding != null) {
      o.putHeader("Accept-Encoding", acceptEncoding);
    }
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
      if (indexOf(b, RESYNC) >= 0) {
        resyncs++; // the server could not replay: the client would refetch over REST
      }
      return;
    }
    int t = p + MARK.length;
    int hash = indexOf(b, (byte) '#', t);
    if (hash < 0 || !tag.equals(new String(b, t, hash - t, StandardCharsets.US_ASCII))) {
      if (hash >= 0) {
        staleFrames++; // an earlier run's message again (a resume's replay)
      }
      return;
    }
    long idx = 0;
    for (int i = hash + 1; i < b.length && b[i] != '#'; i++) {
      idx = idx * 10 + (b[i] - '0');
    }
    long now = System.nanoTime();
    frames++;
    bytes += b.length + 2;
    if (idx >= measureTo || idx > Integer.MAX_VALUE) {
      return;
    }
    boolean repeat = s.got.get((int) idx);
    boolean measured = idx >= measureFrom;
    if (repeat) {
      if (measured) {
        dups++;
      }
      return;
    }
    s.got.set((int) idx);
    long us = Math.max(0, (now - (t0 + idx * intervalNs)) / 1000);
    int sec = (int) ((now - t0) / 1_000_000_000L);
    if (sec >= 0 && sec < arrivalsPerSec.length) {
      arrivalsPerSec[sec]++;
    }
    int due = (int) (idx * intervalNs / 1_000_000_000L);
    if (due >= 0 && due < latencyPerSec.length) {
      latencyPerSec[due].recordValue(Math.min(us, latencyPerSec[due].getHighestTrackableValue()));
    }
    if (measured) {
      unique++;
      hist.recordValue(Math.min(us, hist.getHighestTrackableValue()));
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

  /** What one run does. */
  record Spec(
      double rate,
      double warmupS,
      double measureS,
      double drainS,
      double churnPerS,
      boolean series) {}

  /**
   * Sends at {@code rate} messages/s round-robin over the fixture's conversations for warm-up plus
   * measurement, then waits (at most {@code drainS}) for the measured messages to arrive. With
   * {@code churnPerS} > 0, that many random streams per second are closed and reopened with
   * Last-Event-ID while the load runs. With {@code series}, the target's CPU is also sampled every
   * second (by kind of thread for JVM servers).
   */
  Result run(Target target, Target.Fixture f, Spec spec) {
    double rate = spec.rate();
    long total = (long) Math.ceil(rate * (spec.warmupS() + spec.measureS()));
    long from = (long) Math.ceil(rate * spec.warmupS());
    long expected = 0;
    for (long i = from; i < total; i++) {
      expected += f.streamsPerConv()[(int) (i % f.conversations())];
    }
    int seconds = (int) Math.ceil(spec.warmupS() + spec.measureS() + spec.drainS()) + 2;
    String runTag = Integer.toString(++runs, 36) + Long.toString(System.nanoTime() % 46656, 36);
    long start =
        onLoop(
            () -> {
              tag = runTag;
              generation++;
              inflight = 0;
              intervalNs = (long) (1e9 / rate);
              measureFrom = from;
              measureTo = total;
              hist = new Histogram(120_000_000L, 3);
              arrivalsPerSec = new long[seconds];
              sendsPerSec = new long[seconds];
              latencyPerSec = new Histogram[seconds];
              for (int i = 0; i < seconds; i++) {
                latencyPerSec[i] = new Histogram(120_000_000L, 2);
              }
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
                          int sec = (int) (idx * intervalNs / 1_000_000_000L);
                          if (sec < sendsPerSec.length) {
                            sendsPerSec[sec]++;
                          }
                          int conv = (int) (idx % f.conversations());
                          Req r = f.sender().request(conv, idx, "bench#" + tag + "#" + idx + "#" + PAD);
                          if (acceptEncoding != null) {
                            Map<String, String> h = new HashMap<>(r.headers());
                            h.put("Accept-Encoding", acceptEncoding);
                            r = new Req(r.port(), r.method(), r.uri(), h, r.body());
                          }
                          inflight++;
                          long myGeneration = generation;
                          senderFor(idx)
                              .call(r)
                              .onComplete(
                                  ar -> {
                                    if (myGeneration != generation) {
                                      return; // an earlier run's send, answered (or dropped) late
                                    }
                                    inflight--;
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
              if (spec.churnPerS() > 0) {
                vertx.setPeriodic(
                    Math.max(1, (long) (1000 / spec.churnPerS())),
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
    CpuSampler sampler = spec.series() ? new CpuSampler(target, start, seconds) : null;
    sleepUntil(start + (long) (spec.warmupS() * 1e9));
    double cpu0 = target.cpuSeconds();
    double node0 = target.nodeCpuSeconds();
    double self0 = Proc.cpuSecondsOf(ProcessHandle.current().pid());
    long wall0 = System.nanoTime();
    long[] c0 =
        onLoop(() -> new long[] {frames, bytes, sent, resumes, failedResumes, resyncs, staleFrames});
    Map<String, Long> db0 = target.dbCommands();
    if (beforeMeasure != null) {
      beforeMeasure.run();
    }
    sleepUntil(start + (long) ((spec.warmupS() + spec.measureS()) * 1e9));
    long[] c1m = onLoop(() -> new long[] {resumes, failedResumes, resyncs, staleFrames});
    Map<String, Long> db1 = target.dbCommands();
    Map<String, Long> dbWindow = new java.util.TreeMap<>();
    db1.forEach((k, v) -> {
      long d = v - db0.getOrDefault(k, 0L);
      if (d > 0) {
        dbWindow.put(k, d);
      }
    });
    if (afterMeasure != null) {
      afterMeasure.run();
    }
    beforeMeasure = afterMeasure = null;
    long deadline = System.nanoTime() + (long) (spec.drainS() * 1e9);
    long exp = expected;
    while (System.nanoTime() < deadline && onLoop(() -> unique < exp || sent < total)) {
      sleepMs(50);
    }
    double cpu1 = target.cpuSeconds();
    double node1 = target.nodeCpuSeconds();
    double self1 = Proc.cpuSecondsOf(ProcessHandle.current().pid());
    long wall1 = System.nanoTime();
    long[] c1 = onLoop(() -> new long[] {frames, bytes, sent, unique, dups, sendErrors});
    List<Second> series = List.of();
    if (sampler != null) {
      int upTo = (int) Math.min(seconds, Math.ceil((wall1 - start) / 1e9));
      series = sampler.finish(upTo);
    }
    long dropped = settleSends(15);
    if (spec.churnPerS() > 0) {
      reopenClosed();
    }
    return new Result(
        rate,
        c1[2],
        c1[5],
        expected,
        c1[3],
        c1[4],
        spec.measureS(),
        onLoop(() -> hist.copy()),
        cpu1 - cpu0,
        node1 - node0,
        (wall1 - wall0) / 1e9,
        c1[0] - c0[0],
        c1[2] - c0[2],
        c1[1] - c0[1],
        self1 - self0,
        c1m[0] - c0[3],
        c1m[1] - c0[4],
        c1m[2] - c0[5],
        series,
        dbWindow,
        dropped,
        c1m[3] - c0[6]);
  }

  /** Samples a target's CPU once a second of a run (on its own thread, off the event loop). */
  private final class CpuSampler {
    private final Target target;
    private final long start;
    private final double[] all;
    private final double[] servers;
    private final List<Map<String, Double>> threads = new ArrayList<>();
    private final Thread thread;
    private volatile boolean done;

    CpuSampler(Target target, long start, int seconds) {
      this.target = target;
      this.start = start;
      this.all = new double[seconds + 1];
      this.servers = new double[seconds + 1];
      all[0] = target.cpuSeconds();
      servers[0] = target.nodeCpuSeconds();
      threads.add(target.serverThreadCpuSeconds());
      thread =
          new Thread(
              () -> {
                for (int k = 1; k <= seconds && !done; k++) {
                  sleepUntil(start + k * 1_000_000_000L);
                  all[k] = target.cpuSeconds();
                  servers[k] = target.nodeCpuSeconds();
                  threads.add(target.serverThreadCpuSeconds());
                }
              },
              "cpu-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    List<Second> finish(int upTo) {
      sleepUntil(start + upTo * 1_000_000_000L + 50_000_000L);
      done = true;
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<Second> out = new ArrayList<>();
      long[] arr = onLoop(() -> arrivalsPerSec.clone());
      long[] snd = onLoop(() -> sendsPerSec.clone());
      Histogram[] lat = onLoop(() -> latencyPerSec);
      int n = Math.min(upTo, threads.size() - 1);
      for (int k = 0; k < n; k++) {
        Map<String, Double> pct = new java.util.TreeMap<>();
        Map<String, Double> a = threads.get(k);
        Map<String, Double> b = threads.get(k + 1);
        b.forEach((g, v) -> pct.put(g, 100 * (v - a.getOrDefault(g, 0.0))));
        out.add(
            new Second(
                k, snd[k], arr[k], lat[k], 100 * (all[k + 1] - all[k]),
                100 * (servers[k + 1] - servers[k]), pct));
      }
      return out;
    }
  }

  private void churnOne() {
    List<Stream> open = streams.stream().filter(s -> s.open).toList();
    if (open.isEmpty()) {
      return;
    }
    Stream s = open.get(ThreadLocalRandom.current().nextInt(open.size()));
    s.open = false;
    s.request.reset();
    resumes++;
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
