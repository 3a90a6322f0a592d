package io.parley.bench;

import io.parley.bench.Http.Req;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A server set-up under test: its processes, how to subscribe and how to send. */
abstract class Target {
  /** One SSE stream the harness opens. */
  record Sub(int port, String uri, Map<String, String> headers) {}

  /** Builds the request that sends message {@code idx} (with {@code text}) to conversation c. */
  interface Sender {
    Req request(int conv, long idx, String text);
  }

  /**
   * Conversations with their members' streams.
   *
   * @param subs the streams to open
   * @param streamsPerConv how many of those streams receive a message sent to conversation c
   * @param sender builds send requests
   */
  record Fixture(List<Sub> subs, int[] streamsPerConv, Sender sender) {
    int conversations() {
      return streamsPerConv.length;
    }
  }

  final String name;
  final String description;
  final List<Proc> procs = new ArrayList<>();

  Target(String name, String description) {
    this.name = name;
    this.description = description;
  }

  abstract void start(Path dir) throws Exception;

  /**
   * {@code conversations} conversations of {@code members} members each, every member holding
   * {@code streamsPerMember} streams. Conversation c's members are users c*members … (mod pool),
   * so with few users each user is in many conversations (one stream then receives all of them).
   */
  abstract Fixture fixture(int conversations, int members, int streamsPerMember, int userPool)
      throws Exception;

  /** {@code streams} idle streams, all to the process {@link #memoryProc()}. */
  abstract List<Sub> idleSubs(int streams) throws Exception;

  /** The process whose memory per connection is measured (it holds every stream when asked). */
  abstract Proc memoryProc();

  /** Heap after GC, direct memory, RSS of {@link #memoryProc()} in bytes. */
  abstract long[] memory() throws Exception;

  /** Total CPU seconds of every process of this target (servers, Redis, databases). */
  double cpuSeconds() {
    double s = 0;
    for (Proc p : procs) {
      s += p.cpuSeconds();
    }
    return s;
  }

  /** CPU seconds of the servers themselves, without databases and Redis. */
  double nodeCpuSeconds() {
    double s = 0;
    for (Proc p : procs) {
      if (!p.infra) {
        s += p.cpuSeconds();
      }
    }
    return s;
  }

  void checkAlive() {
    for (Proc p : procs) {
      if (!p.alive()) {
        throw new IllegalStateException(p.name + " died:\n" + p.tail());
      }
    }
  }

  void stop() {
    for (int i = procs.size() - 1; i >= 0; i--) {
      procs.get(i).stop();
    }
    procs.clear();
  }

  static long[] javaMemory(Proc p) throws Exception {
    long heap = p.heapAfterGc();
    return new long[] {heap, p.directBytes(), p.rssBytes()};
  }
}
