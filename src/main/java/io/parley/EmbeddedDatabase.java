package io.parley;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import io.parley.mongo.server.SecondaryIndex;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.MVStore;

/**
 * The development database: a MongoDB-wire server in this process, persisted to an H2 file under
 * the data folder, listening on loopback so that a second local node can share it. It ignores TTL
 * indexes, so services enforce expiry in code; its non-unique indexes ({@link
 * io.parley.mongo.server.SecondaryIndex}) answer queries and refuse what MongoDB's would.
 *
 * <p>Every write command is committed to the file before it is answered: H2's store otherwise
 * commits about once a second, so a {@code kill -9} of the owning node lost the last acknowledged
 * writes (and their seqs were handed out again). The file is not fsync'ed per write: what an
 * acknowledged write survives is the process dying, not the machine.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  public static final String FILE_NAME = "parley-embedded.mv";

  private final MongoServer server;
  private final InetSocketAddress address;

  private EmbeddedDatabase(MongoServer server, InetSocketAddress address) {
    this.server = server;
    this.address = address;
  }

  /** Opens (or creates) the database file and listens on 127.0.0.1:{@code port} (0 = any). */
  public static EmbeddedDatabase start(Path dataDir, int port) {
    Path file = dataDir.resolve(FILE_NAME);
    H2Backend backend;
    try {
      Files.createDirectories(dataDir);
      backend = new DurableH2Backend(file.toString());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot open the embedded database "
              + file
              + " (is another node using this data folder? point it at this one with MONGO_URI,"
              + " or give it its own PARLEY_DATA_DIR): "
              + e.getMessage(),
          e);
    }
    MongoServer server = new MongoServer(backend);
    try {
      server.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (RuntimeException e) {
      server.shutdownNow();
      boolean inUse =
          e.getCause() instanceof BindException
              || String.valueOf(e.getMessage()).contains("in use");
      throw new IllegalStateException(
          "cannot listen for the embedded database on 127.0.0.1:"
              + port
              + (inUse
                  ? " (port in use: to share a running node's database set MONGO_URI=mongodb://127.0.0.1:"
                      + port
                      + ", or choose another PARLEY_EMBEDDED_MONGO_PORT)"
                  : ": " + e.getMessage()),
          e);
    }
    return new EmbeddedDatabase(server, server.getLocalAddress());
  }

  /** H2's backend with a commit after each write command, before its answer is sent. */
  private static final class DurableH2Backend extends H2Backend {
    private static final java.util.Set<String> WRITES =
        java.util.Set.of(
            "insert",
            "update",
            "delete",
            "findandmodify",
            "createindexes",
            "create",
            "drop",
            "dropdatabase",
            "dropindexes",
            "renamecollection");

    DurableH2Backend(String file) {
      super(file);
    }

    @Override
    protected de.bwaldvogel.mongo.MongoDatabase openOrCreateDatabase(String name) {
      return new IndexedH2Database(name, getMvStore(), getCursorRegistry());
    }

    @Override
    public de.bwaldvogel.mongo.bson.Document handleCommand(
        io.netty.channel.Channel channel,
        String database,
        String command,
        de.bwaldvogel.mongo.bson.Document query) {
      try {
        return super.handleCommand(channel, database, command, query);
      } finally {
        if (WRITES.contains(command.toLowerCase(java.util.Locale.ROOT))) {
          commit();
        }
      }
    }
  }

  public int port() {
    return address.getPort();
  }

  public String connectionString(String database) {
    return "mongodb://127.0.0.1:" + address.getPort() + "/" + database;
  }

  /** Stops listening and closes the file cleanly, so that nothing written is lost. */
  @Override
  public void close() {
    server.shutdown();
  }

  /**
   * The embedded development database's H2-backed database with {@link SecondaryIndex} for every
   * non-unique index, so that it answers queries from them and refuses, as MongoDB does, a document
   * a compound index cannot hold. Indexes re-opened from the file start lenient (documents stored
   * by an older version stay readable) and enforce once the database is open.
   */
  private static final class IndexedH2Database extends H2Database {
    /** The indexes re-opened while the superclass constructor loads the file (no initialiser). */
    private List<SecondaryIndex<Object>> loading;

    private boolean open;

    IndexedH2Database(String name, MVStore store, CursorRegistry cursors) {
      super(name, store, cursors);
      open = true;
      if (loading != null) {
        loading.forEach(SecondaryIndex::enforce);
        loading = null;
      }
    }

    @Override
    protected Index<Object> openOrCreateSecondaryIndex(
        String collection, String indexName, List<IndexKey> keys, boolean sparse) {
      SecondaryIndex<Object> index = new SecondaryIndex<>(indexName, keys, sparse, open);
      if (!open) {
        if (loading == null) {
          loading = new ArrayList<>();
        }
        loading.add(index);
      }
      return index;
    }
  }
}
