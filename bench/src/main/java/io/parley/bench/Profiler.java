package io.parley.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import one.convert.Arguments;
import one.convert.FlameGraph;
import one.convert.JfrToFlame;

/**
 * Profiles the JVMs of a target over one measured window (--profile): async-profiler (from Maven
 * Central, {@code tools.profiler:async-profiler}, loaded into the running JVM with {@code jcmd
 * JVMTI.agent_load}; CPU samples of every thread, JIT and GC included), or the JDK's own JFR
 * ({@code --profile jfr}: Java code only). Writes per process a flame graph ({@code .html}, by
 * async-profiler's converter) and the collapsed stacks, and groups the samples into the stages of
 * Parley's send path ({@link #stage}).
 */
final class Profiler {
  private static final String LIB_RESOURCE = "linux-x64/libasyncProfiler.so";

  private final String kind; // "async" or "jfr"
  private final Path dir;
  private Path lib;

  Profiler(String kind, Path dir) {
    this.kind = kind;
    this.dir = dir;
  }

  /** A recording in progress on some processes. */
  final class Session {
    final String label;
    final List<Proc> procs;
    final Map<Proc, Double> cpu0 = new HashMap<>();
    final Map<Proc, String> event = new HashMap<>();
    final Map<Proc, Double> cpu1 = new HashMap<>();

    Session(String label, List<Proc> procs) {
      this.label = label;
      this.procs = procs;
    }
  }

  /** Starts recording on the given JVMs. */
  Session start(String label, List<Proc> procs) throws Exception {
    Files.createDirectories(dir);
    Session s = new Session(label, procs);
    for (Proc p : procs) {
      if (kind.equals("jfr")) {
        jcmd(p, "JFR.start", "name=bench", "settings=profile");
        s.event.put(p, "jfr");
      } else {
        String out = agent(p, "start,event=cpu,interval=1ms,threads");
        if (!ok(out)) {
          // no perf events here (e.g. a container without them): CPU-time timer instead
          Bench.progress("  profiler: event=cpu failed on %s (%s); using itimer", p.name, out.trim());
          out = agent(p, "start,event=itimer,interval=1ms,threads");
          s.event.put(p, "itimer");
        } else {
          s.event.put(p, "cpu");
        }
        if (!ok(out)) {
          throw new IllegalStateException("async-profiler did not start on " + p.name + ": " + out);
        }
      }
      s.cpu0.put(p, p.cpuSeconds());
    }
    return s;
  }

  /** Stops the recording and writes each process's collapsed stacks. */
  void stop(Session s) throws Exception {
    for (Proc p : s.procs) {
      s.cpu1.put(p, p.cpuSeconds());
      Path collapsed = dir.resolve(s.label + "-" + p.name + ".collapsed");
      if (kind.equals("jfr")) {
        Path jfr = dir.resolve(s.label + "-" + p.name + ".jfr");
        jcmd(p, "JFR.stop", "name=bench", "filename=" + jfr.toAbsolutePath());
        JfrToFlame.convert(jfr.toString(), collapsed.toString(), new Arguments("--threads", "-o", "collapsed"));
        Files.deleteIfExists(jfr);
      } else {
        agent(p, "stop,collapsed,file=" + collapsed.toAbsolutePath());
      }
    }
  }

  /**
   * Writes flame graphs and the per-stage breakdown of a stopped recording, with CPU per message
   * from {@code messages} sent in the window.
   */
  JsonObject analyze(Session s, long messages) throws Exception {
    JsonObject result =
        new JsonObject().put("label", s.label).put("profiler", kind).put("messages", messages);
    JsonArray files = new JsonArray();
    Map<String, double[]> serverStages = new LinkedHashMap<>();
    JsonArray perProc = new JsonArray();
    double serverCpu = 0;
    for (Proc p : s.procs) {
      double cpu = s.cpu1.get(p) - s.cpu0.get(p);
      String base = s.label + "-" + p.name;
      Path collapsed = dir.resolve(base + ".collapsed");
      Path html = dir.resolve(base + ".html");
      Arguments a = new Arguments("--title", base + " (" + s.event.get(p) + " samples)");
      FlameGraph.convert(collapsed.toString(), html.toString(), a);
      files.add(dir.getFileName() + "/" + html.getFileName());
      Map<String, Long> stages = stages(collapsed, p.infra);
      long total = stages.values().stream().mapToLong(Long::longValue).sum();
      JsonObject pj =
          new JsonObject()
              .put("process", p.name)
              .put("database", p.infra)
              .put("event", s.event.get(p))
              .put("cpuS", cpu)
              .put("samples", total)
              .put("flameGraph", dir.getFileName() + "/" + html.getFileName())
              .put("collapsed", dir.getFileName() + "/" + collapsed.getFileName());
      JsonArray rows = new JsonArray();
      for (Map.Entry<String, Long> e : sorted(stages)) {
        double share = total == 0 ? 0 : (double) e.getValue() / total;
        double us = messages == 0 ? 0 : share * cpu * 1e6 / messages;
        rows.add(new JsonObject().put("stage", e.getKey()).put("samples", e.getValue()).put("share", share).put("usPerMessage", us));
        if (!p.infra) {
          serverStages.computeIfAbsent(e.getKey(), k -> new double[1])[0] += us;
        }
      }
      if (!p.infra) {
        serverCpu += cpu;
      }
      pj.put("stages", rows);
      perProc.add(pj);
    }
    summarize(result, serverStages, serverCpu, messages);
    result
        .put("processes", perProc)
        .put("flameGraphs", files);
    Files.writeString(dir.resolve(s.label + "-breakdown.md"), markdownInProfiles(result));
    return result;
  }

  /**
   * Re-groups a stored profile from its collapsed files under {@code runDir} with the current
   * rules (bench/run.sh --report), keeping its measured CPU and message count.
   */
  static JsonObject regroup(JsonObject profile, Path runDir) throws IOException {
    long messages = profile.getLong("messages");
    Map<String, double[]> serverStages = new LinkedHashMap<>();
    double serverCpu = 0;
    for (Object o : profile.getJsonArray("processes")) {
      JsonObject p = (JsonObject) o;
      Path collapsed = runDir.resolve(p.getString("collapsed"));
      if (!Files.exists(collapsed)) {
        return profile; // collapsed stacks not kept: the stored grouping stays
      }
      boolean db = p.getBoolean("database");
      Map<String, Long> stages = stages(collapsed, db);
      long total = stages.values().stream().mapToLong(Long::longValue).sum();
      double cpu = p.getDouble("cpuS");
      JsonArray rows = new JsonArray();
      for (Map.Entry<String, Long> e : sorted(stages)) {
        double share = total == 0 ? 0 : (double) e.getValue() / total;
        double us = messages == 0 ? 0 : share * cpu * 1e6 / messages;
        rows.add(new JsonObject().put("stage", e.getKey()).put("samples", e.getValue()).put("share", share).put("usPerMessage", us));
        if (!db) {
          serverStages.computeIfAbsent(e.getKey(), k -> new double[1])[0] += us;
        }
      }
      if (!db) {
        serverCpu += cpu;
      }
      p.put("samples", total).put("stages", rows);
    }
    summarize(profile, serverStages, serverCpu, messages);
    return profile;
  }

  private static void summarize(JsonObject result, Map<String, double[]> serverStages, double serverCpu, long messages) {
    JsonArray servers = new JsonArray();
    serverStages.entrySet().stream()
        .sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0]))
        .forEach(e -> servers.add(new JsonObject().put("stage", e.getKey()).put("usPerMessage", e.getValue()[0])));
    double fanOut = serverStages.getOrDefault(FAN_OUT, new double[1])[0];
    double jit = serverStages.getOrDefault(JIT, new double[1])[0];
    double gc = serverStages.getOrDefault(GC, new double[1])[0];
    double all = messages == 0 ? 0 : serverCpu * 1e6 / messages;
    result
        .put("serverCpuUsPerMessage", all)
        .put("fanOutUsPerMessage", fanOut)
        .put("jitUsPerMessage", jit)
        .put("gcUsPerMessage", gc)
        .put("sendPathUsPerMessage", all - fanOut - jit - gc)
        .put("sendPathWithGcUsPerMessage", all - fanOut - jit)
        .put("serverStages", servers);
  }

  private static List<Map.Entry<String, Long>> sorted(Map<String, Long> m) {
    List<Map.Entry<String, Long>> l = new ArrayList<>(m.entrySet());
    l.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    return l;
  }

  /** The breakdown as Markdown for the run's README.md (links relative to the run's folder). */
  static String markdown(JsonObject r) {
    return markdown(r, "");
  }

  /** The same, with links relative to the profiles folder (its breakdown file). */
  static String markdownInProfiles(JsonObject r) {
    return markdown(r, "profiles/");
  }

  private static String markdown(JsonObject r, String strip) {
    StringBuilder md = new StringBuilder();
    md.append(f("### Profile `%s` (%s, %d messages in the window)%n%n", r.getString("label"), r.getString("profiler"), r.getLong("messages")));
    md.append(f("Servers: **%.0f µs of CPU per message**; fan-out (SSE hub and stream writes) %.0f, JIT compiler %.0f, GC and VM %.0f; "
            + "**send path (everything else) %.0f µs** (%.0f with GC).%n%n",
        r.getDouble("serverCpuUsPerMessage"), r.getDouble("fanOutUsPerMessage"), r.getDouble("jitUsPerMessage"),
        r.getDouble("gcUsPerMessage"), r.getDouble("sendPathUsPerMessage"), r.getDouble("sendPathWithGcUsPerMessage")));
    md.append("| stage (servers, all nodes) | µs CPU per message |\n|---|---:|\n");
    for (Object o : r.getJsonArray("serverStages")) {
      JsonObject x = (JsonObject) o;
      if (x.getDouble("usPerMessage") >= 0.5) {
        md.append(f("| %s | %.1f |%n", x.getString("stage"), x.getDouble("usPerMessage")));
      }
    }
    md.append('\n');
    for (Object o : r.getJsonArray("processes")) {
      JsonObject p = (JsonObject) o;
      md.append(f("- `%s`%s: %.2f s CPU, %d samples (%s), [flame graph](%s)%n", p.getString("process"),
          p.getBoolean("database") ? " (database)" : "", p.getDouble("cpuS"), p.getLong("samples"), p.getString("event"),
          strip.isEmpty() ? p.getString("flameGraph") : p.getString("flameGraph").replaceFirst("^" + strip, "")));
      if (p.getBoolean("database")) {
        md.append("\n  | database stage | µs CPU per message |\n  |---|---:|\n");
        for (Object so : p.getJsonArray("stages")) {
          JsonObject x = (JsonObject) so;
          if (x.getDouble("usPerMessage") >= 0.5) {
            md.append(f("  | %s | %.1f |%n", x.getString("stage"), x.getDouble("usPerMessage")));
          }
        }
        md.append('\n');
      }
    }
    md.append('\n');
    return md.toString();
  }

  private static String f(String fmt, Object... a) {
    return String.format(Locale.ROOT, fmt, a);
  }

  // --- grouping samples into stages --------------------------------------------------------------

  static final String FAN_OUT = "fan-out: SSE hub and stream writes";
  static final String JIT = "JIT compiler threads";
  static final String GC = "GC and VM threads";
  private static final Pattern SUFFIX = Pattern.compile("_\\[[a-z0-9]+\\]$");
  private static final Pattern THREAD = Pattern.compile("^\\[(.*?)(?: tid=\\d+)?\\]$");
  private static final Pattern LAMBDA = Pattern.compile("^lambda\\$([A-Za-z0-9_]+)\\$\\d+$");

  /** Samples per stage in a collapsed-stacks file (one stack per line, root first, then a count). */
  static Map<String, Long> stages(Path collapsed, boolean database) throws IOException {
    Map<String, Long> out = new HashMap<>();
    for (String line : Files.readAllLines(collapsed)) {
      int sp = line.lastIndexOf(' ');
      if (sp < 0) {
        continue;
      }
      long n;
      try {
        n = Long.parseLong(line.substring(sp + 1).trim());
      } catch (NumberFormatException e) {
        continue;
      }
      String[] frames = line.substring(0, sp).split(";");
      out.merge(database ? dbStage(frames) : stage(frames), n, Long::sum);
    }
    return out;
  }

  private static final Pattern HIDDEN = Pattern.compile("\\$\\$Lambda\\$?\\d*[./]0x[0-9a-f]+");

  private static String frame(String raw) {
    // a lambda's hidden class "Foo$$Lambda$12/0x0000…" reads as Foo's
    return HIDDEN.matcher(SUFFIX.matcher(raw).replaceAll("")).replaceAll("\\$\\$Lambda").replace('/', '.');
  }

  private static String threadOf(String[] frames) {
    Matcher m = THREAD.matcher(frames.length == 0 ? "" : frames[0]);
    return m.matches() ? m.group(1) : "";
  }

  /**
   * The stage of one stack sample of a Parley node: the innermost (leaf-most) frame that names a
   * stage of the send path decides; a sample with none of those goes to the library or thread it
   * ran in. Rules match packages and class names, not line numbers, so they survive refactoring;
   * every {@code io.parley.*Repository} method is its own "db" stage (issuing the call and handling
   * its reply), and other Parley classes are named as they are.
   */
  static String stage(String[] frames) {
    String thread = threadOf(frames);
    if (thread.startsWith("AsyncGetter")) {
      // the MongoDB driver checks a pooled connection out on its own thread: a wake-up per call
      return "db driver: connection checkout thread (AsyncGetter)";
    }
    if (thread.startsWith("cluster-") || thread.startsWith("MaintenanceTimer")) {
      return "db driver: server monitors and pool maintenance threads";
    }
    for (int i = frames.length - 1; i >= 0; i--) {
      String s = specific(frame(frames[i]));
      if (s != null) {
        return s;
      }
    }
    boolean kernelLeaf = frames.length > 0 && frames[frames.length - 1].endsWith("_[k]");
    for (int i = frames.length - 1; i >= 0; i--) {
      String s = generic(frame(frames[i]));
      if (s != null) {
        // a sample in the kernel under Netty or Vert.x: socket reads, writes, epoll, wake-ups
        return kernelLeaf && s.startsWith("event loop:") ? "event loop: kernel (socket I/O, epoll, wake-ups)" : s;
      }
    }
    String t = threadOf(frames);
    if (t.startsWith("C2 Compiler") || t.startsWith("C1 Compiler")) {
      return JIT;
    }
    if (t.startsWith("GC Thread") || t.startsWith("G1 ") || t.startsWith("VM Thread") || t.startsWith("VM Periodic")) {
      return GC;
    }
    if (t.startsWith("hz.")) {
      return "Hazelcast threads (other)";
    }
    if (t.startsWith("vert.x-eventloop")) {
      return "event loop: JVM runtime, other native";
    }
    return "other threads: kernel, JVM runtime";
  }

  private static String specific(String f) {
    int dot = methodDot(f);
    String cls = dot < 0 ? f : f.substring(0, dot);
    String method = dot < 0 ? "" : f.substring(dot + 1);
    if (cls.startsWith("ch.qos.logback.") || cls.startsWith("org.slf4j.") || cls.startsWith("net.logstash.")) {
      return "logging";
    }
    if (cls.startsWith("io.micrometer.") || cls.startsWith("io.vertx.micrometer.") || cls.startsWith("io.parley.metrics.")) {
      return "metrics";
    }
    if (!cls.startsWith("io.parley.")) {
      if (cls.startsWith("io.vertx.ext.auth.")) {
        return "token check: JWT and session";
      }
      if (cls.startsWith("io.vertx.json.schema.")) {
        return "validation";
      }
      if (cls.startsWith("io.github.bucket4j.") || cls.startsWith("com.bucket4j.")) {
        return "rate limits";
      }
      if (cls.startsWith("io.vertx.core.eventbus.") || cls.startsWith("com.hazelcast.") || cls.startsWith("io.vertx.spi.cluster.")) {
        return "bus hops: event bus, codecs, cluster";
      }
      if (cls.startsWith("io.vertx.redis.")) {
        return "Redis (relay, rate-limit store)";
      }
      return null;
    }
    String simple = cls.substring(cls.lastIndexOf('.') + 1);
    int inner = simple.indexOf('$');
    String outer = inner < 0 ? simple : simple.substring(0, inner);
    Matcher lm = LAMBDA.matcher(method);
    String m = lm.matches() ? lm.group(1) : method;
    if (outer.equals("TokenAuth") || outer.equals("SessionCache") || outer.equals("Jwt") || cls.startsWith("io.parley.security.")) {
      return "token check: JWT and session";
    }
    if (outer.equals("RequestBody") || m.equals("validate") || m.equals("invalid")) {
      return "validation";
    }
    if (cls.startsWith("io.parley.ratelimit.") || outer.equals("RateLimits")) {
      return "rate limits";
    }
    if (outer.endsWith("Repository")) {
      return "db call: " + outer + "." + m;
    }
    if (outer.equals("MongoSupport")) {
      return "db documents: ids, dates (MongoSupport)";
    }
    if (outer.equals("ChatEvent") || outer.equals("ChatEventCodec") || outer.equals("EventIds") || outer.equals("Views")) {
      return "event encoding";
    }
    if (outer.equals("EventPublisher")) {
      return "event publish";
    }
    if (cls.startsWith("io.parley.http.sse.")) {
      return FAN_OUT;
    }
    if (outer.equals("BusService") || outer.equals("BusClient") || outer.equals("Codecs") || outer.equals("Addresses")) {
      return "bus hops: event bus, codecs, cluster";
    }
    if (cls.startsWith("io.parley.relay.")) {
      return "Redis (relay, rate-limit store)";
    }
    if (cls.startsWith("io.parley.http.")) {
      return "HTTP routes and responses: " + outer;
    }
    return "Parley: " + outer;
  }

  private static String generic(String f) {
    if (f.startsWith("com.mongodb.") || f.startsWith("org.bson.") || f.startsWith("io.vertx.ext.mongo.")) {
      return "db driver: encoding, replies, pool, monitors (not attributable to one call)";
    }
    if (f.startsWith("io.vertx.ext.web.")) {
      return "HTTP routing (vertx-web)";
    }
    if (f.startsWith("io.vertx.core.http.") || f.startsWith("io.netty.handler.codec.http.") || f.startsWith("io.vertx.core.net.")) {
      return "HTTP server: Netty/Vert.x codec and writes";
    }
    if (f.startsWith("com.fasterxml.jackson.") || f.startsWith("io.vertx.core.json.")) {
      return "JSON (not attributable)";
    }
    if (f.startsWith("io.netty.") || f.startsWith("io.vertx.core.")) {
      return "event loop: Netty and Vert.x core (Java)";
    }
    return null;
  }

  /** The dot between class and method in {@code a.b.C.method} (or -1 for a native frame). */
  private static int methodDot(String f) {
    int paren = f.indexOf('(');
    String g = paren < 0 ? f : f.substring(0, paren);
    if (!g.contains(".")) {
      return -1;
    }
    return g.lastIndexOf('.');
  }

  /**
   * The stage of a sample of the database process (mongo-java-server): the innermost {@code
   * handle*} method of its backend names the command (insert, findAndModify, query, update …).
   */
  static String dbStage(String[] frames) {
    for (int i = frames.length - 1; i >= 0; i--) {
      String f = frame(frames[i]);
      if (f.startsWith("de.bwaldvogel.mongo.")) {
        int dot = methodDot(f);
        String m = dot < 0 ? "" : f.substring(dot + 1);
        if (m.equals("findAndModify")) {
          return "db command: findAndModify";
        }
        if (f.contains("MongoDatabase.command") && m.startsWith("command") && m.length() > 7) {
          return "db command: " + Character.toLowerCase(m.charAt(7)) + m.substring(8);
        }
      }
    }
    String t = threadOf(frames);
    if (t.startsWith("C2 Compiler") || t.startsWith("C1 Compiler")) {
      return JIT;
    }
    if (t.startsWith("GC Thread") || t.startsWith("G1 ") || t.startsWith("VM Thread")) {
      return GC;
    }
    for (String raw : frames) {
      if (frame(raw).startsWith("de.bwaldvogel.mongo.")) {
        return "db: wire protocol, BSON, command dispatch";
      }
    }
    return "db: Netty I/O, kernel, JVM runtime";
  }

  // --- attaching ---------------------------------------------------------------------------------

  /** jcmd's "return code: 0" (the agent's own messages go to the process's output, not jcmd's). */
  private static boolean ok(String jcmdOutput) {
    Matcher m = Pattern.compile("return code: (-?\\d+)").matcher(jcmdOutput);
    return m.find() && m.group(1).equals("0");
  }

  private String agent(Proc p, String options) throws Exception {
    if (lib == null) {
      lib = Files.createTempFile("parley-bench-async-profiler", ".so");
      try (InputStream in = Profiler.class.getClassLoader().getResourceAsStream(LIB_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("async-profiler's " + LIB_RESOURCE + " is not in the harness jar");
        }
        Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
      }
      lib.toFile().deleteOnExit();
    }
    // jcmd parses key=value pairs itself: the agent's options go quoted
    return jcmd(p, "JVMTI.agent_load", lib.toAbsolutePath().toString(), "\"" + options + "\"");
  }

  private static String jcmd(Proc p, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(p.pid())));
    cmd.addAll(List.of(args));
    Process j = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(j.getInputStream().readAllBytes());
    j.waitFor(60, TimeUnit.SECONDS);
    return out;
  }
}
