package io.parley.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server process under test, pinned to the server core, with its CPU time and memory. */
final class Proc {
  private static final double CLK_TCK = 100.0; // USER_HZ on Linux

  final String name;
  final Process process;
  final Path log;
  /** A database or Redis beside the servers: counted in the target's total, not its own CPU. */
  boolean infra;

  private Proc(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code cmd} pinned to {@code cpus} (taskset), output to {@code log}. */
  static Proc start(String name, String cpus, List<String> cmd, Map<String, String> env, Path dir)
      throws IOException {
    List<String> full = new ArrayList<>();
    if (cpus != null && !cpus.isEmpty()) {
      full.add("taskset");
      full.add("-c");
      full.add(cpus);
    }
    full.addAll(cmd);
    Files.createDirectories(dir);
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new Proc(name, pb.start(), log);
  }

  long pid() {
    return process.pid(); // taskset execs the command, so this is the server's pid
  }

  /** User + system CPU seconds this process has used so far. */
  double cpuSeconds() {
    return cpuSecondsOf(pid());
  }

  static double cpuSecondsOf(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields after "(comm) ": state=0 … utime=11 stime=12
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Resident set size in bytes. */
  long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      // gone
    }
    return -1;
  }

  /** Heap used after a full GC, in bytes (jcmd GC.run, then GC.heap_info). Java processes only. */
  long heapAfterGc() throws IOException, InterruptedException {
    jcmd("GC.run");
    Thread.sleep(500);
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  /**
   * Native memory outside the heap that Netty's direct buffers use: NMT's "Other" category
   * (Unsafe.allocateMemory / direct ByteBuffers), committed bytes. Needs
   * -XX:NativeMemoryTracking=summary.
   */
  long directBytes() throws IOException, InterruptedException {
    String s = jcmd("VM.native_memory", "summary");
    Matcher m = Pattern.compile("-\\s+Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(s);
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  private String jcmd(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid())));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  /** Whether this is a JVM (profiling and per-thread CPU groups apply). */
  boolean jvm;

  /**
   * CPU seconds of this process's threads so far, summed by kind of thread ({@link #threadGroup}):
   * where a JVM's time goes (JIT compilers, GC, event loops, Hazelcast, ...).
   */
  Map<String, Double> threadCpuSeconds() {
    Map<String, Double> out = new java.util.TreeMap<>();
    java.io.File[] tasks = new java.io.File("/proc/" + pid() + "/task").listFiles();
    if (tasks == null) {
      return out;
    }
    for (java.io.File t : tasks) {
      try {
        String stat = Files.readString(t.toPath().resolve("stat"));
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        double s = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
        out.merge(threadGroup(comm), s, Double::sum);
      } catch (IOException | RuntimeException e) {
        // the thread ended meanwhile
      }
    }
    return out;
  }

  /** A JVM thread's kind from its (15-character) name. */
  static String threadGroup(String comm) {
    if (comm.startsWith("C2 Compiler") || comm.startsWith("C1 Compiler") || comm.startsWith("C2 CompilerThre")) {
      return "JIT compiler";
    }
    if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")
        || comm.startsWith("VM Periodic") || comm.startsWith("Service Thread")) {
      return "GC and VM";
    }
    if (comm.startsWith("vert.x-eventloo") || comm.startsWith("vert.x-acceptor")) {
      return "event loops";
    }
    if (comm.startsWith("vert.x-worker") || comm.startsWith("vert.x-internal")) {
      return "worker threads";
    }
    if (comm.startsWith("hz.") || comm.startsWith("hz-")) {
      return "Hazelcast";
    }
    if (comm.startsWith("AsyncGetter") || comm.startsWith("cluster-") || comm.startsWith("MaintenanceTim")) {
      return "MongoDB driver";
    }
    if (comm.startsWith("nioEventLoopGro") || comm.startsWith("globalEventExec") || comm.startsWith("MongoServer")) {
      return "netty (other)";
    }
    if (comm.startsWith("java") || comm.equals("node")) {
      return "main";
    }
    return "other";
  }

  boolean alive() {
    return process.isAlive();
  }

  void stop() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Waits until something listens on {@code port} on loopback. */
  static void awaitPort(int port, long timeoutMs, Proc owner) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      if (owner != null && !owner.alive()) {
        throw new IllegalStateException(owner.name + " exited:\n" + owner.tail());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(
        "port " + port + " not open after " + timeoutMs + " ms" + (owner == null ? "" : "\n" + owner.tail()));
  }
}
