package io.parley.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/** Collects every run; writes results.json, README.md (tables and ratios) and the charts. */
final class Results {
  private static final double[] PCTS = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};
  static final String PEER = "node-mongoose-1";

  private final Bench.Opts o;
  private final JsonObject machine;
  final List<JsonObject> runs = new ArrayList<>();
  final List<JsonObject> fanout = new ArrayList<>();
  final List<JsonObject> memory = new ArrayList<>();
  final List<JsonObject> cold = new ArrayList<>();
  final List<JsonObject> idle = new ArrayList<>();
  final List<JsonObject> series = new ArrayList<>();
  final List<JsonObject> profiles = new ArrayList<>();
  final List<String> failures = new ArrayList<>();
  final Map<String, String> descriptions = new LinkedHashMap<>();
  private String started = Instant.now().toString();
  private String finished;

  Results(Bench.Opts o, JsonObject machine) {
    this.o = o;
    this.machine = machine;
  }

  void add(String scenario, Target t, JsonObject params, int round, Load.Result r) {
    descriptions.put(t.name, t.description);
    JsonArray curve = new JsonArray();
    Histogram h = r.latencyUs();
    for (double p : PCTS) {
      curve.add(Bench.arr(p, h.getValueAtPercentile(p) / 1000.0));
    }
    runs.add(
        new JsonObject()
            .put("scenario", scenario)
            .put("target", t.name)
            .put("round", round)
            .put("params", params)
            .put("offeredMsgsPerS", r.offeredMsgsPerS())
            .put("sends", r.sends())
            .put("sendErrors", r.sendErrors())
            .put("sendsDropped", r.sendsDropped())
            .put("expected", r.expected())
            .put("delivered", r.unique())
            .put("lost", r.lost())
            .put("duplicates", r.duplicates())
            .put("deliveriesPerS", r.deliveriesPerS())
            .put("p50Ms", r.ms(50))
            .put("p90Ms", r.ms(90))
            .put("p99Ms", r.ms(99))
            .put("p999Ms", r.ms(99.9))
            .put("maxMs", r.ms(100))
            .put("serverCpuPct", r.serverCpuPct())
            .put("serverCpuUsPerDelivery", r.cpuUsPerDelivery())
            .put("serverCpuUsPerSend", r.cpuUsPerSend())
            .put("nodeCpuUsPerDelivery", r.nodeCpuUsPerDelivery())
            .put("nodeCpuUsPerSend", r.nodeCpuS() * 1e6 / Math.max(1, r.sendsInWindow()))
            .put("deliveriesPerCpuS", r.deliveriesPerCpuS())
            .put("deliveriesPerServerCpuS", r.deliveriesInWindow() / Math.max(1e-9, r.nodeCpuS()))
            .put("harnessCpuPct", r.harnessCpuPct())
            .put("bytesPerDelivery", r.bytesPerDelivery())
            .put("dbCommandsPerMessage", dbPerMessage(r))
            .put("dbRoundTripsPerMessage", dbRoundTrips(r))
            .put("percentiles", curve));
  }

  /** Driver hand-shakes and monitors: round trips, but not the application's. */
  static final Set<String> DB_HOUSEKEEPING =
      Set.of("hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo", "endSessions", "getParameter", "serverStatus");

  private static JsonObject dbPerMessage(Load.Result r) {
    JsonObject o = new JsonObject();
    double sends = r.sendsInWindow();
    if (sends > 0 && r.dbCommandsInWindow() != null) {
      r.dbCommandsInWindow().forEach((k, v) -> o.put(k, v / sends));
    }
    return o;
  }

  /** Application commands (not monitors) per message sent in the window; null without counts. */
  private static Double dbRoundTrips(Load.Result r) {
    if (r.dbCommandsInWindow() == null || r.dbCommandsInWindow().isEmpty() || r.sendsInWindow() == 0) {
      return null;
    }
    long n = r.dbCommandsInWindow().entrySet().stream()
        .filter(e -> !DB_HOUSEKEEPING.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
    return (double) n / r.sendsInWindow();
  }

  void fanoutMax(Target t, int subscribers, double deliveriesPerS, String stop) {
    descriptions.put(t.name, t.description);
    fanout.add(
        new JsonObject()
            .put("target", t.name)
            .put("subscribers", subscribers)
            .put("maxDeliveriesPerS", deliveriesPerS)
            .put("stoppedBy", stop));
  }

  void memory(Target t, int streams, long[] m) {
    descriptions.put(t.name, t.description);
    memory.add(
        new JsonObject()
            .put("target", t.name)
            .put("streams", streams)
            .put("heapBytes", m[0])
            .put("directBytes", m[1])
            .put("rssBytes", m[2]));
  }

  // --- aggregation ---------------------------------------------------------------------------

  List<JsonObject> select(String scenario, String target, String key, double value) {
    return runs.stream()
        .filter(r -> r.getString("scenario").equals(scenario) && r.getString("target").equals(target))
        .filter(r -> key == null || r.getJsonObject("params").getDouble(key, Double.NaN) == value)
        .toList();
  }

  /** Steady-state runs of a target at one layout (members per conversation) and rate. */
  List<JsonObject> steady(String target, int members, double rate) {
    return runs.stream()
        .filter(r -> r.getString("scenario").equals("steady") && r.getString("target").equals(target))
        .filter(r -> r.getJsonObject("params").getInteger("members", 10) == members
            && r.getJsonObject("params").getDouble("rate") == rate)
        .toList();
  }

  static double median(List<Double> v) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  double medianOf(List<JsonObject> rows, String field) {
    return median(rows.stream().map(r -> r.getDouble(field)).toList());
  }

  Set<String> targets(String scenario) {
    Set<String> s = new LinkedHashSet<>();
    runs.stream().filter(r -> r.getString("scenario").equals(scenario)).forEach(r -> s.add(r.getString("target")));
    return s;
  }

  /** Per-round ratio a/b of a steady-state field (same layout, rate and round): median, min, max, n. */
  double[] ratio(String a, String b, int members, double rate, String field) {
    List<Double> rs = new ArrayList<>();
    for (JsonObject x : steady(a, members, rate)) {
      for (JsonObject y : steady(b, members, rate)) {
        if (x.getInteger("round").equals(y.getInteger("round"))) {
          rs.add(x.getDouble(field) / y.getDouble(field));
        }
      }
    }
    if (rs.isEmpty()) {
      return null;
    }
    return new double[] {
      median(rs), rs.stream().mapToDouble(d -> d).min().orElse(0), rs.stream().mapToDouble(d -> d).max().orElse(0), rs.size()
    };
  }

  List<Double> steadyRates(int members) {
    return runs.stream()
        .filter(r -> r.getString("scenario").equals("steady") && r.getJsonObject("params").getInteger("members", 10) == members)
        .map(r -> r.getJsonObject("params").getDouble("rate"))
        .distinct()
        .sorted()
        .toList();
  }

  List<Integer> steadyLayouts() {
    return runs.stream()
        .filter(r -> r.getString("scenario").equals("steady"))
        .map(r -> r.getJsonObject("params").getInteger("members", 10))
        .distinct()
        .sorted()
        .toList();
  }

  // --- output --------------------------------------------------------------------------------

  /** Re-reads a run's results.json (to redraw its report with this harness's tables). */
  static Results load(Path dir) throws Exception {
    JsonObject all = new JsonObject(Files.readString(dir.resolve("results.json")));
    JsonObject op = all.getJsonObject("options");
    Bench.Opts o = new Bench.Opts();
    o.out = dir;
    o.quick = op.getBoolean("quick", false);
    o.rounds = op.getInteger("rounds");
    o.rates = op.getJsonArray("rates").stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    o.warmup = op.getDouble("warmupS");
    o.measure = op.getDouble("measureS");
    o.jitWarmup = op.getDouble("jitWarmupS");
    o.serverCpus = op.getString("serverCpus");
    o.embeddedDb = op.getBoolean("embeddedDb", false);
    o.sendConnections = op.getInteger("sendConnections", 0);
    o.serverJvm = op.getString("serverJvm", "");
    o.baselineJvm = op.getString("baselineJvm", "");
    o.dbGc = DatabaseGc.named(op.getString("dbGc", DatabaseGc.G1.name));
    o.acceptEncoding = op.getString("acceptEncoding");
    Results r = new Results(o, all.getJsonObject("machine"));
    r.started = all.getString("started");
    r.finished = all.getString("finished");
    all.getJsonObject("targets").forEach(e -> r.descriptions.put(e.getKey(), (String) e.getValue()));
    all.getJsonArray("runs").forEach(x -> r.runs.add(upgrade((JsonObject) x)));
    all.getJsonArray("fanout", new JsonArray()).forEach(x -> r.fanout.add((JsonObject) x));
    all.getJsonArray("memory", new JsonArray()).forEach(x -> r.memory.add((JsonObject) x));
    all.getJsonArray("cold", new JsonArray()).forEach(x -> r.cold.add((JsonObject) x));
    all.getJsonArray("idle", new JsonArray()).forEach(x -> r.idle.add((JsonObject) x));
    all.getJsonArray("series", new JsonArray()).forEach(x -> r.series.add((JsonObject) x));
    for (Object x : all.getJsonArray("profiles", new JsonArray())) {
      // re-grouped with the current stage rules when the collapsed stacks are still there
      r.profiles.add(Profiler.regroup((JsonObject) x, dir));
    }
    all.getJsonArray("failures", new JsonArray()).forEach(x -> r.failures.add((String) x));
    return r;
  }

  /** A run of the first harness ("latency", 20 × 10) reads as a steady-state run. */
  private static JsonObject upgrade(JsonObject run) {
    if (run.getString("scenario").equals("latency")) {
      run.put("scenario", "steady");
    }
    return run;
  }

  /** README.md, charts and profile breakdowns only (results.json stays as it is). */
  void writeReport() throws Exception {
    List<String> charts = Charts.draw(this, o.out);
    Files.writeString(o.out.resolve("README.md"), markdown(charts));
    for (JsonObject p : profiles) {
      Path dir = o.out.resolve("profiles");
      if (Files.isDirectory(dir)) {
        Files.writeString(dir.resolve(p.getString("label") + "-breakdown.md"), Profiler.markdownInProfiles(p));
      }
    }
  }

  void write() throws Exception {
    finished = Instant.now().toString();
    JsonObject all =
        new JsonObject()
            .put("started", started)
            .put("finished", finished)
            .put("machine", machine.put("loadavgAtEnd", Files.readString(Path.of("/proc/loadavg")).trim()))
            .put("options", options())
            .put("targets", new JsonObject(new LinkedHashMap<>(descriptions)))
            .put("runs", new JsonArray(runs))
            .put("cold", new JsonArray(cold))
            .put("idle", new JsonArray(idle))
            .put("series", new JsonArray(series))
            .put("profiles", new JsonArray(profiles))
            .put("fanout", new JsonArray(fanout))
            .put("memory", new JsonArray(memory))
            .put("failures", new JsonArray(failures));
    Files.writeString(o.out.resolve("results.json"), all.encodePrettily());
    List<String> charts = new ArrayList<>();
    try {
      charts = Charts.draw(this, o.out);
    } catch (Throwable e) {
      Bench.progress("charts failed: %s", e);
    }
    Files.writeString(o.out.resolve("README.md"), markdown(charts));
  }

  private JsonObject options() {
    return new JsonObject()
        .put("quick", o.quick)
        .put("rounds", o.rounds)
        .put("rates", Bench.arr(o.rates))
        .put("warmupS", o.warmup)
        .put("measureS", o.measure)
        .put("jitWarmupS", o.jitWarmup)
        .put("serverCpus", o.serverCpus)
        .put("embeddedDb", o.embeddedDb)
        .put("sendConnections", o.sendConnections)
        .put("acceptEncoding", o.acceptEncoding)
        .put("serverJvm", o.serverJvm)
        .put("baselineJvm", o.baselineJvm)
        .put("dbGc", o.dbGc.name)
        .put("coldS", o.coldS)
        .put("coldRate", o.coldRate)
        .put("seriesS", o.seriesS)
        .put("seriesRate", o.seriesRate)
        .put("idleS", o.idleS)
        .put("stormRate", o.stormRate)
        .put("stormResumes", o.stormResumes)
        .put("profile", o.profile)
        .put("profileRate", o.profileRate)
        .put("scenarios", new JsonArray(new ArrayList<>(o.scenarios)));
  }

  private static String f(String fmt, Object... a) {
    return String.format(Locale.ROOT, fmt, a);
  }

  private String markdown(List<String> charts) {
    StringBuilder md = new StringBuilder();
    md.append("# Parley benchmark results\n\n");
    md.append(f("Run %s → %s. Machine: %s, %s cpus, %s; %s; %s; %s. Load average at start `%s`, at end `%s` "
            + "(other work on the machine shows here: CPU figures are noisy when it is above ~1).%n%n",
        started, finished, machine.getString("cpuModel"), machine.getInteger("cpus"),
        machine.getString("memTotal"), machine.getString("java"), machine.getString("node"),
        machine.getString("redis"), machine.getString("loadavgAtStart"), machine.getString("loadavgAtEnd")));
    md.append(f("Servers pinned to cpu %s, the harness to cpu %s; one target on the server core at a time (each is "
            + "started fresh, measured and stopped). Rounds: %d; each steady run %.0f s warm-up + %.0f s measured, after a "
            + "JIT warm-up of %.0f s at the highest rate. Sends over %s; Java servers run with `%s`%s. %s%n%n",
        o.serverCpus, machine.getString("harnessAffinity"), o.rounds, o.warmup, o.measure, o.jitWarmup,
        o.sendConnections > 0 ? o.sendConnections + " keep-alive connections, round-robin" : "a pool of up to 128 connections (first harness)",
        o.serverJvm.isBlank() ? "(JVM defaults)" : o.serverJvm,
        o.acceptEncoding == null ? "" : "; every request sends `Accept-Encoding: " + o.acceptEncoding + "`",
        o.embeddedDb
            ? "Parley's persistence ran on its embedded development database (mongo-java-server, H2 "
                + "backend) inside the first node's process."
            : "Parley and the Mongoose peer store in the same database server: mongo-java-server with its in-memory backend in a "
                + "separate process on the server core (counted under *all processes*, not *servers only*), "
                + o.dbGc.description
                + "; its "
                + "indexes answer the queries MongoDB's would (Parley's `SecondaryIndex`; stock mongo-java-server "
                + "scans instead), but it is not MongoDB: database figures compare the two stacks, they do not "
                + "predict MongoDB's."));
    md.append("| target | what it is |\n|---|---|\n");
    descriptions.forEach(
        (k, v) ->
            md.append(
                f("| `%s` | %s%s |%n", k, v,
                    k.startsWith("parley-base")
                        ? o.baselineJvm.isBlank()
                            ? ", from the `--baseline-jar` build (Parley before this change)"
                            : ", from the `--baseline-jar` build, with the extra JVM flags `" + o.baselineJvm + "`"
                        : "")));
    md.append('\n');
    if (!failures.isEmpty()) {
      md.append("**Failures:**\n\n");
      failures.forEach(x -> md.append("- ").append(x).append('\n'));
      md.append('\n');
    }
    goals(md);
    steadyTables(md);
    nodesTable(md);
    layoutTable(md);
    coldTable(md);
    seriesTable(md);
    idleTable(md);
    stormTable(md);
    profileSection(md);
    fanoutTable(md);
    growthTable(md, "growth", "conversations", "Cost growth: conversations (2 members each, 200 users, 200 msgs/s)");
    memoryTable(md);
    if (!charts.isEmpty()) {
      md.append("## Charts\n\n");
      charts.forEach(c -> md.append(f("![%s](%s)%n%n", c, c)));
    }
    return md.toString();
  }

  private String ratioCell(double[] r) {
    if (r == null) {
      return "–";
    }
    return r[3] > 1 ? f("%.2f [%.2f–%.2f]", r[0], r[1], r[2]) : f("%.2f", r[0]);
  }

  /** Issue 17's goals, each as the ratio or figure this run measured. */
  private void goals(StringBuilder md) {
    StringBuilder g = new StringBuilder();
    for (int members : new int[] {2, 10, 100}) {
      for (double rate : new double[] {50, 200}) {
        double[] r = ratio("parley-1", PEER, members, rate, "deliveriesPerCpuS");
        if (r != null) {
          g.append(f("| 1 | `parley-1` / `%s` deliveries per CPU-s, all processes, %d members, %.0f msgs/s | ≥ 2 | **%s** |%n",
              PEER, members, rate, ratioCell(r)));
        }
      }
    }
    List<JsonObject> p200 = steady("parley-1", 10, 200);
    if (!p200.isEmpty()) {
      g.append(f("| 1 | `parley-1` p99 at 200 msgs/s × 10 | ≤ 20 ms | **%.1f ms** |%n", medianOf(p200, "p99Ms")));
    }
    double worst = Double.MAX_VALUE;
    for (JsonObject b : cold) {
      if (b.getString("target").equals("parley-1")) {
        JsonObject peer = coldBucket(PEER, b.getInteger("fromS"));
        if (peer != null) {
          worst = Math.min(worst, peer.getDouble("cpuAllUsPerDelivery") / b.getDouble("cpuAllUsPerDelivery"));
        }
      }
    }
    if (worst != Double.MAX_VALUE) {
      g.append(f("| 1 | cold start: lowest `parley-1` / `%s` deliveries per CPU-s over the 10-s buckets of the first %.0f s at %.0f msgs/s | ≥ 1 | **%.2f** |%n",
          PEER, o.coldS, o.coldRate, worst));
    }
    for (double rate : steadyRates(10)) {
      double[] r = ratio("parley-1", "bare", 10, rate, "nodeCpuUsPerDelivery");
      if (r != null) {
        g.append(f("| 2 | `parley-1` / `bare` servers' CPU per delivery, 10 members, %.0f msgs/s | ≤ 2 | **%s** |%n", rate, ratioCell(r)));
      }
    }
    for (JsonObject p : profiles) {
      if (p.getString("target").equals("parley-1")) {
        g.append(f("| 2 | `parley-1` send path (all but fan-out, JIT, GC) per message, profiled at %.0f msgs/s | ≤ 300 µs | **%.0f µs** (%.0f with GC) |%n",
            p.getDouble("rate"), p.getDouble("sendPathUsPerMessage"), p.getDouble("sendPathWithGcUsPerMessage")));
      }
    }
    for (double rate : steadyRates(10)) {
      double[] r = ratio("parley-2", "parley-1", 10, rate, "serverCpuUsPerDelivery");
      if (r != null) {
        g.append(f("| 3 | `parley-2` / `parley-1` CPU per delivery, all processes, 10 members, %.0f msgs/s | ≤ 1.3 | **%s** |%n", rate, ratioCell(r)));
      }
    }
    List<JsonObject> p2 = steady("parley-2", 10, 100);
    if (!p2.isEmpty()) {
      g.append(f("| 3 | `parley-2` p99 at 100 msgs/s × 10 | ≤ 20 ms | **%.1f ms** |%n", medianOf(p2, "p99Ms")));
    }
    for (JsonObject i : idle) {
      if (i.getString("target").startsWith("parley")) {
        g.append(f("| 6 | `%s` idle with %d streams: node(s) + database, %% of a core | ≤ 1 %% | **%.2f %%** |%n",
            i.getString("target"), i.getInteger("streams"), i.getDouble("totalPct")));
      }
    }
    for (JsonObject r : runs) {
      if (r.getString("scenario").equals("storm") && r.getJsonObject("params").getDouble("resumesPerS") == o.stormResumes) {
        g.append(f("| 7 | `%s` reconnect storm, %.0f resumes/s at %.0f msgs/s: p99 | ≤ 100 ms | **%s** (%.1f repeats per resume, %d of %d not delivered in time, %d resyncs) |%n",
            r.getString("target"), o.stormResumes, r.getJsonObject("params").getDouble("rate"),
            r.getLong("delivered") == 0 ? "nothing delivered" : f("%.1f ms", r.getDouble("p99Ms")),
            r.getDouble("repeatsPerResume", 0.0), r.getLong("lost"), r.getLong("expected"), r.getLong("resyncs", 0L)));
      }
    }
    if (g.length() == 0) {
      return;
    }
    md.append("## Issue 17's goals in this run\n\n");
    md.append("Ratios from this run (median of per-round ratios [min–max] when there are several rounds). Goal numbers as in the issue.\n\n");
    md.append("| goal | measure | target | this run |\n|---|---|---|---:|\n");
    md.append(g).append('\n');
  }

  /** "(insert 1.00, update 2.00, …)": application commands per message of one run. */
  private static String dbDetail(JsonObject run) {
    JsonObject c = run.getJsonObject("dbCommandsPerMessage", new JsonObject());
    StringBuilder sb = new StringBuilder();
    c.forEach(e -> {
      if (!DB_HOUSEKEEPING.contains(e.getKey()) && ((Number) e.getValue()).doubleValue() >= 0.005) {
        sb.append(sb.length() == 0 ? "(" : ", ").append(f("%s %.2f", e.getKey(), ((Number) e.getValue()).doubleValue()));
      }
    });
    return sb.length() == 0 ? "" : sb.append(')').toString();
  }

  JsonObject coldBucket(String target, int fromS) {
    return cold.stream()
        .filter(b -> b.getString("target").equals(target) && b.getInteger("fromS") == fromS)
        .findFirst()
        .orElse(null);
  }

  private void steadyTables(StringBuilder md) {
    Set<String> ts = targets("steady");
    if (ts.isEmpty()) {
      return;
    }
    md.append("## Warm steady state: 20 conversations × 10 members, 200 users with one stream each\n\n");
    md.append("Medians over rounds. Latency is from each message's intended send time to its arrival on a stream. "
        + "CPU is `utime + stime` of the target's processes over the measured window.\n\n");
    md.append("| msgs/s | target | deliveries/s | p50 ms | p99 ms | p99.9 ms | lost | µs CPU/delivery, all processes | µs CPU/delivery, servers only | µs CPU/message, servers only | deliveries per CPU-s | core % | db round trips/message | bytes/delivery | harness CPU % |\n");
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<Double> rates = new ArrayList<>(steadyRates(10));
    java.util.Collections.reverse(rates);
    for (double rate : rates) {
      for (String t : ts) {
        List<JsonObject> rows = steady(t, 10, rate);
        if (rows.isEmpty()) {
          continue;
        }
        Double trips = rows.get(0).getDouble("dbRoundTripsPerMessage");
        md.append(f("| %.0f | `%s` | %.0f | %.1f | %.1f | %.1f | %.0f | %.1f | %.1f | %.0f | %.0f | %.0f | %s | %.0f | %.0f |%n",
            rate, t, medianOf(rows, "deliveriesPerS"), medianOf(rows, "p50Ms"), medianOf(rows, "p99Ms"),
            medianOf(rows, "p999Ms"), medianOf(rows, "lost"), medianOf(rows, "serverCpuUsPerDelivery"),
            medianOf(rows, "nodeCpuUsPerDelivery"), medianOf(rows, "nodeCpuUsPerSend"),
            medianOf(rows, "deliveriesPerCpuS"), medianOf(rows, "serverCpuPct"),
            trips == null ? "–" : f("%.2f %s", trips, dbDetail(rows.get(0))), medianOf(rows, "bytesPerDelivery"),
            medianOf(rows, "harnessCpuPct")));
      }
    }
    md.append("\n### Ratios against the seed's stack and the bare ceiling (same run)\n\n");
    md.append(f("*vs peer*: deliveries per CPU-second (all processes) of the target / `%s`'s: above 1 the target does more work per core. "
        + "*× bare (servers)*: the target's servers' CPU per delivery / `bare`'s (the ceiling; lower is better). "
        + "*p99 vs peer*: the target's p99 / the peer's.%n%n", PEER));
    md.append("| msgs/s | target | vs peer, deliveries per CPU-s | × bare, servers' CPU per delivery | p99 vs peer |\n|---:|---|---:|---:|---:|\n");
    for (double rate : rates) {
      for (String t : ts) {
        if (t.equals(PEER) || t.equals("bare")) {
          continue;
        }
        double[] d = ratio(t, PEER, 10, rate, "deliveriesPerCpuS");
        double[] b = ratio(t, "bare", 10, rate, "nodeCpuUsPerDelivery");
        double[] l = ratio(t, PEER, 10, rate, "p99Ms");
        if (d != null || b != null) {
          md.append(f("| %.0f | `%s` | %s | %s | %s |%n", rate, t, ratioCell(d), ratioCell(b), ratioCell(l)));
        }
      }
    }
    md.append('\n');
  }

  private void nodesTable(StringBuilder md) {
    String[] nodes = {"parley-1", "parley-2", "parley-4"};
    if (steady("parley-2", 10, steadyRates(10).isEmpty() ? 0 : steadyRates(10).get(0)).isEmpty()
        && steady("parley-4", 10, steadyRates(10).isEmpty() ? 0 : steadyRates(10).get(0)).isEmpty()) {
      return;
    }
    md.append("## From 1 to 4 clustered nodes on the one server core (20 × 10)\n\n");
    md.append("CPU per delivery of all processes (nodes + database), p99, and the ratio to one node's CPU per delivery.\n\n");
    md.append("| msgs/s | parley-1 µs · p99 | parley-2 µs · p99 | parley-2 / parley-1 | parley-4 µs · p99 | parley-4 / parley-1 |\n|---:|---:|---:|---:|---:|---:|\n");
    for (double rate : steadyRates(10)) {
      StringBuilder row = new StringBuilder(f("| %.0f |", rate));
      for (String t : nodes) {
        List<JsonObject> rows = steady(t, 10, rate);
        row.append(rows.isEmpty() ? " – |" : f(" %.0f · %.1f ms |", medianOf(rows, "serverCpuUsPerDelivery"), medianOf(rows, "p99Ms")));
        if (!t.equals("parley-1")) {
          row.append(' ').append(ratioCell(ratio(t, "parley-1", 10, rate, "serverCpuUsPerDelivery"))).append(" |");
        }
      }
      md.append(row).append('\n');
    }
    md.append('\n');
  }

  private void layoutTable(StringBuilder md) {
    List<Integer> layouts = steadyLayouts();
    if (layouts.size() < 2) {
      return;
    }
    md.append("## Members per conversation: 100 × 2, 20 × 10, 2 × 100 (the same 200 users and streams)\n\n");
    md.append(f("| members | msgs/s | target | deliveries/s | p99 ms | µs CPU/delivery, all | µs CPU/delivery, servers | vs `%s`, deliveries per CPU-s |%n", PEER));
    md.append("|---:|---:|---|---:|---:|---:|---:|---:|\n");
    for (int m : layouts) {
      for (double rate : o.layoutRates) {
        for (String t : targets("steady")) {
          List<JsonObject> rows = steady(t, m, rate);
          if (rows.isEmpty()) {
            continue;
          }
          md.append(f("| %d | %.0f | `%s` | %.0f | %.1f | %.1f | %.1f | %s |%n", m, rate, t, medianOf(rows, "deliveriesPerS"),
              medianOf(rows, "p99Ms"), medianOf(rows, "serverCpuUsPerDelivery"), medianOf(rows, "nodeCpuUsPerDelivery"),
              t.equals(PEER) ? "1" : ratioCell(ratio(t, PEER, m, rate, "deliveriesPerCpuS"))));
        }
      }
    }
    md.append('\n');
  }

  private void coldTable(StringBuilder md) {
    if (cold.isEmpty()) {
      return;
    }
    List<String> ts = cold.stream().map(b -> b.getString("target")).distinct().toList();
    md.append(f("## Cold start: the first %.0f s after a restart, %.0f msgs/s × 10 members%n%n", o.coldS, o.coldRate));
    md.append("The target's servers are restarted on a database that already holds the users and conversations (a deploy), "
        + "the 200 streams reconnect and the load starts at once. CPU per delivery (all processes) and p99 of the messages "
        + "due in each 10-second bucket.\n\n");
    StringBuilder h = new StringBuilder("| seconds |");
    StringBuilder sep = new StringBuilder("|---|");
    for (String t : ts) {
      h.append(f(" `%s` µs/delivery | p99 ms | core %% |", t));
      sep.append("---:|---:|---:|");
    }
    boolean both = ts.contains("parley-1") && ts.contains(PEER);
    if (both) {
      h.append(f(" parley-1 / %s deliveries per CPU-s |", PEER));
      sep.append("---:|");
    }
    md.append(h).append('\n').append(sep).append('\n');
    List<Integer> froms = cold.stream().map(b -> b.getInteger("fromS")).distinct().sorted().toList();
    for (int from : froms) {
      StringBuilder row = new StringBuilder();
      int to = from;
      for (String t : ts) {
        JsonObject b = coldBucket(t, from);
        if (b == null) {
          row.append(" – | – | – |");
        } else {
          to = b.getInteger("toS");
          row.append(f(" %.0f | %.1f | %.0f |", b.getDouble("cpuAllUsPerDelivery"), b.getDouble("p99Ms"), b.getDouble("cpuAllPct")));
        }
      }
      if (both) {
        JsonObject p = coldBucket("parley-1", from);
        JsonObject n = coldBucket(PEER, from);
        row.append(p == null || n == null ? " – |" : f(" **%.2f** |", n.getDouble("cpuAllUsPerDelivery") / p.getDouble("cpuAllUsPerDelivery")));
      }
      md.append(f("| %d–%d |", from, to)).append(row).append('\n');
    }
    md.append('\n');
  }

  private void seriesTable(StringBuilder md) {
    if (series.isEmpty()) {
      return;
    }
    md.append(f("## Server CPU second by second at a constant %.0f msgs/s × 10 (%.0f s)%n%n", o.seriesRate, o.seriesS));
    md.append("Per-second CPU of all the target's processes (% of one core) and where the JVM servers' time went, averaged "
        + "over the window (by thread: JIT compilers, GC and VM threads, event loops, Hazelcast, …). A swing between seconds "
        + "shows as a wide min–max; the chart `cpu-series.png` shows each second.\n\n");
    md.append("| target | mean % | min % | p10 % | median % | p90 % | max % | servers mean % | JVM threads, mean % of a core |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (String t : series.stream().map(x -> x.getString("target")).distinct().toList()) {
      List<JsonObject> xs = series.stream().filter(x -> x.getString("target").equals(t)).toList();
      double[] v = xs.stream().mapToDouble(x -> x.getDouble("cpuAllPct")).sorted().toArray();
      double mean = xs.stream().mapToDouble(x -> x.getDouble("cpuAllPct")).average().orElse(0);
      double sm = xs.stream().mapToDouble(x -> x.getDouble("cpuServersPct")).average().orElse(0);
      Map<String, Double> th = new TreeMap<>();
      xs.forEach(x -> x.getJsonObject("threads", new JsonObject()).forEach(e -> th.merge(e.getKey(), ((Number) e.getValue()).doubleValue() / xs.size(), Double::sum)));
      StringBuilder tt = new StringBuilder();
      th.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).filter(e -> e.getValue() >= 0.5)
          .forEach(e -> tt.append(f("%s %.1f; ", e.getKey(), e.getValue())));
      md.append(f("| `%s` | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s |%n", t, mean, v[0], v[(int) (v.length * 0.1)],
          v[v.length / 2], v[Math.min(v.length - 1, (int) (v.length * 0.9))], v[v.length - 1], sm, tt.length() == 0 ? "–" : tt.toString().trim()));
    }
    md.append('\n');
  }

  private void idleTable(StringBuilder md) {
    if (idle.isEmpty()) {
      return;
    }
    md.append("## Idle: 200 open streams, no traffic\n\n");
    md.append("| target | seconds | total, % of a core | servers % | database / Redis % | per process (JVM threads) |\n|---|---:|---:|---:|---:|---|\n");
    for (JsonObject i : idle) {
      StringBuilder per = new StringBuilder();
      for (Object o : i.getJsonArray("processes")) {
        JsonObject p = (JsonObject) o;
        per.append(f("%s %.2f", p.getString("process"), p.getDouble("cpuPct")));
        JsonObject th = p.getJsonObject("threads");
        if (th != null) {
          StringBuilder tt = new StringBuilder();
          th.forEach(e -> {
            double v = ((Number) e.getValue()).doubleValue();
            if (v >= 0.05) {
              tt.append(f("%s %.2f, ", e.getKey(), v));
            }
          });
          if (tt.length() > 0) {
            per.append(" (").append(tt, 0, tt.length() - 2).append(')');
          }
        }
        per.append("; ");
      }
      md.append(f("| `%s` | %.0f | **%.2f** | %.2f | %.2f | %s |%n", i.getString("target"), i.getDouble("seconds"),
          i.getDouble("totalPct"), i.getDouble("serversPct"), i.getDouble("infraPct"), per.toString().trim()));
    }
    md.append('\n');
  }

  private void stormTable(StringBuilder md) {
    List<JsonObject> rows = runs.stream().filter(r -> r.getString("scenario").equals("storm")).toList();
    if (rows.isEmpty()) {
      return;
    }
    md.append("## Reconnect storm: streams resume with Last-Event-ID while messages flow (20 × 10)\n\n");
    md.append("A random open stream is closed and reopened with the id of the last event it received, at the given rate. "
        + "*Lost* must be 0 (resume closes every gap); *repeats* are deliveries a stream already had (the client drops them by id); "
        + "*resync* means the server could not replay (cursor too old, too many events, or the replay failed) and the client must refetch over REST; "
        + "*earlier runs* counts messages of the scenarios before this one delivered again in the window (they were all delivered in their own run).\n\n");
    md.append("| target | msgs/s | resumes/s | resumes in window | refused | answered with resync | p50 ms | p99 ms | p99.9 ms | lost | repeats | repeats per resume | repeats of earlier runs | µs CPU/delivery, all |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (JsonObject r : rows) {
      JsonObject p = r.getJsonObject("params");
      md.append(f("| `%s` | %.0f | %.0f | %d | %d | %d | %.1f | %.1f | %.1f | %d | %d | %.1f | %s | %.1f |%n", r.getString("target"),
          p.getDouble("rate"), p.getDouble("resumesPerS"), r.getLong("resumes", 0L), r.getLong("failedResumes", 0L),
          r.getLong("resyncs", 0L),
          r.getDouble("p50Ms"), r.getDouble("p99Ms"), r.getDouble("p999Ms"), r.getLong("lost"), r.getLong("duplicates"),
          r.getDouble("repeatsPerResume", 0.0),
          r.containsKey("earlierRunRepeats") ? String.valueOf(r.getLong("earlierRunRepeats")) : "–",
          r.getDouble("serverCpuUsPerDelivery")));
    }
    md.append('\n');
  }

  private void profileSection(StringBuilder md) {
    if (profiles.isEmpty()) {
      return;
    }
    md.append("## Profiles: where a message's CPU goes\n\n");
    md.append("One extra 20 × 10 run per Java target with the profiler on (its figures are not in the tables above). Each "
        + "sample is put in the stage named by its innermost frame that belongs to one (see docs/benchmarks/README.md, "
        + "*Profiling*); µs per message = the stage's share of the process's samples × the process's CPU in the window / "
        + "messages sent.\n\n");
    for (JsonObject p : profiles) {
      md.append(Profiler.markdown(p));
    }
  }

  private void fanoutTable(StringBuilder md) {
    if (fanout.isEmpty()) {
      return;
    }
    md.append("## Maximum sustained fan-out (one conversation)\n\n");
    md.append("Highest offered rate with p99 ≤ 100 ms, < 1 % lost and no send errors (steps of ×1.6). "
        + "A run stopped by the harness's own core is a lower bound for the server.\n\n");
    List<Integer> sizes = fanout.stream().map(r -> r.getInteger("subscribers")).distinct().toList();
    List<String> ts = fanout.stream().map(r -> r.getString("target")).distinct().toList();
    md.append("| subscribers |");
    ts.forEach(t -> md.append(" `").append(t).append("` deliveries/s |"));
    md.append(" parley-1 / bare | parley-1 / node-express-2 |\n|---:|");
    ts.forEach(t -> md.append("---:|"));
    md.append("---:|---:|\n");
    for (int n : sizes) {
      md.append(f("| %d |", n));
      for (String t : ts) {
        JsonObject r = fanoutRow(t, n);
        md.append(r == null ? " – |" : f(" **%.0f** (next step: %s) |", r.getDouble("maxDeliveriesPerS"), r.getString("stoppedBy")));
      }
      md.append(f(" %s | %s |%n", fanoutRatio("parley-1", "bare", n), fanoutRatio("parley-1", "node-express-2", n)));
    }
    md.append("\nServer CPU per delivery at each step (µs), from the runs above:\n\n| subscribers | target | offered deliveries/s | µs CPU/delivery | p99 ms |\n|---:|---|---:|---:|---:|\n");
    for (JsonObject r : runs) {
      if (r.getString("scenario").equals("fanout")) {
        JsonObject p = r.getJsonObject("params");
        md.append(f("| %d | `%s` | %d | %.1f | %.1f |%n", p.getInteger("subscribers"), r.getString("target"),
            p.getInteger("offeredDeliveries"), r.getDouble("serverCpuUsPerDelivery"), r.getDouble("p99Ms")));
      }
    }
    md.append('\n');
  }

  JsonObject fanoutRow(String t, int n) {
    return fanout.stream()
        .filter(r -> r.getString("target").equals(t) && r.getInteger("subscribers") == n)
        .findFirst()
        .orElse(null);
  }

  private String fanoutRatio(String a, String b, int n) {
    JsonObject x = fanoutRow(a, n);
    JsonObject y = fanoutRow(b, n);
    if (x == null || y == null || y.getDouble("maxDeliveriesPerS") == 0) {
      return "–";
    }
    return f("%.2f", x.getDouble("maxDeliveriesPerS") / y.getDouble("maxDeliveriesPerS"));
  }

  private void growthTable(StringBuilder md, String scenario, String key, String title) {
    Set<String> ts = targets(scenario);
    if (ts.isEmpty()) {
      return;
    }
    md.append("## ").append(title).append("\n\n");
    md.append(f("| %s | target | deliveries/s | µs CPU/delivery, all processes | µs CPU/delivery, servers only | p50 ms | p99 ms | lost | duplicates | refused resumes |%n", key));
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (JsonObject r : runs) {
      if (r.getString("scenario").equals(scenario)) {
        md.append(f("| %.0f | `%s` | %.0f | %.1f | %.1f | %.1f | %.1f | %d | %d | %s |%n",
            r.getJsonObject("params").getDouble(key), r.getString("target"), r.getDouble("deliveriesPerS"),
            r.getDouble("serverCpuUsPerDelivery"), r.getDouble("nodeCpuUsPerDelivery"), r.getDouble("p50Ms"),
            r.getDouble("p99Ms"), r.getLong("lost"), r.getLong("duplicates"),
            r.containsKey("failedResumes") ? r.getLong("failedResumes").toString() : "–"));
      }
    }
    md.append('\n');
  }

  /** Bytes per stream between the two highest levels: heap, direct, RSS. */
  double[] memorySlope(String t) {
    List<JsonObject> rows = memory.stream().filter(r -> r.getString("target").equals(t)).toList();
    if (rows.size() < 3) {
      return null;
    }
    JsonObject a = rows.get(rows.size() - 2);
    JsonObject b = rows.get(rows.size() - 1);
    double n = b.getInteger("streams") - a.getInteger("streams");
    ToDoubleFunction<String> d = k -> (b.getLong(k) - a.getLong(k)) / n;
    return new double[] {d.applyAsDouble("heapBytes"), d.applyAsDouble("directBytes"), d.applyAsDouble("rssBytes")};
  }

  private void memoryTable(StringBuilder md) {
    if (memory.isEmpty()) {
      return;
    }
    md.append("## Memory per idle SSE stream\n\n");
    md.append("Slope between the two highest stream counts (heap after full GC; direct = NMT \"Other\" for the JVM, "
        + "`external` for Node; RSS of the process holding the streams).\n\n");
    md.append("| target | streams | heap MB | direct MB | RSS MB |\n|---|---:|---:|---:|---:|\n");
    for (JsonObject r : memory) {
      md.append(f("| `%s` | %d | %.1f | %.1f | %.1f |%n", r.getString("target"), r.getInteger("streams"),
          r.getLong("heapBytes") / 1e6, r.getLong("directBytes") / 1e6, r.getLong("rssBytes") / 1e6));
    }
    md.append("\n| target | heap bytes/stream | direct bytes/stream | RSS bytes/stream |\n|---|---:|---:|---:|\n");
    for (String t : memory.stream().map(r -> r.getString("target")).distinct().toList()) {
      double[] s = memorySlope(t);
      if (s != null) {
        md.append(f("| `%s` | %.0f | %.0f | %.0f |%n", t, s[0], s[1], s[2]));
      }
    }
    double[] p = memorySlope("parley-1");
    double[] n = memorySlope("node-express-2");
    if (p != null && n != null) {
      md.append(f("%nparley-1 / node-express-2, RSS per stream: %.2f; heap per stream: %.2f%n", p[2] / n[2], p[0] / n[0]));
    }
    md.append('\n');
  }
}
