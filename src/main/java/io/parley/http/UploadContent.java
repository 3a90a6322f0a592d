package io.parley.http;

import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.BusClient;
import io.parley.bus.UploadsApi;
import io.parley.bus.UploadsApi.ContentPath;
import io.parley.bus.UploadsApi.ContentTarget;
import io.parley.security.Secrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT /api/uploads/{id}/content} in local mode: the uploads verticle checks the upload token
 * and names the file; this class streams the body from the socket into it, counting bytes against
 * the declared size, and moves it into place only when it is complete.
 */
final class UploadContent {
  private static final Logger LOG = LoggerFactory.getLogger(UploadContent.class);

  /** After refusing a body, read (and drop) at most this much of it so the client sees why. */
  private static final long LINGER_BYTES = 1 << 20;

  private static final long LINGER_MS = 5_000;

  private final Vertx vertx;
  private final BusClient bus;

  UploadContent(Vertx vertx, BusClient bus) {
    this.vertx = vertx;
    this.bus = bus;
  }

  /** The streaming PUT: mounted before the body handler, which must never buffer these bodies. */
  void mount(Router router) {
    router.put("/api/uploads/:id/content").handler(this::putContent);
  }

  private void putContent(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    // nothing of the body may be read (or lost) before the token is checked
    req.pause();
    String token = req.getHeader(UploadsApi.TOKEN_HEADER);
    bus.request(
            Addresses.UPLOADS_CONTENT_TARGET,
            new ContentTarget(rc.pathParam("id"), token == null ? "" : token).toJson())
        .onSuccess(j -> receive(rc, ContentPath.fromJson(j)))
        .onFailure(err -> refuse(rc, ApiError.from(err)));
  }

  private void receive(RoutingContext rc, ContentPath target) {
    HttpServerRequest req = rc.request();
    if (Held.gone(rc)) {
      return; // the client left while the token was checked: open nothing for it
    }
    long max = target.size();
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        refuse(rc, new ApiError(400, "bad_request", "Content-Length is not a number", null));
        return;
      }
      if (declared > max) {
        refuse(rc, tooLarge(max));
        return;
      }
    }
    String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !baseType(type).equals(target.contentType())) {
      refuse(
          rc,
          new ApiError(
              415,
              "type_mismatch",
              "Send Content-Type: " + target.contentType() + " as declared",
              null));
      return;
    }
    String temp = target.path() + "." + Secrets.randomHex(8) + ".tmp";
    vertx
        .fileSystem()
        .open(temp, new OpenOptions().setWrite(true).setCreateNew(true))
        .onFailure(
            err -> {
              LOG.error("cannot open {} for an upload: {}", temp, err.getMessage());
              refuse(rc, ApiError.internal());
            })
        .onSuccess(file -> new Incoming(rc, file, temp, target).start());
  }

  /**
   * One body on its way to a file, counting: past the declared size (Content-Length lies and
   * chunked bodies alike) the file is deleted and the client gets 413; a short body gets 400; only
   * a complete one is moved into place, atomically. The file and its temporary name are released on
   * every path, including a client that is gone before the first byte, mid-body, or while the
   * answer is written.
   */
  private final class Incoming {
    private final RoutingContext rc;
    private final AsyncFile file;
    private final String temp;
    private final ContentPath target;
    private long received;
    private boolean stopped;
    private Future<Void> discarded;

    Incoming(RoutingContext rc, AsyncFile file, String temp, ContentPath target) {
      this.rc = rc;
      this.file = file;
      this.temp = temp;
      this.target = target;
    }

    void start() {
      HttpServerRequest req = rc.request();
      // the client may be gone already (while the file was opened): then this discards at once
      if (!Held.untilDone(rc, this::clientGone)) {
        return;
      }
      file.exceptionHandler(
          err -> {
            if (stop()) {
              LOG.error("writing an upload failed: {}", err.getMessage());
              discard().onComplete(x -> refuse(rc, ApiError.internal()));
            }
          });
      req.handler(this::chunk);
      req.endHandler(v -> end());
      req.resume();
    }

    /** True the first time: only one path (refusal, end, failure, client gone) finishes. */
    private boolean stop() {
      if (stopped) {
        return false;
      }
      stopped = true;
      return true;
    }

    private void clientGone() {
      if (stop()) {
        discard();
      }
    }

    /** Closes and deletes the partial file, once; the answer goes out only after that. */
    private Future<Void> discard() {
      if (discarded == null) {
        discarded = file.close().transform(ar -> deleteQuietly(temp));
      }
      return discarded;
    }

    private void chunk(io.vertx.core.buffer.Buffer buf) {
      if (stopped) {
        return;
      }
      received += buf.length();
      if (received > target.size()) {
        stop();
        discard().onComplete(x -> refuse(rc, tooLarge(target.size())));
        return;
      }
      file.write(buf);
      if (file.writeQueueFull()) {
        rc.request().pause();
        file.drainHandler(v -> rc.request().resume());
      }
    }

    private void end() {
      if (!stop()) {
        return;
      }
      long max = target.size();
      if (received != max) {
        ApiError shortBody =
            new ApiError(
                400,
                "size_mismatch",
                "Received " + received + " bytes; " + max + " were declared",
                new JsonObject().put("size", received).put("declared", max));
        discard().onComplete(x -> Responses.error(rc, shortBody));
        return;
      }
      file.close()
          .compose(
              x ->
                  vertx
                      .fileSystem()
                      .move(
                          temp,
                          target.path(),
                          new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
          .onSuccess(x -> Responses.noContent(rc))
          .onFailure(
              err -> {
                LOG.error("storing an upload failed: {}", err.getMessage());
                deleteQuietly(temp).onComplete(x -> Responses.error(rc, ApiError.internal()));
              });
    }
  }

  private static ApiError tooLarge(long max) {
    return new ApiError(
        413,
        "file_too_large",
        "The body is larger than the " + max + " bytes declared for this upload",
        new JsonObject().put("declared", max));
  }

  /**
   * Answers a PUT whose body will not be stored, then reads and drops a little more of the body (so
   * the client, still sending, gets to read the answer) and closes the connection.
   */
  private void refuse(RoutingContext rc, ApiError error) {
    HttpServerRequest req = rc.request();
    HttpServerResponse res = rc.response();
    if (Held.gone(rc)) {
      return; // nobody to answer, no connection to linger on
    }
    if (!req.isEnded()) {
      res.putHeader(HttpHeaders.CONNECTION, "close");
    }
    Responses.error(rc, error);
    if (req.isEnded()) {
      return;
    }
    long[] dropped = {0};
    long timer = vertx.setTimer(LINGER_MS, t -> req.connection().close());
    req.handler(
        buf -> {
          dropped[0] += buf.length();
          if (dropped[0] > LINGER_BYTES) {
            vertx.cancelTimer(timer);
            req.connection().close();
          }
        });
    req.endHandler(
        v -> {
          vertx.cancelTimer(timer);
          req.connection().close();
        });
    req.exceptionHandler(err -> vertx.cancelTimer(timer));
    req.resume();
  }

  /** Deletes a file if it exists; a failure is logged, never passed on. */
  private Future<Void> deleteQuietly(String path) {
    return vertx
        .fileSystem()
        .exists(path)
        .compose(e -> e ? vertx.fileSystem().delete(path) : Future.<Void>succeededFuture())
        .recover(
            err -> {
              LOG.warn("could not delete {}: {}", path, err.getMessage());
              return Future.succeededFuture();
            });
  }

  private static String baseType(String contentType) {
    int semi = contentType.indexOf(';');
    String t = (semi >= 0 ? contentType.substring(0, semi) : contentType).strip();
    t = t.toLowerCase(Locale.ROOT);
    return t.equals("image/jpg") || t.equals("image/pjpeg") ? "image/jpeg" : t;
  }
}
