package io.parley.chat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the repositories share in reading stored documents into records. */
final class Documents {
  private Documents() {}

  /** A stored array of strings (ids); empty when absent. */
  static List<String> strings(JsonArray a) {
    return a == null ? List.of() : a.stream().map(String::valueOf).toList();
  }

  /** A stored {@code {userId: seq}} object, in stored order; empty when absent. */
  static Map<String, Long> seqs(JsonObject o) {
    if (o == null) {
      return Map.of();
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (String key : o.fieldNames()) {
      out.put(key, o.getLong(key, 0L));
    }
    return Collections.unmodifiableMap(out);
  }
}
