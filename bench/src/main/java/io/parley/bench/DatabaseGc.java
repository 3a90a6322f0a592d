package io.parley.bench;

import java.util.List;

/**
 * The garbage collector of the benchmarks' database process ({@code --db-gc}). MongoDB has no
 * collector to pause, so the stand-in's pauses are kept short by default. With G1's defaults (the
 * runs before 2026-12-08 (b)) its young pauses of 50–260 ms on the shared core, every 10–20 s,
 * stalled both stacks' database calls: the p99 of one window in three. ZGC has no pauses, but on
 * JDK 17 every cycle marks all the stored data: three times the database's CPU at 200 msgs/s.
 */
enum DatabaseGc {
  G1_SHORT(
      "g1-short",
      "collected by G1 with a 10-ms pause goal",
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=10"),
  G1(
      "g1",
      "collected by G1 with its defaults (pauses of 50–260 ms stall both stacks' database calls"
          + " now and then)",
      "-XX:+UseG1GC"),
  ZGC("zgc", "collected by ZGC (no pauses, but several times the CPU at high rates)", "-XX:+UseZGC");

  /** The option's value, as results.json records it. */
  final String name;

  /** How the report's method paragraph describes it. */
  final String description;

  final List<String> flags;

  DatabaseGc(String name, String description, String... flags) {
    this.name = name;
    this.description = description;
    this.flags = List.of(flags);
  }

  static DatabaseGc named(String name) {
    for (DatabaseGc gc : values()) {
      if (gc.name.equals(name)) {
        return gc;
      }
    }
    throw new IllegalArgumentException("--db-gc takes g1-short, g1 or zgc, not " + name);
  }
}
