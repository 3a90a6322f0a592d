package io.parley.hostile;

import io.parley.security.Secrets;
import io.parley.testing.Uploads;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Everything a node has stored, reduced to something comparable: for every collection of its
 * MongoDB database the document count and a SHA-256 over all documents (keys sorted, documents
 * sorted), plus the names of the files under its upload folder. Two snapshots around a refused
 * request must be equal: nothing was written, nothing half-written, nothing deleted.
 *
 * <p>Left out: {@code sessions.lastSeenAt}, which any authenticated request may refresh (at most
 * once a minute, by design) and which carries no state an attacker could use; and stream tickets
 * past their expiry, which the node's own sweep deletes whenever its timer fires.
 */
record DbSnapshot(Map<String, Collection> collections, List<String> files) {

  /** Fields that a request may legitimately refresh, by collection. */
  static final Map<String, Set<String>> VOLATILE = Map.of("sessions", Set.of("lastSeenAt"));

  record Collection(long count, String digest, List<String> documents) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Collection c && c.count == count && c.digest.equals(digest);
    }

    @Override
    public int hashCode() {
      return digest.hashCode();
    }
  }

  static DbSnapshot take(MongoClient mongo, Path uploadDir) {
    List<String> names = await(mongo.getCollections());
    // all collections read at once: one round of waiting, not one per collection
    List<io.vertx.core.Future<List<JsonObject>>> reads = new ArrayList<>();
    names.forEach(name -> reads.add(mongo.find(name, new JsonObject())));
    await(io.vertx.core.Future.all(reads));
    Map<String, Collection> out = new TreeMap<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      List<String> docs = new ArrayList<>();
      Set<String> drop = VOLATILE.getOrDefault(name, Set.of());
      for (JsonObject d : reads.get(i).result()) {
        if (name.equals("ssetickets") && expired(d)) {
          continue;
        }
        JsonObject copy = d.copy();
        drop.forEach(copy::remove);
        docs.add(canonical(copy));
      }
      docs.sort(null);
      out.put(name, new Collection(docs.size(), Secrets.sha256(String.join("\n", docs)), docs));
    }
    return new DbSnapshot(out, uploadDir == null ? List.of() : Uploads.files(uploadDir));
  }

  private static boolean expired(JsonObject doc) {
    java.time.Instant at = io.parley.mongo.MongoSupport.instant(doc, "expiresAt");
    return at != null && at.isBefore(java.time.Instant.now());
  }

  /** What differs from {@code before}, for the failure message; empty when nothing does. */
  String diff(DbSnapshot before) {
    StringBuilder sb = new StringBuilder();
    Set<String> names = new java.util.TreeSet<>(before.collections.keySet());
    names.addAll(collections.keySet());
    for (String name : names) {
      Collection was = before.collections.get(name);
      Collection now = collections.get(name);
      if (was == null) {
        sb.append("new collection ").append(name).append(": ").append(clip(now.documents));
      } else if (now == null) {
        sb.append("collection ").append(name).append(" disappeared");
      } else if (!was.equals(now)) {
        List<String> added = new ArrayList<>(now.documents);
        added.removeAll(was.documents);
        List<String> removed = new ArrayList<>(was.documents);
        removed.removeAll(now.documents);
        sb.append(name)
            .append(": ")
            .append(was.count)
            .append(" -> ")
            .append(now.count)
            .append(" documents; now there: ")
            .append(clip(added))
            .append("; gone: ")
            .append(clip(removed));
      } else {
        continue;
      }
      sb.append('\n');
    }
    if (!files.equals(before.files)) {
      sb.append("upload folder: ").append(before.files).append(" -> ").append(files).append('\n');
    }
    return sb.toString();
  }

  private static String clip(List<String> docs) {
    String s = docs.toString();
    return s.length() > 2000 ? s.substring(0, 2000) + "…" : s;
  }

  /** JSON with every object's keys in sorted order, so equal documents encode equally. */
  static String canonical(Object v) {
    return sorted(v) instanceof JsonObject o ? o.encode() : String.valueOf(v);
  }

  private static Object sorted(Object v) {
    if (v instanceof JsonObject o) {
      JsonObject s = new JsonObject(new java.util.LinkedHashMap<>());
      new java.util.TreeSet<>(o.fieldNames()).forEach(k -> s.put(k, sorted(o.getValue(k))));
      return s;
    }
    if (v instanceof JsonArray a) {
      JsonArray s = new JsonArray();
      a.forEach(x -> s.add(sorted(x)));
      return s;
    }
    return v;
  }

  private static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("reading the database failed: " + e.getMessage(), e);
    }
  }
}
