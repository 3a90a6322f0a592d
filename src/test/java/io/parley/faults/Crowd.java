package io.parley.faults;

import io.parley.faults.Clients.Stream;
import io.parley.faults.Clients.Target;
import io.parley.faults.Clients.User;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The load scenarios' crowd on one node: users in groups of three, each group a conversation the
 * rig checks, and a number of open streams (devices) per user on their group's conversation.
 */
record Crowd(
    List<User> users, List<String> convs, Map<String, List<User>> members, List<Stream> streams) {

  /**
   * Registers {@code usersCount} users ({@code userPrefix + i}), makes a group of every three, and
   * opens {@code devices} streams per user ({@code streamPrefix + i + "d" + d}), each first set up
   * by {@code beforeOpen}; returns once every stream is open.
   */
  static Crowd gather(
      FaultRig rig,
      Target t,
      int usersCount,
      int devices,
      String userPrefix,
      String streamPrefix,
      Consumer<Stream> beforeOpen) {
    List<User> users = new ArrayList<>();
    for (int i = 0; i < usersCount; i++) {
      users.add(rig.clients.register(t, userPrefix + i));
    }
    List<String> convs = new ArrayList<>();
    Map<String, List<User>> members = new HashMap<>();
    for (int c = 0; c < usersCount / 3; c++) {
      List<User> ms = users.subList(3 * c, 3 * c + 3);
      String id = rig.clients.group(t, ms.get(0), ms.subList(1, 3));
      convs.add(id);
      members.put(id, ms);
    }
    rig.conversations.addAll(convs);
    List<Stream> streams = new ArrayList<>();
    List<Future<Void>> opened = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      for (int d = 0; d < devices; d++) {
        Stream s =
            rig.clients.stream(
                streamPrefix + i + "d" + d,
                users.get(i),
                Set.of(convs.get(i / 3)),
                () -> List.of(t));
        beforeOpen.accept(s);
        streams.add(s);
        opened.add(s.open());
      }
    }
    Clients.await(Future.all(opened));
    return new Crowd(users, convs, members, streams);
  }
}
