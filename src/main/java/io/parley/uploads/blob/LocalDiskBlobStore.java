package io.parley.uploads.blob;

import io.parley.bus.UploadsApi;
import io.parley.bus.UploadsApi.Download;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Attachments in a local folder, under generated names only. Clients PUT the bytes to this server
 * ({@code PUT /api/uploads/{id}/content} with an upload token); the HTTP layer streams them to the
 * path this store assigns, so in a cluster every node running {@code http} or {@code uploads} must
 * see the same folder.
 */
public final class LocalDiskBlobStore implements BlobStore {
  /** Keys are generated: {@code <uploadId>-<32 hex>} and optional {@code .incoming}. */
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{24}-[0-9a-f]{32}(\\.incoming)?");

  /** Bytes still arriving or not yet checked live apart, so sweeping them lists a small folder. */
  static final String INCOMING = "incoming";

  private static final String INCOMING_SUFFIX = ".incoming";

  private final Vertx vertx;
  private final Path root;
  private final Path incoming;

  public LocalDiskBlobStore(Vertx vertx, Path root) {
    this.vertx = vertx;
    this.root = root.toAbsolutePath().normalize();
    this.incoming = this.root.resolve(INCOMING);
  }

  /** Creates the folders. */
  public Future<Void> start() {
    return vertx.fileSystem().mkdirs(incoming.toString());
  }

  @Override
  public String kind() {
    return "local";
  }

  @Override
  public boolean servesBytes() {
    return true;
  }

  /**
   * The file of a key (checked bytes in the folder, incoming ones in its {@code incoming/}),
   * refusing anything that is not a generated key or would leave the folder.
   */
  Path pathOf(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("not a storage key");
    }
    Path dir = key.endsWith(INCOMING_SUFFIX) ? incoming : root;
    Path p = dir.resolve(key).normalize();
    if (!p.getParent().equals(dir)) {
      throw new IllegalArgumentException("not a storage key");
    }
    return p;
  }

  @Override
  public String localPath(String key) {
    return pathOf(key).toString();
  }

  @Override
  public Future<UploadUrl> uploadUrl(Incoming upload) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", upload.contentType());
    headers.put(UploadsApi.TOKEN_HEADER, upload.token());
    return Future.succeededFuture(
        new UploadUrl(
            "PUT", upload.baseUrl() + "/api/uploads/" + upload.uploadId() + "/content", headers));
  }

  @Override
  public Future<Long> size(String key) {
    String p = localPath(key);
    FileSystem fs = vertx.fileSystem();
    return fs.exists(p).compose(e -> e ? fs.props(p).map(props -> props.size()) : none());
  }

  private static Future<Long> none() {
    return Future.succeededFuture(null);
  }

  @Override
  public Future<Buffer> firstBytes(String key, int n) {
    return vertx
        .fileSystem()
        .open(localPath(key), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .compose(f -> f.read(Buffer.buffer(n), 0, 0, n).eventually(f::close));
  }

  @Override
  public Future<Void> promote(String from, String to) {
    return vertx
        .fileSystem()
        .move(
            localPath(from),
            localPath(to),
            new CopyOptions().setReplaceExisting(true).setAtomicMove(true));
  }

  @Override
  public Future<Void> delete(String key) {
    String p = localPath(key);
    FileSystem fs = vertx.fileSystem();
    return fs.exists(p).compose(e -> e ? fs.delete(p) : Future.succeededFuture());
  }

  @Override
  public Future<Download> download(
      String key, String filename, String contentType, long size, Duration expiry) {
    return Future.succeededFuture(
        new Download(
            null, localPath(key), contentType, ContentDisposition.attachment(filename), size));
  }

  /**
   * Deletes incoming files (and partial {@code .tmp} files of streams cut short by a crash) not
   * modified since {@code before}: by then their uploads are abandoned, or complete and the file a
   * late duplicate.
   */
  @Override
  public Future<Integer> sweep(Instant before) {
    FileSystem fs = vertx.fileSystem();
    return fs.readDir(incoming.toString())
        .compose(
            paths -> {
              List<Future<Boolean>> deleted = new ArrayList<>();
              for (String p : paths) {
                deleted.add(
                    fs.props(p)
                        .compose(
                            props ->
                                props.isRegularFile()
                                        && props.lastModifiedTime() < before.toEpochMilli()
                                    ? fs.delete(p).map(true)
                                    : Future.succeededFuture(false))
                        .otherwise(false));
              }
              return Future.join(deleted)
                  .transform(
                      ar ->
                          Future.succeededFuture(
                              (int)
                                  deleted.stream()
                                      .filter(f -> Boolean.TRUE.equals(f.result()))
                                      .count()));
            });
  }

  /** Writes and deletes a probe file: the folder exists and is writable. */
  @Override
  public Future<String> check() {
    FileSystem fs = vertx.fileSystem();
    String probe = root.resolve(".health-" + UUID.randomUUID()).toString();
    return fs.writeFile(probe, Buffer.buffer("ok"))
        .compose(v -> fs.delete(probe))
        .map(v -> "local disk writable");
  }
}
