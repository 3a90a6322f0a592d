package io.parley.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The scenarios of docs/benchmarks/README.md. Each target gets a session of its own: it is started
 * fresh, runs every selected scenario, and is stopped before the next target starts, so no idle
 * neighbour shares the server core with the target being measured.
 */
final class Scenarios {
  /** Fan-out sweep: offered deliveries/s, about ×1.6 per step. */
  private static final int[] SWEEP = {
    250, 400, 640, 1000, 1600, 2500, 4000, 6400, 10_000, 16_000, 25_000, 40_000, 64_000, 100_000,
    160_000
  };

  /** The 200 users of every layout: each has its own token and exactly one stream. */
  static final int USERS = 200;

  private final Bench.Opts o;
  private final Load load;
  private final Results results;
  private final Profiler profiler;

  Scenarios(Bench.Opts o, Load load, Results results, Profiler profiler) {
    this.o = o;
    this.load = load;
    this.results = results;
    this.profiler = profiler;
  }

  private Target.Fixture fixture(Target t, int convs, int members, int streamsPerMember, int pool)
      throws Exception {
    String key = convs + "/" + members + "/" + streamsPerMember + "/" + pool;
    Target.Fixture f = t.fixtures.get(key);
    if (f == null) {
      Bench.progress("  %s: setting up %d conversations × %d members", t.name, convs, members);
      f = t.fixture(convs, members, streamsPerMember, pool);
      t.fixtures.put(key, f);
    }
    return f;
  }

  private Target.Fixture openFixture(Target t, int convs, int members, int spm, int pool)
      throws Exception {
    Target.Fixture f = fixture(t, convs, members, spm, pool);
    load.open(f.subs());
    return f;
  }

  private Load.Result run(
      String scenario, Target t, Target.Fixture f, JsonObject params, int round, Load.Spec spec) {
    t.checkAlive();
    Load.Result r = load.run(t, f, spec);
    results.add(scenario, t, params, round, r);
    Bench.progress(
        "  %-15s %-50s %7.0f deliv/s  p50 %7.1f  p99 %7.1f  p99.9 %7.1f ms  lost %d  dup %d  "
            + "%6.1f µs/deliv (servers %6.1f; %3.0f%% core)  harness %3.0f%%",
        t.name,
        params.encode(),
        r.deliveriesPerS(),
        r.ms(50),
        r.ms(99),
        r.ms(99.9),
        r.lost(),
        r.duplicates(),
        r.cpuUsPerDelivery(),
        r.nodeCpuUsPerDelivery(),
        r.serverCpuPct(),
        r.harnessCpuPct());
    return r;
  }

  private Load.Spec steadySpec(double rate) {
    return new Load.Spec(rate, o.warmup, o.measure, 8, 0, false);
  }

  /** Every selected scenario on one target, started fresh; stopped at the end. */
  void session(Target t, int round) throws Exception {
    boolean cold = round == 0 && o.scenarios.contains("cold") && o.coldTargets.contains(t.name);
    if (cold) {
      coldStart(t);
    }
    boolean warmNeeded =
        o.scenarios.stream().anyMatch(s -> List.of("steady", "series", "idle", "storm", "fanout", "growth", "churn").contains(s));
    if (warmNeeded) {
      jitWarmup(t);
    }
    if (o.scenarios.contains("steady")) {
      steady(t, round);
    }
    if (o.scenarios.contains("series")) {
      series(t, round);
    }
    if (o.scenarios.contains("idle")) {
      idle(t, round);
    }
    if (o.scenarios.contains("storm") && t.resumes()) {
      storm(t, round, o.stormResumes);
    }
    if (o.scenarios.contains("churn") && t.resumes()) {
      for (double ch : o.churn) {
        storm(t, round, ch);
      }
    }
    if (round == 0 && o.scenarios.contains("fanout") && Bench.FANOUT_TARGETS.contains(t.name)) {
      fanout(t);
    }
    if (round == 0 && o.scenarios.contains("growth") && Bench.GROWTH_TARGETS.contains(t.name)) {
      growth(t);
    }
    if (round == 0 && o.scenarios.contains("memory") && Bench.MEMORY_TARGETS.contains(t.name)) {
      memory(t);
    }
  }

  /**
   * Compiles the hot paths before anything is measured: the highest rate first, so a JVM reaches
   * its C2-compiled send path (a few thousand sends leave it in profiled tier-3 code).
   */
  void jitWarmup(Target t) throws Exception {
    double rate = Arrays.stream(o.rates).max().orElse(200);
    // the servers that speak Parley's API (Parley, the Mongoose peer) get the whole warm-up; the small
    // baselines compile their few paths within seconds
    double secs = t instanceof ApiTarget ? o.jitWarmup : Math.min(o.jitWarmup, 30);
    Bench.progress("JIT warm-up %s: %.0f s at %.0f msgs/s", t.name, secs, rate);
    Target.Fixture f = openFixture(t, 20, 10, 1, USERS);
    load.run(t, f, new Load.Spec(rate, secs, 1, 5, 0, false));
    load.closeAll();
  }

  /**
   * (a) Warm steady state: 20 × 10 at every rate (highest first), optionally profiled once more,
   * then 100 conversations × 2 and 2 × 100 at the layout rates.
   */
  void steady(Target t, int round) throws Exception {
    Target.Fixture f = openFixture(t, 20, 10, 1, USERS);
    double[] rates = o.rates.clone();
    Arrays.sort(rates);
    for (int i = rates.length - 1; i >= 0; i--) {
      JsonObject params =
          new JsonObject().put("conversations", 20).put("members", 10).put("rate", rates[i]);
      run("steady", t, f, params, round, steadySpec(rates[i]));
    }
    boolean profiling = profiler != null && round == 0 && !t.javaServers().isEmpty();
    if (profiling && o.profileMembers == 10) {
      profile(t, f, 20, 10, o.profileRate);
    }
    load.closeAll();
    for (int members : o.members) {
      if (members == 10) {
        continue;
      }
      int convs = Math.max(1, USERS / members);
      Target.Fixture g = openFixture(t, convs, members, 1, USERS);
      for (double rate : o.layoutRates) {
        JsonObject params =
            new JsonObject().put("conversations", convs).put("members", members).put("rate", rate);
        run("steady", t, g, params, round, steadySpec(rate));
      }
      if (profiling && o.profileMembers == members) {
        profile(t, g, convs, members, o.profileRate);
      }
      load.closeAll();
    }
  }

  /**
   * (5) One more run of the layout ({@code --profile-members}: 20 × 10 unless told) at {@code rate}
   * with the profiler on the target's JVMs.
   */
  private void profile(Target t, Target.Fixture f, int convs, int members, double rate)
      throws Exception {
    List<Proc> procs = new ArrayList<>(t.javaServers());
    t.procs.stream().filter(p -> p.jvm && p.infra).forEach(procs::add);
    String label =
        members == 10
            ? String.format("%s-%.0f", t.name, rate)
            : String.format("%s-%.0f-x%d", t.name, rate, members);
    Profiler.Session[] s = new Profiler.Session[1];
    Exception[] failure = new Exception[1];
    load.beforeMeasure =
        () -> {
          try {
            s[0] = profiler.start(label, procs);
          } catch (Exception e) {
            failure[0] = e;
          }
        };
    load.afterMeasure =
        () -> {
          try {
            if (s[0] != null) {
              profiler.stop(s[0]);
            }
          } catch (Exception e) {
            failure[0] = e;
          }
        };
    JsonObject params =
        new JsonObject()
            .put("conversations", convs)
            .put("members", members)
            .put("rate", rate)
            .put("profiled", true);
    Load.Result r = run("profiled", t, f, params, 0, steadySpec(rate));
    if (failure[0] != null || s[0] == null) {
      Bench.progress("  profiling %s failed: %s", t.name, failure[0]);
      return;
    }
    JsonObject p = profiler.analyze(s[0], r.sendsInWindow());
    p.put("target", t.name).put("rate", rate);
    results.profiles.add(p);
    Bench.progress(
        "  profile %s: %.0f µs CPU per message on the servers, send path %.0f, fan-out %.0f (%s)",
        label,
        p.getDouble("serverCpuUsPerMessage"),
        p.getDouble("sendPathUsPerMessage"),
        p.getDouble("fanOutUsPerMessage"),
        p.getJsonArray("flameGraphs").encode());
  }

  /**
   * (b) Cold start: the conversations are set up, then the servers are restarted on the same
   * database (a deploy), streams reopened and 50 msgs/s sent for two minutes; CPU per delivery and
   * p99 in 10-second buckets.
   */
  void coldStart(Target t) throws Exception {
    fixture(t, 20, 10, 1, USERS);
    Bench.progress("Cold start %s: restarting its servers on the same database", t.name);
    t.restartServers();
    load.open(t.fixtures.get("20/10/1/" + USERS).subs());
    Target.Fixture f = t.fixtures.get("20/10/1/" + USERS);
    JsonObject params =
        new JsonObject().put("conversations", 20).put("members", 10).put("rate", o.coldRate).put("seconds", o.coldS);
    Load.Result r = run("cold", t, f, params, 0, new Load.Spec(o.coldRate, 0, o.coldS, 8, 0, true));
    List<Load.Second> s = r.series();
    for (int b = 0; b * o.coldBucketS < o.coldS; b++) {
      int from = (int) (b * o.coldBucketS);
      int to = (int) Math.min(o.coldS, (b + 1) * o.coldBucketS);
      double all = 0;
      double servers = 0;
      long deliveries = 0;
      Histogram h = new Histogram(120_000_000L, 2);
      for (Load.Second x : s) {
        if (x.t() >= from && x.t() < to) {
          all += x.cpuAllPct() / 100;
          servers += x.cpuServersPct() / 100;
          deliveries += x.arrivals();
          h.add(x.latencyUs());
        }
      }
      JsonObject row =
          new JsonObject()
              .put("target", t.name)
              .put("fromS", from)
              .put("toS", to)
              .put("deliveries", deliveries)
              .put("cpuAllUsPerDelivery", all * 1e6 / Math.max(1, deliveries))
              .put("cpuServersUsPerDelivery", servers * 1e6 / Math.max(1, deliveries))
              .put("cpuAllPct", 100 * all / (to - from))
              .put("p50Ms", h.getValueAtPercentile(50) / 1000.0)
              .put("p99Ms", h.getValueAtPercentile(99) / 1000.0);
      results.cold.add(row);
      Bench.progress(
          "    %s %3d–%3d s: %6.0f µs/deliv (servers %6.0f), p99 %6.1f ms",
          t.name, from, to, row.getDouble("cpuAllUsPerDelivery"), row.getDouble("cpuServersUsPerDelivery"),
          row.getDouble("p99Ms"));
    }
    load.closeAll();
  }

  /** (e) Server CPU every second at a constant rate: does it swing? */
  void series(Target t, int round) throws Exception {
    Target.Fixture f = openFixture(t, 20, 10, 1, USERS);
    JsonObject params =
        new JsonObject().put("conversations", 20).put("members", 10).put("rate", o.seriesRate).put("seconds", o.seriesS);
    Load.Result r = run("series", t, f, params, round, new Load.Spec(o.seriesRate, 5, o.seriesS, 8, 0, true));
    double[] v =
        r.series().stream().filter(x -> x.t() >= 5 && x.t() < 5 + o.seriesS).mapToDouble(Load.Second::cpuAllPct).sorted().toArray();
    for (Load.Second x : r.series()) {
      if (x.t() < 5 || x.t() >= 5 + o.seriesS) {
        continue;
      }
      results.series.add(
          new JsonObject()
              .put("target", t.name)
              .put("round", round)
              .put("t", x.t() - 5)
              .put("cpuAllPct", x.cpuAllPct())
              .put("cpuServersPct", x.cpuServersPct())
              .put("threads", new JsonObject(new java.util.LinkedHashMap<>(x.threadPct())))
              .put("deliveries", x.arrivals())
              .put("p99Ms", x.latencyUs().getValueAtPercentile(99) / 1000.0));
    }
    if (v.length > 0) {
      Bench.progress(
          "  %s: CPU per second at %.0f msgs/s (all processes): min %.0f %%, median %.0f %%, max %.0f %% of a core",
          t.name, o.seriesRate, v[0], v[v.length / 2], v[v.length - 1]);
    }
    load.closeAll();
  }

  /** (c) Idle: the 200 streams open, no traffic; CPU of every process over idleS seconds. */
  void idle(Target t, int round) throws Exception {
    openFixture(t, 20, 10, 1, USERS);
    Load.sleepMs(5000); // let the opening settle
    Map<Proc, Double> c0 = new java.util.HashMap<>();
    Map<Proc, Map<String, Double>> th0 = new java.util.HashMap<>();
    for (Proc p : t.procs) {
      c0.put(p, p.cpuSeconds());
      if (p.jvm) {
        th0.put(p, p.threadCpuSeconds());
      }
    }
    long w0 = System.nanoTime();
    Load.sleepMs((long) (o.idleS * 1000));
    double wall = (System.nanoTime() - w0) / 1e9;
    double total = 0;
    double servers = 0;
    io.vertx.core.json.JsonArray procs = new io.vertx.core.json.JsonArray();
    for (Proc p : t.procs) {
      double pct = 100 * (p.cpuSeconds() - c0.get(p)) / wall;
      total += pct;
      if (!p.infra) {
        servers += pct;
      }
      JsonObject pj = new JsonObject().put("process", p.name).put("infra", p.infra).put("cpuPct", pct);
      if (p.jvm) {
        Map<String, Double> a = th0.get(p);
        JsonObject th = new JsonObject();
        p.threadCpuSeconds().forEach((g, v) -> th.put(g, 100 * (v - a.getOrDefault(g, 0.0)) / wall));
        pj.put("threads", th);
      }
      procs.add(pj);
    }
    results.idle.add(
        new JsonObject()
            .put("target", t.name)
            .put("round", round)
            .put("streams", USERS)
            .put("seconds", wall)
            .put("totalPct", total)
            .put("serversPct", servers)
            .put("infraPct", total - servers)
            .put("processes", procs));
    Bench.progress(
        "  %s idle, %d streams, %.0f s: %.2f %% of a core (servers %.2f %%, database/Redis %.2f %%)",
        t.name, USERS, wall, total, servers, total - servers);
    load.closeAll();
  }

  /** (d) Reconnect storm: resumes/s with Last-Event-ID while 200 msgs/s flow. */
  void storm(Target t, int round, double resumesPerS) throws Exception {
    Target.Fixture f = openFixture(t, 20, 10, 1, USERS);
    JsonObject params =
        new JsonObject().put("conversations", 20).put("members", 10).put("rate", o.stormRate).put("resumesPerS", resumesPerS);
    Load.Result r =
        run("storm", t, f, params, round, new Load.Spec(o.stormRate, o.warmup, o.measure, 60, resumesPerS, false));
    JsonObject last = results.runs.get(results.runs.size() - 1);
    last.put("resumes", r.resumesInWindow())
        .put("failedResumes", r.failedResumesInWindow())
        .put("resyncs", r.resyncsInWindow())
        .put("repeatsPerResume", r.repeatsPerResume())
        .put("earlierRunRepeats", r.earlierRunFramesInWindow());
    Bench.progress(
        "  %s: %d resumes in the window (%d refused, %d answered with resync), %.1f repeats per resume,"
            + " %d repeats of earlier runs' messages",
        t.name, r.resumesInWindow(), r.failedResumesInWindow(), r.resyncsInWindow(), r.repeatsPerResume(),
        r.earlierRunFramesInWindow());
    load.closeAll();
  }

  /** Highest sustained deliveries/s per conversation size, against the ceiling. */
  void fanout(Target t) throws Exception {
    Bench.progress("Fan-out %s: 1 conversation, subscribers %s", t.name, Arrays.toString(o.fanoutSizes));
    double warm = o.quick ? 2 : 3;
    double meas = o.quick ? 3 : 5;
    for (int n : o.fanoutSizes) {
      Target.Fixture f = openFixture(t, 1, n, 1, n);
      double best = 0;
      String stop = "sweep ended";
      for (int d : SWEEP) {
        double rate = (double) d / n;
        if (rate < 5) {
          continue; // below 5 msgs/s a run holds too few messages to judge a p99
        }
        JsonObject params =
            new JsonObject().put("subscribers", n).put("offeredDeliveries", d).put("rate", rate);
        Load.Result r = run("fanout", t, f, params, 0, new Load.Spec(rate, warm, meas, 8, 0, false));
        boolean ok = r.ms(99) <= 100 && r.lost() <= r.expected() / 100 && r.sendErrors() == 0;
        if (!ok) {
          stop = String.format("p99 %.0f ms, lost %d, errors %d at %d/s", r.ms(99), r.lost(), r.sendErrors(), d);
          break;
        }
        best = r.deliveriesPerS();
        if (r.harnessCpuPct() > 90) {
          stop = "harness saturated (" + Math.round(r.harnessCpuPct()) + "% of its core)";
          break;
        }
      }
      results.fanoutMax(t, n, best, stop);
      Bench.progress("  → %s, %d subscribers: %.0f deliveries/s sustained (%s)", t.name, n, best, stop);
      load.closeAll();
    }
  }

  /** Memory per idle stream, slope between two connection counts. */
  void memory(Target t) throws Exception {
    Bench.progress("Memory %s: idle streams %s", t.name, Arrays.toString(o.memoryLevels));
    long[] base = t.memory();
    results.memory(t, 0, base);
    int open = 0;
    for (int level : o.memoryLevels) {
      load.open(t.idleSubs(level - open));
      open = level;
      Load.sleepMs(3000);
      long[] m = t.memory();
      results.memory(t, level, m);
      Bench.progress(
          "  %-15s %6d streams: heap %6.1f MB  direct %6.1f MB  rss %6.1f MB",
          t.name, level, m[0] / 1e6, m[1] / 1e6, m[2] / 1e6);
    }
    load.closeAll();
    Load.sleepMs(3000);
  }

  /** CPU per delivery as the number of conversations grows (2 members each, 200 users). */
  void growth(Target t) throws Exception {
    Bench.progress("Growth %s: conversations %s, 2 members each, 200 users, 200 msgs/s", t.name, Arrays.toString(o.growthConvs));
    for (int c : o.growthConvs) {
      Target.Fixture f = openFixture(t, c, 2, 1, USERS);
      JsonObject params = new JsonObject().put("conversations", c).put("rate", 200);
      run("growth", t, f, params, 0, steadySpec(200));
      load.closeAll();
    }
  }
}
