package io.parley.http;

import static io.parley.http.RequestBody.string;

import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.BusClient;
import io.parley.bus.UploadsApi;
import io.parley.bus.UploadsApi.ContentPath;
import io.parley.bus.UploadsApi.ContentTarget;
import io.parley.bus.UploadsApi.CreateUpload;
import io.parley.bus.UploadsApi.Download;
import io.parley.bus.UploadsApi.UploadRef;
import io.parley.http.RequestBody.Schema;
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
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/uploads}: start an upload, send its bytes (local mode), complete it, download it. The
 * uploads verticle owns the records and checks; in local mode this class streams bytes between the
 * socket and the file the uploads verticle names (the folder is shared by the nodes that run {@code
 * http} and {@code uploads}).
 */
final class UploadRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(UploadRoutes.class);

  /** After refusing a body, read (and drop) at most this much of it so the client sees why. */
  private static final long LINGER_BYTES = 1 << 20;

  private static final long LINGER_MS = 5_000;
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  static final Schema CREATE =
      Schema.object(
          Map.of(
              "conversationId", string(1, 64),
              "filename", string(1, 1024),
              "contentType", string(1, 255),
              "size",
                  new JsonObject()
                      .put("type", "integer")
                      .put("minimum", 0)
                      .put("maximum", 9007199254740991L)),
          "conversationId",
          "filename",
          "contentType",
          "size");

  private final Vertx vertx;
  private final BusClient bus;
  private final String publicUrl;

  UploadRoutes(Vertx vertx, BusClient bus, String publicUrl) {
    this.vertx = vertx;
    this.bus = bus;
    this.publicUrl =
        publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
  }

  /** The streaming PUT: mounted before the body handler, which must never buffer these bodies. */
  void mountContent(Router router) {
    router.put("/api/uploads/:id/content").handler(this::putContent);
  }

  void mount(Router router, TokenAuth auth) {
    router.post("/api/uploads").handler(auth).handler(this::create);
    router.post("/api/uploads/:id/complete").handler(auth).handler(this::complete);
    router.get("/api/uploads/:id").handler(auth).handler(this::download);
  }

  private void create(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, CREATE);
    if (b == null) {
      return;
    }
    var req =
        new CreateUpload(
            Requests.caller(rc),
            b.getString("conversationId"),
            b.getString("filename"),
            b.getString("contentType"),
            b.getLong("size"),
            baseUrl(rc.request()));
    bus.request(Addresses.UPLOADS_CREATE, req.toJson())
        .onSuccess(r -> Responses.json(rc, 201, r))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void complete(RoutingContext rc) {
    bus.request(
            Addresses.UPLOADS_COMPLETE,
            new UploadRef(Requests.caller(rc), rc.pathParam("id")).toJson())
        .onSuccess(r -> Responses.json(rc, 200, r))
        .onFailure(err -> Responses.failure(rc, err));
  }

  /** Where clients reach this deployment: {@code http.publicUrl}, else the request's own host. */
  private String baseUrl(HttpServerRequest req) {
    if (!publicUrl.isEmpty()) {
      return publicUrl;
    }
    HostAndPort authority = req.authority();
    String host =
        authority == null
            ? req.localAddress().hostAddress() + ":" + req.localAddress().port()
            : authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host();
    return (req.isSSL() ? "https" : "http") + "://" + host;
  }

  // --- local mode: PUT the bytes --------------------------------------------------------------

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
              refuse(rc, internal());
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
              discard().onComplete(x -> refuse(rc, internal()));
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
                deleteQuietly(temp).onComplete(x -> Responses.error(rc, internal()));
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

  private static ApiError internal() {
    return new ApiError(500, "internal_error", "Something went wrong on our side", null);
  }

  private static String baseType(String contentType) {
    int semi = contentType.indexOf(';');
    String t = (semi >= 0 ? contentType.substring(0, semi) : contentType).strip();
    t = t.toLowerCase(Locale.ROOT);
    return t.equals("image/jpg") || t.equals("image/pjpeg") ? "image/jpeg" : t;
  }

  // --- download -------------------------------------------------------------------------------

  private void download(RoutingContext rc) {
    bus.request(
            Addresses.UPLOADS_DOWNLOAD,
            new UploadRef(Requests.caller(rc), rc.pathParam("id")).toJson())
        .onSuccess(j -> send(rc, Download.fromJson(j)))
        .onFailure(err -> Responses.failure(rc, err));
  }

  /**
   * A presigned URL becomes a redirect; a local file is sent as an attachment that browsers will
   * neither sniff nor render, with single-range requests (206) for resumable downloads and media.
   */
  private void send(RoutingContext rc, Download d) {
    HttpServerResponse res = rc.response();
    res.putHeader("Cache-Control", "private, no-store");
    if (d.redirect() != null) {
      res.setStatusCode(302).putHeader(HttpHeaders.LOCATION, d.redirect()).end();
      return;
    }
    long size = d.size();
    String contentType =
        d.contentType().equals("text/plain") ? "text/plain; charset=utf-8" : d.contentType();
    res.putHeader(HttpHeaders.CONTENT_TYPE, contentType)
        .putHeader("Content-Disposition", d.contentDisposition())
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", "sandbox; default-src 'none'")
        .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
    long offset = 0;
    long length = size;
    String range = rc.request().getHeader("Range");
    if (range != null) {
      Matcher m = RANGE.matcher(range.trim());
      // several ranges, or another unit: answered with the whole file, as RFC 9110 allows
      if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
        long start;
        long end;
        try {
          if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            start = Math.max(0, size - suffix);
            end = size - 1;
          } else {
            start = Long.parseLong(m.group(1));
            end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
          }
        } catch (NumberFormatException e) {
          start = size;
          end = -1;
        }
        if (start >= size || end < start) {
          res.headers().remove(HttpHeaders.CONTENT_TYPE).remove("Content-Disposition");
          res.putHeader("Content-Range", "bytes */" + size);
          Responses.error(
              rc,
              416,
              "range_not_satisfiable",
              "The range is outside the file's " + size + " bytes");
          return;
        }
        offset = start;
        length = end - start + 1;
        res.setStatusCode(206)
            .putHeader("Content-Range", "bytes " + start + "-" + end + "/" + size);
      }
    }
    res.sendFile(d.path(), offset, length)
        .onFailure(
            err -> {
              LOG.error("sending an upload failed: {}", err.getMessage());
              Responses.error(rc, 500, "internal_error", "Something went wrong on our side");
            });
  }
}
