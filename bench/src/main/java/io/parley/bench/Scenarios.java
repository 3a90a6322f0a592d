package io.parley.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The scenarios of docs/benchmarks/README.md, each alternating its targets round by round. */
final class Scenarios {
  /** Fan-out sweep: offered deliveries/s, about ×1.6 per step. */
  private static final int[] SWEEP = {
    250, 400, 640, 1000, 1600, 2500, 4000, 6400, 10_000, 16_000, 25_000, 40_000, 64_000, 100_000,
    160_000
  };

  private final Bench.Opts o;
  private final Load load;
  private final Results results;
  private final Map<String, Target.Fixture> fixtures = new HashMap<>();

  Scenarios(Bench.Opts o, Load load, Results results) {
    this.o = o;
    this.load = load;
    this.results = results;
  }

  private Target.Fixture fixture(Target t, int convs, int members, int streamsPerMember, int pool)
      throws Exception {
    String key = t.name + "/" + convs + "/" + members + "/" + streamsPerMember + "/" + pool;
    Target.Fixture f = fixtures.get(key);
    if (f == null) {
      Bench.progress("  %s: setting up %d conversations × %d members", t.name, convs, members);
      f = t.fixture(convs, members, streamsPerMember, pool);
      fixtures.put(key, f);
    }
    return f;
  }

  private Target.Fixture openFixture(Target t, int convs, int members, int spm, int pool)
      throws Exception {
    Target.Fixture f = fixture(t, convs, members, spm, pool);
    load.open(f.subs());
    return f;
  }

  /** Round r visits the targets in rotated order, so no target always runs first. */
  private static List<Target> order(List<Target> targets, int round) {
    List<Target> l = new ArrayList<>(targets);
    Collections.rotate(l, -round);
    return l;
  }

  private Load.Result run(
      String scenario, Target t, Target.Fixture f, JsonObject params, int round, double rate,
      double warmup, double measure, double churn) {
    t.checkAlive();
    Load.Result r = load.run(t, f, rate, warmup, measure, churn > 0 ? 15 : 8, churn);
    results.add(scenario, t, params, round, r);
    Bench.progress(
        "  %-15s %-34s %7.0f deliv/s  p50 %7.1f  p99 %7.1f  p99.9 %7.1f ms  lost %d  dup %d  "
            + "server %5.1f µs/deliv (nodes %5.1f; %3.0f%% core)  harness %3.0f%%",
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

  /** Compiles the hot paths of every target before anything is measured. */
  void jitWarmup(List<Target> targets) throws Exception {
    for (Target t : targets) {
      // Parley's send path (web, schema, Mongo driver, Hazelcast) takes minutes of C2 to settle;
      // the small servers are compiled within seconds
      double secs = t instanceof ParleyTarget ? o.jitWarmup : Math.min(o.jitWarmup, 30);
      Bench.progress("JIT warm-up %s (%.0f s)", t.name, secs);
      Target.Fixture f = openFixture(t, 20, 10, 1, 200);
      load.run(t, f, 200, secs, 1, 5, 0);
      load.closeAll();
    }
  }

  /** 1: send→delivery latency at fixed offered loads, 20 conversations × 10 members. */
  void latency(List<Target> targets) throws Exception {
    Bench.progress("Scenario latency: 20 conversations × 10 members, rates %s msgs/s, %d rounds",
        java.util.Arrays.toString(o.rates), o.rounds);
    for (int round = 0; round < o.rounds; round++) {
      for (Target t : order(targets, round)) {
        Target.Fixture f = openFixture(t, 20, 10, 1, 200);
        for (double rate : o.rates) {
          JsonObject params =
              new JsonObject().put("conversations", 20).put("members", 10).put("rate", rate);
          run("latency", t, f, params, round, rate, o.warmup, o.measure, 0);
        }
        load.closeAll();
      }
    }
  }

  /** 2 and 5: highest sustained deliveries/s per conversation size, against the ceiling. */
  void fanout(List<Target> targets) throws Exception {
    Bench.progress("Scenario fanout: 1 conversation, subscribers %s",
        java.util.Arrays.toString(o.fanoutSizes));
    double warm = o.quick ? 2 : 3;
    double meas = o.quick ? 3 : 5;
    for (int n : o.fanoutSizes) {
      for (Target t : targets) {
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
          Load.Result r = run("fanout", t, f, params, 0, rate, warm, meas, 0);
          boolean ok =
              r.ms(99) <= 100 && r.lost() <= r.expected() / 100 && r.sendErrors() == 0;
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
  }

  /** 3: memory per idle stream, slope between two connection counts. */
  void memory(List<Target> targets) throws Exception {
    Bench.progress("Scenario memory: idle streams %s", java.util.Arrays.toString(o.memoryLevels));
    for (Target t : targets) {
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
  }

  /** 4a: CPU per delivery as the number of conversations grows (2 members each, 200 users). */
  void growth(List<Target> targets) throws Exception {
    Bench.progress("Scenario growth: conversations %s, 2 members each, 200 users, 200 msgs/s",
        java.util.Arrays.toString(o.growthConvs));
    for (int c : o.growthConvs) {
      for (Target t : targets) {
        Target.Fixture f = openFixture(t, c, 2, 1, 200);
        JsonObject params = new JsonObject().put("conversations", c).put("rate", 200);
        run("growth", t, f, params, 0, 200, o.warmup, o.measure, 0);
        load.closeAll();
      }
    }
  }

  /** 4b: CPU per delivery and gaps while streams reconnect with Last-Event-ID. */
  void churn(List<Target> targets) throws Exception {
    Bench.progress("Scenario churn: 20 × 10, 200 msgs/s, reconnects/s %s",
        java.util.Arrays.toString(o.churn));
    for (Target t : targets) {
      Target.Fixture f = openFixture(t, 20, 10, 1, 200);
      for (double ch : o.churn) {
        JsonObject params = new JsonObject().put("reconnectsPerS", ch).put("rate", 200);
        long before = load.failedResumes();
        run("churn", t, f, params, 0, 200, o.warmup, o.measure, ch);
        long failed = load.failedResumes() - before;
        results.runs.get(results.runs.size() - 1).put("failedResumes", failed);
        if (failed > 0) {
          Bench.progress("  %s: %d resumes refused while churning (reopened afterwards)", t.name, failed);
        }
      }
      load.closeAll();
    }
  }
}
