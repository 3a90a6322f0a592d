package io.parley.http;

import static io.parley.http.RequestBody.string;

import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.BusClient;
import io.parley.bus.UploadsApi.CreateUpload;
import io.parley.bus.UploadsApi.Download;
import io.parley.bus.UploadsApi.UploadRef;
import io.parley.http.RequestBody.Schema;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/uploads}: start an upload, complete it, download it (in local mode the bytes come in
 * through {@link UploadContent}). The uploads verticle owns the records and checks; in local mode a
 * download is sent from the file the uploads verticle names (the folder is shared by the nodes that
 * run {@code http} and {@code uploads}).
 */
final class UploadRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(UploadRoutes.class);

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

  private final BusClient bus;
  private final String publicUrl;

  UploadRoutes(BusClient bus, String publicUrl) {
    this.bus = bus;
    this.publicUrl =
        publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
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
              Responses.error(rc, ApiError.internal());
            });
  }
}
