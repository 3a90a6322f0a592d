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
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Parley's benchmark harness: starts every target pinned to the server core, drives open-loop load
 * from this process (pinned to the other core by bench/run.sh), and writes results.json, README.md
 * (tables) and PNG charts to the output folder. See docs/benchmarks/README.md.
 */
public final class Bench {
  static final long T_START = System.nanoTime();

  /** Targets of the legacy scenarios (fan-out sweep, growth, memory per stream). */
  static final Set<String> FANOUT_TARGETS = Set.of("parley-1", "node-mongoose-1", "node-express-2", "bus-only", "bare");
  static final Set<String> GROWTH_TARGETS = Set.of("parley-1", "node-mongoose-1");
  static final Set<String> MEMORY_TARGETS = Set.of("parley-1", "node-mongoose-1", "bare");

  /** The default targets, in the order of the first round. */
  static final List<String> DEFAULT_TARGETS =
      List.of("parley-1", "node-mongoose-1", "parley-2", "parley-4", "node-mongoose-2", "node-express-2", "bus-only", "bare");

  /**
   * The JVM's own timers, made rare (conf/systemd/parley.service explains each): on this machine
   * every wake-up of an idle core costs about a millisecond of CPU, so an idle JVM's cost is the
   * number of its wake-ups. Also given to the database's JVM, for every target alike.
   */
  static final String QUIET_JVM =
      "-XX:-UsePerfData -XX:G1ConcRefinementServiceIntervalMillis=5000"
          + " -XX:+UnlockDiagnosticVMOptions -XX:AsyncDeflationInterval=5000";

  /**
   * The project's production JVM flags (conf/systemd/parley.service), for every Java server: the
   * quiet timers, the JIT allowed to compile huge methods (vertx-json-schema's validator is one)
   * and C2's inlining limits that keep its compilations small (docs/operations.md, "The JIT").
   */
  static final String DEFAULT_SERVER_JVM =
      "-Xms1g -Xmx1g -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError "
          + QUIET_JVM
          + " -XX:-DontCompileHugeMethods -XX:MaxInlineLevel=9 -XX:InlineSmallCode=1000 -XX:FreqInlineSize=100";

  /** Options (all have defaults; --quick shortens everything). */
  static final class Opts {
    Path out;
    Path parleyJar = Path.of("target/parley.jar");
    Path baselineJar;
    /** Extra JVM flags for the parley-base targets only: the same build with other flags. */
    String baselineJvm = "";
    /** The benchmarks' database process's collector ({@link DatabaseGc}). */
    DatabaseGc dbGc = DatabaseGc.G1_SHORT;
    Path benchJar;
    Path nodePeer = Path.of("bench/node-peer");
    String serverCpus = "1";
    boolean quick;
    boolean embeddedDb;
    Set<String> scenarios = new LinkedHashSet<>(List.of("cold", "steady", "series", "idle", "storm"));
    List<String> targets;
    int rounds = 1;
    double[] rates = {200, 100, 50, 2};
    int[] members = {10, 2, 100};
    double[] layoutRates = {50, 200};
    double warmup = 5;
    double measure = 20;
    double jitWarmup = 120;
    Set<String> coldTargets = Set.of("parley-1", "node-mongoose-1");
    double coldS = 120;
    double coldBucketS = 10;
    double coldRate = 50;
    double seriesS = 60;
    double seriesRate = 50;
    double idleS = 60;
    double stormRate = 200;
    double stormResumes = 50;
    String profile; // null, "async" or "jfr"
    double profileRate = 100;
    int profileMembers = 10;
    int sendConnections = 32;
    String acceptEncoding;
    String serverJvm = DEFAULT_SERVER_JVM;
    int[] fanoutSizes = {1, 10, 100, 1000};
    int[] memoryLevels = {9000, 18000};
    int[] growthConvs = {1, 100, 10_000};
    double[] churn = {0, 10, 50};
  }

  public static void main(String[] args) throws Exception {
    int report = Arrays.asList(args).indexOf("--report");
    if (report >= 0 && report + 1 < args.length) {
      // redraw tables and charts from a run's results.json
      Results.load(Path.of(args[report + 1])).writeReport();
      progress("rewrote %s/README.md and charts", args[report + 1]);
      System.exit(0);
    }
    if (args.length >= 2 && (args[0].equals("--breakdown") || args[0].equals("--breakdown-db"))) {
      // re-group a collapsed-stacks file (e.g. after changing the stage rules): samples per stage
      Map<String, Long> st = Profiler.stages(Path.of(args[1]), args[0].equals("--breakdown-db"));
      long total = st.values().stream().mapToLong(Long::longValue).sum();
      st.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
          .forEach(e -> System.out.printf("%6.2f %%  %7d  %s%n", 100.0 * e.getValue() / total, e.getValue(), e.getKey()));
      System.exit(0);
    }
    Opts o = parse(args);
    Files.createDirectories(o.out);
    progress("Parley benchmarks → %s (server cpus %s; scenarios %s)", o.out, o.serverCpus, o.scenarios);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Http http = new Http(vertx, 32);
    Load load = new Load(vertx, o.sendConnections, o.acceptEncoding);
    List<String> jvm = new ArrayList<>();
    if (!o.serverJvm.isBlank() && !o.serverJvm.equals("none")) {
      jvm.addAll(List.of(o.serverJvm.trim().split("\\s+")));
    }
    if (o.scenarios.contains("memory")) {
      jvm.add("-XX:NativeMemoryTracking=summary"); // direct memory per stream; costs CPU otherwise
    }
    String extra = System.getenv("BENCH_SERVER_JVM_OPTS"); // e.g. a JFR recording for profiling
    if (extra != null && !extra.isBlank()) {
      jvm.addAll(List.of(extra.trim().split("\\s+")));
    }
    if (o.profile != null) {
      // async-profiler's advice: attribute samples to inlined frames precisely
      jvm.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"));
    }
    List<String> baseJvm = new ArrayList<>(jvm);
    if (!o.baselineJvm.isBlank()) {
      baseJvm.addAll(List.of(o.baselineJvm.trim().split("\\s+")));
    }
    Path db = o.embeddedDb ? null : o.benchJar;
    Target.databaseGc = o.dbGc;
    String cpus = o.serverCpus;
    Map<String, Supplier<Target>> all = new LinkedHashMap<>();
    all.put("parley-1", () -> new ParleyTarget("parley-1", ParleyTarget.Mode.ONE, 1, o.parleyJar, cpus, 7100, jvm, http, db));
    if (o.baselineJar != null) {
      all.put("parley-base", () -> new ParleyTarget("parley-base", ParleyTarget.Mode.ONE, 1, o.baselineJar, cpus, 7200, baseJvm, http, db));
      // the baseline's build clustered, for changes to what two nodes cost (ask for it by name)
      all.put("parley-base-2", () -> new ParleyTarget("parley-base-2", ParleyTarget.Mode.CLUSTER, 2, o.baselineJar, cpus, 8200, baseJvm, http, db));
    }
    all.put("parley-2", () -> new ParleyTarget("parley-2", ParleyTarget.Mode.CLUSTER, 2, o.parleyJar, cpus, 7300, jvm, http, db));
    all.put("parley-4", () -> new ParleyTarget("parley-4", ParleyTarget.Mode.CLUSTER, 4, o.parleyJar, cpus, 7800, jvm, http, db));
    all.put("parley-redis-2", () -> new ParleyTarget("parley-redis-2", ParleyTarget.Mode.REDIS, 2, o.parleyJar, cpus, 7400, jvm, http, db));
    all.put("node-mongoose-1", () -> new MongoosePeer("node-mongoose-1", o.nodePeer, o.benchJar, cpus, 7900, 1, http));
    all.put("node-mongoose-2", () -> new MongoosePeer("node-mongoose-2", o.nodePeer, o.benchJar, cpus, 8000, 2, http));
    all.put("node-express-2", () -> new SimpleTargets.NodePeer("node-express-2", o.nodePeer, cpus, 7500, http));
    all.put("bus-only", () -> new SimpleTargets.Bare("bus-only", true, o.benchJar, cpus, 7600, jvm));
    all.put("bare", () -> new SimpleTargets.Bare("bare", false, o.benchJar, cpus, 7700, jvm));
    List<String> names = new ArrayList<>(o.targets != null ? o.targets : DEFAULT_TARGETS);
    if (o.baselineJar != null && !names.contains("parley-base") && !names.contains("parley-base-2")) {
      names.add(1, "parley-base");
    }
    for (String n : names) {
      if (!all.containsKey(n)) {
        throw new IllegalArgumentException("unknown target " + n + " (known: " + all.keySet() + ")");
      }
    }
    Results results = new Results(o, machine());
    Profiler profiler = o.profile == null ? null : new Profiler(o.profile, o.out.resolve("profiles"));
    Scenarios s = new Scenarios(o, load, results, profiler);
    Target[] current = new Target[1];
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (current[0] != null) {
        current[0].stop();
      }
    }));
    try {
      for (int round = 0; round < o.rounds; round++) {
        List<String> order = new ArrayList<>(names);
        Collections.rotate(order, -round); // round r visits the targets in rotated order
        for (String n : order) {
          Target t = all.get(n).get();
          progress("[round %d/%d] starting %s: %s", round + 1, o.rounds, t.name, t.description);
          current[0] = t;
          try {
            t.start(o.out.resolve("servers"));
            s.session(t, round);
          } catch (Exception e) {
            progress("%s failed: %s", t.name, e);
            e.printStackTrace(System.out);
            results.failures.add(t.name + " (round " + (round + 1) + "): " + e);
            load.closeAll();
          } finally {
            t.stop();
            current[0] = null;
          }
          results.write(); // after every target: a stopped run keeps what it measured
        }
      }
    } finally {
      results.write();
      vertx.close().await();
    }
    progress("done: %s/README.md", o.out);
    System.exit(0);
  }

  private static double[] doubles(String v) {
    return Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  private static int[] ints(String v) {
    return Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static Opts parse(String[] args) {
    Opts o = new Opts();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> {
          o.quick = true;
          o.rounds = 1;
          o.warmup = 3;
          o.measure = 10;
          o.jitWarmup = 60;
          o.seriesS = 30;
          o.idleS = 30;
          o.fanoutSizes = new int[] {1, 10, 100};
          o.memoryLevels = new int[] {1000, 2000};
          o.growthConvs = new int[] {1, 100, 1000};
          o.churn = new double[] {0, 20};
        }
        case "--embedded-db" -> o.embeddedDb = true;
        case "--out" -> o.out = Path.of(args[++i]);
        case "--parley-jar" -> o.parleyJar = Path.of(args[++i]);
        case "--baseline-jar" -> o.baselineJar = Path.of(args[++i]);
        case "--baseline-jvm" -> o.baselineJvm = args[++i];
        case "--db-gc" -> o.dbGc = DatabaseGc.named(args[++i]);
        case "--bench-jar" -> o.benchJar = Path.of(args[++i]);
        case "--node-peer" -> o.nodePeer = Path.of(args[++i]);
        case "--server-cpus" -> o.serverCpus = args[++i];
        case "--scenarios" -> {
          o.scenarios = new LinkedHashSet<>();
          for (String sc : args[++i].split(",")) {
            o.scenarios.add(sc.equals("latency") ? "steady" : sc);
          }
        }
        case "--targets" -> o.targets = List.of(args[++i].split(","));
        case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
        case "--rates" -> o.rates = doubles(args[++i]);
        case "--members" -> o.members = ints(args[++i]);
        case "--layout-rates" -> o.layoutRates = doubles(args[++i]);
        case "--warmup" -> o.warmup = Double.parseDouble(args[++i]);
        case "--measure" -> o.measure = Double.parseDouble(args[++i]);
        case "--jit-warmup" -> o.jitWarmup = Double.parseDouble(args[++i]);
        case "--cold-targets" -> o.coldTargets = Set.of(args[++i].split(","));
        case "--cold-seconds" -> o.coldS = Double.parseDouble(args[++i]);
        case "--cold-rate" -> o.coldRate = Double.parseDouble(args[++i]);
        case "--series-seconds" -> o.seriesS = Double.parseDouble(args[++i]);
        case "--series-rate" -> o.seriesRate = Double.parseDouble(args[++i]);
        case "--idle-seconds" -> o.idleS = Double.parseDouble(args[++i]);
        case "--storm-rate" -> o.stormRate = Double.parseDouble(args[++i]);
        case "--storm-resumes" -> o.stormResumes = Double.parseDouble(args[++i]);
        case "--profile" -> {
          o.profile = "async";
          if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
            o.profile = args[++i];
          }
          if (!o.profile.equals("async") && !o.profile.equals("jfr")) {
            throw new IllegalArgumentException("--profile async|jfr");
          }
        }
        case "--profile-rate" -> o.profileRate = Double.parseDouble(args[++i]);
        case "--profile-members" -> o.profileMembers = Integer.parseInt(args[++i]);
        case "--send-connections" -> o.sendConnections = Integer.parseInt(args[++i]);
        case "--accept-encoding" -> o.acceptEncoding = args[++i];
        case "--server-jvm" -> o.serverJvm = args[++i];
        case "--fanout" -> o.fanoutSizes = ints(args[++i]);
        case "--memory" -> o.memoryLevels = ints(args[++i]);
        case "--growth" -> o.growthConvs = ints(args[++i]);
        case "--churn" -> o.churn = doubles(args[++i]);
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
