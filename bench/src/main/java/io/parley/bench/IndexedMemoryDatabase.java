package io.parley.bench;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import io.parley.mongo.server.SecondaryIndex;
import java.util.List;

/**
 * mongo-java-server's in-memory database with the indexes MongoDB would use: every non-unique index
 * is a {@link SecondaryIndex} (Parley's source, shared with its embedded database), and every
 * unique index also answers what the stock one answers with a scan: a range on its second field (a
 * resume's "messages of this conversation after seq n") and an equality on its fields beside
 * conditions on others ({@code {_id: c, members: u}}: both Parley and the Mongoose peer read a
 * conversation so). So a query costs here what its index makes it cost on MongoDB, not a pass over
 * every stored document.
 */
final class IndexedMemoryDatabase extends MemoryDatabase {
  IndexedMemoryDatabase(String name, CursorRegistry cursors) {
    super(name, cursors);
  }

  @Override
  protected Index<Integer> openOrCreateSecondaryIndex(
      String collection, String indexName, List<IndexKey> keys, boolean sparse) {
    return new SecondaryIndex<>(indexName, keys, sparse, true);
  }

  @Override
  protected Index<Integer> openOrCreateUniqueIndex(
      String collection, String indexName, List<IndexKey> keys, boolean sparse) {
    Index<Integer> unique = super.openOrCreateUniqueIndex(collection, indexName, keys, sparse);
    return new RangedUnique(unique, indexName, keys, sparse);
  }

  /** A unique index that also answers what a secondary index on the same fields would. */
  private static final class RangedUnique extends Index<Integer> {
    private final Index<Integer> unique;
    private final SecondaryIndex<Integer> ranges;

    RangedUnique(Index<Integer> unique, String name, List<IndexKey> keys, boolean sparse) {
      super(name, keys, sparse);
      this.unique = unique;
      this.ranges = new SecondaryIndex<>(name, keys, sparse, true);
    }

    @Override
    public boolean isUnique() {
      return true;
    }

    @Override
    public Integer getPosition(Document document) {
      return unique.getPosition(document);
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Integer> collection) {
      unique.checkAdd(document, collection);
      ranges.checkAdd(document, collection);
    }

    @Override
    public void add(Document document, Integer position, MongoCollection<Integer> collection) {
      unique.add(document, position, collection);
      ranges.add(document, position, collection);
    }

    @Override
    public Integer remove(Document document) {
      Integer position = unique.remove(document);
      ranges.remove(document);
      return position;
    }

    @Override
    public boolean canHandle(Document query) {
      return unique.canHandle(query) || ranges.canHandle(query);
    }

    @Override
    public Iterable<Integer> getPositions(Document query) {
      return unique.canHandle(query) ? unique.getPositions(query) : ranges.getPositions(query);
    }

    @Override
    public long getCount() {
      return unique.getCount();
    }

    @Override
    public boolean isEmpty() {
      return unique.isEmpty();
    }

    @Override
    public long getDataSize() {
      return unique.getDataSize();
    }

    @Override
    public void checkUpdate(
        Document oldDocument, Document newDocument, MongoCollection<Integer> collection) {
      unique.checkUpdate(oldDocument, newDocument, collection);
      ranges.checkUpdate(oldDocument, newDocument, collection);
    }

    @Override
    public void updateInPlace(
        Document oldDocument,
        Document newDocument,
        Integer position,
        MongoCollection<Integer> collection)
        throws KeyConstraintError {
      unique.updateInPlace(oldDocument, newDocument, position, collection);
      ranges.updateInPlace(oldDocument, newDocument, position, collection);
    }

    @Override
    public void drop() {
      unique.drop();
      ranges.drop();
    }
  }
}
