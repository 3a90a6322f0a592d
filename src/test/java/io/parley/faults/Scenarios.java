package io.parley.faults;

import io.parley.faults.Clients.Stream;
import io.parley.faults.Clients.Target;
import io.parley.faults.Clients.User;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The chat set-up the scenarios share: users, group conversations, one stream per member. */
final class Scenarios {
  private Scenarios() {}

  /** Users, their conversations and streams, placed round-robin over the nodes. */
  record Chat(
      List<User> users,
      List<String> convs,
      Map<String, List<User>> members,
      List<Stream> streams) {}

  /**
   * {@code users} users on {@code convCount} groups of {@code perConv} consecutive users each; user
   * i streams (and sends) on node i mod nodes first, the others after.
   */
  static Chat chat(FaultRig rig, int userCount, int convCount, int perConv) {
    List<Target> nodes = rig.nodes.stream().map(FaultRig::target).toList();
    List<User> users = new ArrayList<>();
    for (int i = 0; i < userCount; i++) {
      users.add(rig.clients.register(nodes.get(i % nodes.size()), "u" + i));
    }
    List<String> convs = new ArrayList<>();
    Map<String, List<User>> members = new HashMap<>();
    for (int c = 0; c < convCount; c++) {
      List<User> ms = new ArrayList<>();
      for (int k = 0; k < perConv; k++) {
        ms.add(users.get((c + k) % userCount));
      }
      String id = rig.clients.group(nodes.get(0), ms.get(0), ms.subList(1, ms.size()));
      convs.add(id);
      members.put(id, ms);
    }
    rig.conversations.addAll(convs);
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < userCount; i++) {
      User u = users.get(i);
      Set<String> mine = new LinkedHashSet<>();
      for (var e : members.entrySet()) {
        if (e.getValue().stream().anyMatch(m -> m.id().equals(u.id()))) {
          mine.add(e.getKey());
        }
      }
      Stream s = rig.clients.stream("s" + i + "-" + u.id(), u, mine, preferring(rig, i));
      streams.add(s);
      Clients.await(s.open());
    }
    return new Chat(users, convs, members, streams);
  }

  /** Node {@code i} mod n first, then the others, leaving out nodes that are not running. */
  static Supplier<List<Target>> preferring(FaultRig rig, int i) {
    return () -> {
      List<Target> live = rig.live();
      List<Target> out = new ArrayList<>();
      for (int k = 0; k < live.size(); k++) {
        out.add(live.get((i + k) % live.size()));
      }
      return out;
    };
  }

  /**
   * One message per conversation, then waits until every member's stream has it: cross-node
   * subscriptions take a moment to propagate after a cluster forms.
   */
  static void warmUp(FaultRig rig, Chat chat) {
    for (String c : chat.convs()) {
      Clients.await(rig.clients.send(chat.members().get(c).get(0), c, () -> rig.live(), 30_000));
    }
    FaultRig.await(
        "every stream has the warm-up messages", 60, () -> rig.missing(rig.stored()).isEmpty());
  }

  /** Sender targets: user i's preferred node first (as {@link #preferring}). */
  static Supplier<List<Target>> senders(FaultRig rig) {
    return () -> rig.live();
  }

  /**
   * One new message per conversation, then how many (stream, new message) pairs have not arrived
   * live within {@code seconds}: whether fan-out works now, whatever was missed before.
   */
  static long newMessagesMissingLive(FaultRig rig, Chat chat, int seconds) {
    java.util.Set<String> fresh = new java.util.HashSet<>();
    for (String c : chat.convs()) {
      History.Attempt a =
          Clients.await(
              rig.clients.send(chat.members().get(c).get(0), c, () -> rig.live(), 30_000));
      if (a.acknowledged()) {
        fresh.add(c + "#" + a.seq());
      }
    }
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds);
    long missing;
    do {
      java.util.Map<String, java.util.Set<String>> seen = new java.util.HashMap<>();
      for (History.Delivery d : rig.history.deliveries) {
        seen.computeIfAbsent(d.stream(), k -> new java.util.HashSet<>())
            .add(d.conversationId() + "#" + d.seq());
      }
      missing = 0;
      for (var e : rig.history.streamConversations.entrySet()) {
        for (String key : fresh) {
          if (e.getValue().contains(key.substring(0, key.indexOf('#')))
              && !seen.getOrDefault(e.getKey(), java.util.Set.of()).contains(key)) {
            missing++;
          }
        }
      }
      if (missing > 0) {
        JarProcess.sleep(300);
      }
    } while (missing > 0 && System.nanoTime() < deadline);
    return missing;
  }
}
