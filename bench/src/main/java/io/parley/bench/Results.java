package io.parley.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/** Collects every run; writes results.json, README.md (tables and ratios) and the charts. */
final class Results {
  private static final double[] PCTS = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

  private final Bench.Opts o;
  private final JsonObject machine;
  final List<JsonObject> runs = new ArrayList<>();
  final List<JsonObject> fanout = new ArrayList<>();
  final List<JsonObject> memory = new ArrayList<>();
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
            .put("deliveriesPerCpuS", r.deliveriesPerCpuS())
            .put("harnessCpuPct", r.harnessCpuPct())
            .put("bytesPerDelivery", r.bytesPerDelivery())
            .put("percentiles", curve));
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
        .filter(r -> key == null || r.getJsonObject("params").getDouble(key) == value)
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

  /** Per-round ratio a/b of a field (same scenario, rate, round): median, min, max. */
  double[] ratio(String scenario, String a, String b, double rate, String field) {
    List<Double> rs = new ArrayList<>();
    for (JsonObject x : select(scenario, a, "rate", rate)) {
      for (JsonObject y : select(scenario, b, "rate", rate)) {
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
    Results r = new Results(o, all.getJsonObject("machine"));
    r.started = all.getString("started");
    r.finished = all.getString("finished");
    all.getJsonObject("targets").forEach(e -> r.descriptions.put(e.getKey(), (String) e.getValue()));
    all.getJsonArray("runs").forEach(x -> r.runs.add((JsonObject) x));
    all.getJsonArray("fanout").forEach(x -> r.fanout.add((JsonObject) x));
    all.getJsonArray("memory").forEach(x -> r.memory.add((JsonObject) x));
    return r;
  }

  /** README.md and charts only (results.json stays as it is). */
  void writeReport() throws Exception {
    List<String> charts = Charts.draw(this, o.out);
    Files.writeString(o.out.resolve("README.md"), markdown(charts));
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
            .put("fanout", new JsonArray(fanout))
            .put("memory", new JsonArray(memory));
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
        .put("scenarios", new JsonArray(new ArrayList<>(o.scenarios)));
  }

  private static String f(String fmt, Object... a) {
    return String.format(Locale.ROOT, fmt, a);
  }

  private String markdown(List<String> charts) {
    StringBuilder md = new StringBuilder();
    md.append("# Parley benchmark results\n\n");
    md.append(f("Run %s → %s. Machine: %s, %s cpus, %s; %s; %s; %s. Load average at start `%s`, at end `%s`.%n%n",
        started, finished, machine.getString("cpuModel"), machine.getInteger("cpus"),
        machine.getString("memTotal"), machine.getString("java"), machine.getString("node"),
        machine.getString("redis"), machine.getString("loadavgAtStart"), machine.getString("loadavgAtEnd")));
    md.append(f("Servers pinned to cpu %s, the harness to cpu %s. Rounds: %d; each run %.0f s warm-up + %.0f s measured. "
            + "JIT warm-up before measuring: %.0f s per Parley target. %s%n%n",
        o.serverCpus, machine.getString("harnessAffinity"), o.rounds, o.warmup, o.measure, o.jitWarmup,
        o.embeddedDb
            ? "Parley's persistence ran on its embedded development database (mongo-java-server, H2 "
                + "backend) inside the first node's process."
            : "Parley's persistence ran on mongo-java-server with its in-memory backend in a separate "
                + "process on the server core (counted under *all processes*, not *servers only*); it "
                + "scans instead of using non-unique indexes, so database figures do not predict MongoDB."));
    md.append("| target | what it is |\n|---|---|\n");
    descriptions.forEach(
        (k, v) ->
            md.append(
                f("| `%s` | %s%s |%n", k, v,
                    k.equals("parley-base") ? ", from the `--baseline-jar` build (Parley before this change)" : "")));
    md.append('\n');
    latencyTables(md);
    fanoutTable(md);
    growthTable(md, "growth", "conversations", "Cost growth: conversations (2 members each, 200 users, 200 msgs/s)");
    growthTable(md, "churn", "reconnectsPerS", "Cost growth: stream churn (20 × 10, 200 msgs/s; reconnects with Last-Event-ID)");
    memoryTable(md);
    if (!charts.isEmpty()) {
      md.append("## Charts\n\n");
      charts.forEach(c -> md.append(f("![%s](%s)%n%n", c, c)));
    }
    return md.toString();
  }

  private void latencyTables(StringBuilder md) {
    Set<String> ts = targets("latency");
    if (ts.isEmpty()) {
      return;
    }
    md.append("## Latency and CPU at fixed offered load (20 conversations × 10 members, 200 streams)\n\n");
    md.append("Medians over rounds. Latency is from each message's intended send time to its arrival on a stream.\n\n");
    md.append("| msgs/s | target | deliveries/s | p50 ms | p99 ms | p99.9 ms | lost | µs CPU/delivery, all processes | µs CPU/delivery, servers only | deliveries per CPU-s | bytes/delivery | harness CPU % |\n");
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (double rate : o.rates) {
      for (String t : ts) {
        List<JsonObject> rows = select("latency", t, "rate", rate);
        if (rows.isEmpty()) {
          continue;
        }
        md.append(f("| %.0f | `%s` | %.0f | %.1f | %.1f | %.1f | %.0f | %.1f | %.1f | %.0f | %.0f | %.0f |%n",
            rate, t, medianOf(rows, "deliveriesPerS"), medianOf(rows, "p50Ms"), medianOf(rows, "p99Ms"),
            medianOf(rows, "p999Ms"), medianOf(rows, "lost"), medianOf(rows, "serverCpuUsPerDelivery"),
            medianOf(rows, "nodeCpuUsPerDelivery"),
            medianOf(rows, "deliveriesPerCpuS"), medianOf(rows, "bytesPerDelivery"), medianOf(rows, "harnessCpuPct")));
      }
    }
    md.append("\n### Ratios (median of per-round ratios [min–max])\n\n");
    md.append("Deliveries per CPU-second: higher is better for the first named; p99: lower is better.\n\n");
    md.append("| msgs/s | pair | deliveries per CPU-s | p99 latency | bytes/delivery |\n|---:|---|---:|---:|---:|\n");
    String[][] pairs = {
      {"parley-1", "node-express-2"}, {"parley-2", "node-express-2"}, {"parley-redis-2", "node-express-2"},
      {"parley-1", "bare"}, {"parley-1", "bus-only"}, {"parley-1", "parley-base"}, {"parley-2", "parley-1"},
      {"parley-redis-2", "parley-2"}
    };
    for (double rate : o.rates) {
      for (String[] p : pairs) {
        double[] d = ratio("latency", p[0], p[1], rate, "deliveriesPerCpuS");
        double[] l = ratio("latency", p[0], p[1], rate, "p99Ms");
        double[] b = ratio("latency", p[0], p[1], rate, "bytesPerDelivery");
        if (d != null) {
          md.append(f("| %.0f | `%s` / `%s` | %.2f [%.2f–%.2f] | %.2f [%.2f–%.2f] | %.2f |%n",
              rate, p[0], p[1], d[0], d[1], d[2], l[0], l[1], l[2], b[0]));
        }
      }
    }
    md.append('\n');
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
