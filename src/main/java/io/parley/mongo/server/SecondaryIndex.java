package io.parley.mongo.server;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A secondary index for mongo-java-server's backends, which otherwise accept a non-unique index and
 * ignore it: every query scans the collection, and a document MongoDB would refuse is stored. This
 * one does what MongoDB does with such an index, as far as a test or benchmark can see:
 *
 * <ul>
 *   <li>It refuses a write MongoDB refuses: a document with arrays in two fields of one compound
 *       index ("cannot index parallel arrays", MongoDB's error 171; an empty array counts).
 *   <li>It answers the queries MongoDB answers from it: equality or {@code $in} on the first field
 *       (each element of an array field is a key), and on a compound index the second field's
 *       equality, {@code $in} or range ({@code $gt}, {@code $gte}, {@code $lt}, {@code $lte},
 *       {@code $eq}). A compound index takes a query only when the query names its second field or
 *       nothing but its first one, so that of two indexes starting with the same field the one that
 *       fits answers whatever order they were created in.
 * </ul>
 *
 * <p>It hands the collection candidates; the collection still matches every candidate against the
 * whole query, so a candidate too many costs time, never a wrong answer. Values it cannot order
 * (null, missing, sub-documents) are candidates for every query it answers.
 */
public final class SecondaryIndex<P> extends Index<P> {
  private static final ValueComparator ORDER = ValueComparator.asc();

  /** Several positions under one key (a single one is stored as itself). */
  private static final class Positions extends LinkedHashSet<Object> {}

  /** Filed under nothing: unorderable, not indexable, or an empty array. */
  private static final Object NOWHERE = new Object();

  /**
   * First-field value → second-field value ({@code FIRST_ONLY} without one) → a position, or {@link
   * Positions} when several share the key.
   */
  private final NavigableMap<Object, NavigableMap<Object, Object>> ordered = new TreeMap<>(ORDER);

  /** Positions with an unorderable value in an indexed field: candidates for every query. */
  private final Set<P> unordered = new LinkedHashSet<>();

  /**
   * What each indexed position was filed under, to unfile it on removal or update: a {@link
   * KeyValue}, a set of them (array fields), or {@link #NOWHERE}.
   */
  private final Map<P, Object> filed = new HashMap<>();

  /** A document's {@code _id} → its position: the collection removes by document. */
  private final Map<Object, P> positions = new HashMap<>();

  /** The keys last computed by a check, for the write that follows it. */
  private Document checked;

  private Object checkedKeys;

  private boolean enforcing;

  /**
   * @param enforcing whether writes MongoDB would refuse are refused; an index re-opened from a
   *     data file starts lenient (documents stored before it existed stay readable) and is switched
   *     on with {@link #enforce()} once loaded.
   */
  public SecondaryIndex(String name, List<IndexKey> keys, boolean sparse, boolean enforcing) {
    super(name, keys, sparse);
    this.enforcing = enforcing;
  }

  /** From now on a write MongoDB would refuse is refused. */
  public synchronized void enforce() {
    enforcing = true;
  }

  private String first() {
    return getKeys().get(0).getKey();
  }

  private String second() {
    return getKeys().size() > 1 ? getKeys().get(1).getKey() : null;
  }

  private static boolean orderable(Object v) {
    return v instanceof String
        || v instanceof Number
        || v instanceof java.time.Instant
        || v instanceof java.util.Date
        || v instanceof Boolean
        || v instanceof ObjectId
        || v instanceof UUID;
  }

  private static Object idKey(Object id) {
    return id instanceof String ? id : new KeyValue(id).normalized();
  }

  /**
   * The keys of a document: one {@link KeyValue}, or a set of them when a field is an array
   * (possibly empty); throws MongoDB's error for parallel arrays.
   */
  private Object keysOf(Document document) {
    if (document == checked) {
      return checkedKeys;
    }
    List<IndexKey> keys = getKeys();
    Object a = Utils.getSubdocumentValueCollectionAware(document, keys.get(0).getKey());
    Object b =
        keys.size() > 1
            ? Utils.getSubdocumentValueCollectionAware(document, keys.get(1).getKey())
            : null;
    if (keys.size() > 2 || a instanceof Collection || b instanceof Collection) {
      Set<KeyValue> all = getKeyValues(document); // one key per element; the parallel-array check
      return all.size() == 1 ? all.iterator().next() : all;
    }
    return (keys.size() > 1 ? new KeyValue(a, b) : new KeyValue(a)).normalized();
  }

  /** Keys for a write: null when MongoDB would refuse it but this index is still lenient. */
  private Object keysFor(Document document) {
    try {
      return keysOf(document);
    } catch (KeyConstraintError e) {
      if (enforcing) {
        throw e;
      }
      return null;
    } finally {
      checked = null;
      checkedKeys = null;
    }
  }

  private void check(Document document) {
    if (enforcing) {
      checkedKeys = keysOf(document);
      checked = document;
    }
  }

  @Override
  public P getPosition(Document document) {
    return null; // the unique indexes locate documents; this one only narrows queries
  }

  @Override
  public synchronized void checkAdd(Document document, MongoCollection<P> collection) {
    check(document);
  }

  @Override
  public synchronized void add(Document document, P position, MongoCollection<P> collection) {
    Object id = document.get("_id");
    if (id == null) {
      checked = null;
      return; // system collections: never queried through a secondary index
    }
    Object keys = keysFor(document);
    positions.put(idKey(id), position);
    file(position, keys);
  }

  private void file(P position, Object keys) {
    if (keys instanceof KeyValue k) {
      fileOne(position, k);
      filed.put(position, k);
      return;
    }
    @SuppressWarnings("unchecked")
    Set<KeyValue> many = (Set<KeyValue>) keys;
    if (many == null || many.isEmpty()) {
      // not indexable (stored before the index enforced), or an empty array: MongoDB files the
      // latter under undefined, which no equality on the other field excludes
      unordered.add(position);
      filed.put(position, NOWHERE);
      return;
    }
    for (KeyValue k : many) {
      fileOne(position, k);
    }
    filed.put(position, many);
  }

  private void fileOne(P position, KeyValue k) {
    Object f = k.get(0);
    Object s = k.size() > 1 ? k.get(1) : FIRST_ONLY;
    if (!orderable(f) || (s != FIRST_ONLY && !orderable(s))) {
      unordered.add(position);
      return;
    }
    NavigableMap<Object, Object> inner = ordered.computeIfAbsent(f, x -> new TreeMap<>(ORDER));
    Object at = inner.get(s);
    if (at == null) {
      inner.put(s, position);
    } else if (at instanceof Positions many) {
      many.add(position);
    } else if (!at.equals(position)) {
      Positions many = new Positions();
      many.add(at);
      many.add(position);
      inner.put(s, many);
    }
  }

  private void unfile(P position) {
    Object keys = filed.remove(position);
    unordered.remove(position);
    if (keys instanceof KeyValue k) {
      unfileOne(position, k);
    } else if (keys instanceof Set<?> many) {
      for (Object k : many) {
        unfileOne(position, (KeyValue) k);
      }
    }
  }

  private void unfileOne(P position, KeyValue k) {
    Object f = k.get(0);
    Object s = k.size() > 1 ? k.get(1) : FIRST_ONLY;
    if (!orderable(f) || (s != FIRST_ONLY && !orderable(s))) {
      return;
    }
    NavigableMap<Object, Object> inner = ordered.get(f);
    if (inner == null) {
      return;
    }
    Object at = inner.get(s);
    if (at instanceof Positions many) {
      many.remove(position);
      if (many.size() == 1) {
        inner.put(s, many.iterator().next());
      }
    } else if (position.equals(at)) {
      inner.remove(s);
    }
    if (inner.isEmpty()) {
      ordered.remove(f);
    }
  }

  @Override
  public synchronized P remove(Document document) {
    Object id = document.get("_id");
    P position = id == null ? null : positions.remove(idKey(id));
    if (position != null) {
      unfile(position);
    }
    return position;
  }

  @Override
  public synchronized boolean canHandle(Document query) {
    if (firstValues(query.get(first())) == null) {
      return false;
    }
    String second = second();
    return second == null || query.containsKey(second) || query.size() == 1;
  }

  /** The values an equality or {@code $in} on the first field asks for; null if neither. */
  private static List<Object> firstValues(Object q) {
    if (orderable(q)) {
      return List.of(q);
    }
    if (q instanceof Document d && d.size() == 1) {
      Object v = d.containsKey("$eq") ? List.of(d.get("$eq")) : d.get("$in");
      if (v instanceof Collection<?> values && !values.isEmpty()) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object x : values) {
          if (!orderable(x)) {
            return null;
          }
          out.add(x);
        }
        return out;
      }
    }
    return null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public synchronized Iterable<P> getPositions(Document query) {
    Set<P> out = new LinkedHashSet<>(unordered);
    String second = second();
    Object sq = second == null ? null : query.get(second);
    for (Object f : firstValues(query.get(first()))) {
      NavigableMap<Object, Object> inner = ordered.get(f);
      if (inner != null) {
        for (Object at : narrow(inner, sq).values()) {
          if (at instanceof Positions many) {
            for (Object p : many) {
              out.add((P) p);
            }
          } else {
            out.add((P) at);
          }
        }
      }
    }
    return out;
  }

  /** The part of one first-field entry a condition on the second field can match. */
  private static NavigableMap<Object, Object> narrow(
      NavigableMap<Object, Object> inner, Object sq) {
    if (orderable(sq)) {
      Object at = inner.get(sq);
      NavigableMap<Object, Object> one = new TreeMap<>(ORDER);
      if (at != null) {
        one.put(sq, at);
      }
      return one;
    }
    if (!(sq instanceof Document d) || d.isEmpty()) {
      return inner;
    }
    Object lo = null;
    Object hi = null;
    for (Map.Entry<String, Object> c : d.entrySet()) {
      Object v = c.getValue();
      switch (c.getKey()) {
        case "$gt", "$gte" ->
            lo = orderable(v) && (lo == null || ORDER.compare(v, lo) > 0) ? v : lo;
        case "$lt", "$lte" ->
            hi = orderable(v) && (hi == null || ORDER.compare(v, hi) < 0) ? v : hi;
        case "$eq" -> {
          if (orderable(v)) {
            lo = v;
            hi = v;
          }
        }
        default -> {
          // $in, $ne, $exists, …: not narrowed here; the collection's matcher filters
        }
      }
    }
    if (lo != null && hi != null) {
      return ORDER.compare(lo, hi) > 0 ? new TreeMap<>(ORDER) : inner.subMap(lo, true, hi, true);
    }
    if (lo != null) {
      return inner.tailMap(lo, true);
    }
    return hi != null ? inner.headMap(hi, true) : inner;
  }

  @Override
  public synchronized long getCount() {
    return filed.size();
  }

  @Override
  public long getDataSize() {
    return 0;
  }

  @Override
  public synchronized void checkUpdate(
      Document oldDocument, Document newDocument, MongoCollection<P> collection) {
    check(newDocument);
  }

  @Override
  public synchronized void updateInPlace(
      Document oldDocument, Document newDocument, P position, MongoCollection<P> collection)
      throws KeyConstraintError {
    Object before = filed.get(position);
    if (before == null) {
      checked = null;
      return;
    }
    Object keys = keysFor(newDocument);
    if (keys != null && keys.equals(before)) {
      return; // the indexed fields did not change (most updates)
    }
    unfile(position);
    file(position, keys);
  }

  @Override
  public synchronized void drop() {
    ordered.clear();
    unordered.clear();
    filed.clear();
    positions.clear();
  }

  /** The second-field key of a single-field index's entries. */
  private static final Object FIRST_ONLY = Boolean.FALSE;
}
