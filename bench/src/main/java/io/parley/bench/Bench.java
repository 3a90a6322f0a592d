package io.parley.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parley's benchmark harness: starts every target pinned to the server core, drives open-loop load
 * from this process (pinned to the other core by bench/run.sh), and writes results.json, README.md
 * (tables) and PNG charts to the output folder. See docs/benchmarks/README.md.
 */
public final class Bench {
  static final long T_START = System.nanoTime();

  /** Options (all have defaults; --quick shortens everything). */
  static final class Opts {
    Path out;
    Path parleyJar = Path.of("target/parley.jar");
    Path baselineJar;
    Path benchJar;
    Path nodePeer = Path.of("bench/node-peer");
    String serverCpus = "1";
    boolean quick;
    boolean embeddedDb;
    Set<String> scenarios = Set.of("latency", "fanout", "memory", "growth", "churn");
    int rounds = 3;
    double[] rates = {100, 200, 400};
    double warmup = 5;
    double measure = 10;
    double jitWarmup = 120;
    int[] fanoutSizes = {1, 10, 100, 1000};
    int[] memoryLevels = {9000, 18000};
    int[] growthConvs = {1, 100, 10_000};
    double[] churn = {0, 10, 50};
    Set<String> targets;
  }

  public static void main(String[] args) throws Exception {
    int report = Arrays.asList(args).indexOf("--report");
    if (report >= 0 && report + 1 < args.length) {
      // redraw tables and charts from a run's results.json
      Results.load(Path.of(args[report + 1])).writeReport();
      progress("rewrote %s/README.md and charts", args[report + 1]);
      System.exit(0);
    }
    Opts o = parse(args);
    Files.createDirectories(o.out);
    progress("Parley benchmarks → %s (server cpus %s)", o.out, o.serverCpus);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Http http = new Http(vertx, 32);
    Load load = new Load(vertx);
    List<String> jvm = new ArrayList<>(List.of("-Xms1g", "-Xmx4g", "-XX:+UseG1GC", "-XX:NativeMemoryTracking=summary"));
    String extra = System.getenv("BENCH_SERVER_JVM_OPTS"); // e.g. a JFR recording for profiling
    if (extra != null && !extra.isBlank()) {
      jvm.addAll(List.of(extra.trim().split("\\s+")));
    }
    Path db = o.embeddedDb ? null : o.benchJar;
    Map<String, Target> all = new LinkedHashMap<>();
    all.put("parley-1", new ParleyTarget("parley-1", ParleyTarget.Mode.ONE, o.parleyJar, o.serverCpus, 7100, jvm, http, db));
    if (o.baselineJar != null) {
      all.put("parley-base", new ParleyTarget("parley-base", ParleyTarget.Mode.ONE, o.baselineJar, o.serverCpus, 7200, jvm, http, db));
    }
    all.put("parley-2", new ParleyTarget("parley-2", ParleyTarget.Mode.CLUSTER, o.parleyJar, o.serverCpus, 7300, jvm, http, db));
    all.put("parley-redis-2", new ParleyTarget("parley-redis-2", ParleyTarget.Mode.REDIS, o.parleyJar, o.serverCpus, 7400, jvm, http, db));
    all.put("node-express-2", new SimpleTargets.NodePeer("node-express-2", o.nodePeer, o.serverCpus, 7500, http));
    all.put("bus-only", new SimpleTargets.Bare("bus-only", true, o.benchJar, o.serverCpus, 7600, jvm));
    all.put("bare", new SimpleTargets.Bare("bare", false, o.benchJar, o.serverCpus, 7700, jvm));
    if (o.targets != null) {
      all.keySet().retainAll(o.targets);
    }
    Results results = new Results(o, machine());
    List<Target> started = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> started.forEach(Target::stop)));
    try {
      for (Target t : all.values()) {
        progress("starting %s: %s", t.name, t.description);
        t.start(o.out.resolve("servers"));
        started.add(t);
      }
      Scenarios s = new Scenarios(o, load, results);
      List<Target> targets = new ArrayList<>(all.values());
      s.jitWarmup(targets);
      if (o.scenarios.contains("latency")) {
        s.latency(targets);
      }
      if (o.scenarios.contains("fanout")) {
        s.fanout(pick(all, "parley-1", "node-express-2", "bus-only", "bare"));
      }
      if (o.scenarios.contains("growth")) {
        s.growth(pick(all, "parley-1", "node-express-2"));
      }
      if (o.scenarios.contains("churn")) {
        s.churn(pick(all, "parley-1", "parley-2"));
      }
      if (o.scenarios.contains("memory")) {
        s.memory(pick(all, "parley-1", "node-express-2", "bare"));
      }
    } finally {
      results.write();
      for (Target t : started) {
        t.stop();
      }
      started.clear();
      vertx.close().await();
    }
    progress("done: %s/README.md", o.out);
    System.exit(0);
  }

  private static List<Target> pick(Map<String, Target> all, String... names) {
    return Arrays.stream(names).map(all::get).filter(t -> t != null).collect(Collectors.toList());
  }

  private static Opts parse(String[] args) {
    Opts o = new Opts();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> {
          o.quick = true;
          o.rounds = 1;
          o.rates = new double[] {100, 200};
          o.warmup = 3;
          o.measure = 5;
          o.jitWarmup = 45;
          o.fanoutSizes = new int[] {1, 10, 100};
          o.memoryLevels = new int[] {1000, 2000};
          o.growthConvs = new int[] {1, 100, 1000};
          o.churn = new double[] {0, 20};
        }
        case "--embedded-db" -> o.embeddedDb = true;
        case "--out" -> o.out = Path.of(args[++i]);
        case "--parley-jar" -> o.parleyJar = Path.of(args[++i]);
        case "--baseline-jar" -> o.baselineJar = Path.of(args[++i]);
        case "--bench-jar" -> o.benchJar = Path.of(args[++i]);
        case "--node-peer" -> o.nodePeer = Path.of(args[++i]);
        case "--server-cpus" -> o.serverCpus = args[++i];
        case "--scenarios" -> o.scenarios = Set.of(args[++i].split(","));
        case "--targets" -> o.targets = Set.of(args[++i].split(","));
        case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
        case "--rates" -> o.rates = Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray();
        case "--warmup" -> o.warmup = Double.parseDouble(args[++i]);
        case "--measure" -> o.measure = Double.parseDouble(args[++i]);
        case "--jit-warmup" -> o.jitWarmup = Double.parseDouble(args[++i]);
        case "--fanout" -> o.fanoutSizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--memory" -> o.memoryLevels = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--growth" -> o.growthConvs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--churn" -> o.churn = Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray();
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (o.out == null) {
      o.out = Path.of("bench-results", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(':', '-'));
    }
    if (o.benchJar == null) {
      o.benchJar = Path.of("bench/target/parley-bench.jar");
    }
    return o;
  }

  private static JsonObject machine() {
    JsonObject m = new JsonObject();
    try {
      // the machine's cpus (availableProcessors() counts only this process's taskset)
      m.put("cpus", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count());
    } catch (Exception e) {
      m.put("cpus", -1);
    }
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    try {
      String cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse("?");
      m.put("cpuModel", cpu);
      m.put("loadavgAtStart", Files.readString(Path.of("/proc/loadavg")).trim());
      String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0);
      m.put("memTotal", mem.replaceAll("\\s+", " "));
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      m.put("node", new String(p.getInputStream().readAllBytes()).trim());
      Process r = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
      m.put("redis", new String(r.getInputStream().readAllBytes()).trim());
    } catch (Exception e) {
      m.put("probeError", e.toString());
    }
    m.put("harnessAffinity", affinity());
    return m;
  }

  private static String affinity() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("Cpus_allowed_list"))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .orElse("?");
    } catch (Exception e) {
      return "?";
    }
  }

  static void progress(String fmt, Object... args) {
    long s = (System.nanoTime() - T_START) / 1_000_000_000L;
    System.out.printf(
        "[%s +%02d:%02d] %s%n",
        LocalTime.now().truncatedTo(ChronoUnit.SECONDS),
        s / 60,
        s % 60,
        String.format(fmt, args));
    System.out.flush();
  }

  static JsonArray arr(double... v) {
    JsonArray a = new JsonArray();
    for (double d : v) {
      a.add(d);
    }
    return a;
  }
}
