import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
public class Db { public static void main(String[] a) throws Exception {
  MongoServer s = new MongoServer(new MemoryBackend()); s.bind("127.0.0.1", 27999); System.out.println("db up"); Thread.sleep(Long.MAX_VALUE); } }
