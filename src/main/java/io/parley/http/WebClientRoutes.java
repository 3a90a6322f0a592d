package io.parley.http;

import io.parley.config.ParleyConfig;
import io.parley.config.ParleyConfig.S3Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The web chat client: static files from the jar's {@code webroot/}, held in memory. {@code /}
 * answers {@code index.html} (revalidated on every load); every other file is under {@code
 * /assets/<hash>/}, where the hash covers all of them, so a new release gets new URLs and the old
 * ones can be cached for a year. Only these paths are taken: the API, {@code /sse}, {@code /health}
 * and {@code /metrics} keep their own handlers and 404s. Gzip comes from the server's compression.
 */
final class WebClientRoutes {
  static final String ROOT = "webroot";

  /** In {@code index.html}: replaced by {@code /assets/<hash>}. */
  static final String ASSETS_PLACEHOLDER = "%ASSETS%";

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "txt", "text/plain; charset=utf-8",
          "json", "application/json; charset=utf-8",
          "webmanifest", "application/manifest+json");

  private final Vertx vertx;
  private final String csp;
  private Future<Assets> assets;

  WebClientRoutes(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.csp = csp(config);
  }

  /**
   * The page's policy: scripts, styles and connections from this origin only, nothing inline;
   * images also from {@code blob:} (QR code and attachments are fetched with headers, then shown)
   * and {@code data:}. With S3 attachments the browser also talks to the bucket.
   */
  static String csp(ParleyConfig config) {
    String connect = "'self'";
    if (config.uploads().s3Enabled()) {
      connect += " " + s3Origin(config.uploads().s3());
    }
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:;"
        + " media-src 'self' blob:; connect-src "
        + connect
        + "; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  }

  /** Where presigned URLs point: the endpoint override's origin, or the bucket's AWS host. */
  static String s3Origin(S3Config s3) {
    if (!s3.endpoint().isEmpty()) {
      URI u = URI.create(s3.endpoint());
      return u.getScheme() + "://" + u.getRawAuthority();
    }
    return s3.region().isEmpty()
        ? "https://" + s3.bucket() + ".s3.amazonaws.com"
        : "https://" + s3.bucket() + ".s3." + s3.region() + ".amazonaws.com";
  }

  void mount(Router router) {
    assets = vertx.executeBlocking(WebClientRoutes::load, false);
    for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.HEAD)) {
      router.route(m, "/").handler(rc -> withAssets(rc, a -> page(rc, a)));
      router.route(m, "/index.html").handler(rc -> withAssets(rc, a -> page(rc, a)));
      router.route(m, "/assets/*").handler(rc -> withAssets(rc, a -> asset(rc, a)));
    }
  }

  private void withAssets(RoutingContext rc, java.util.function.Consumer<Assets> then) {
    assets
        .onSuccess(then::accept)
        .onFailure(
            err ->
                Responses.error(rc, 500, "internal_error", "The web client could not be loaded"));
  }

  private void page(RoutingContext rc, Assets a) {
    HttpServerResponse res = rc.response();
    res.putHeader("Content-Security-Policy", csp);
    res.putHeader("Content-Type", TYPES.get("html"));
    // always revalidated: it names the current asset hash
    res.putHeader("Cache-Control", "no-cache");
    res.putHeader("ETag", a.etag);
    if (a.etag.equals(rc.request().getHeader("If-None-Match"))) {
      res.setStatusCode(304).end();
      return;
    }
    res.end(a.index);
  }

  private void asset(RoutingContext rc, Assets a) {
    String path = rc.request().path();
    String prefix = "/assets/" + a.hash + "/";
    Buffer body = path.startsWith(prefix) ? a.files.get(path.substring(prefix.length())) : null;
    if (body == null) {
      // an old hash or an unknown file: an ordinary 404, never cached
      rc.next();
      return;
    }
    HttpServerResponse res = rc.response();
    res.putHeader("Content-Security-Policy", csp);
    res.putHeader("Content-Type", type(path));
    res.putHeader("Cache-Control", "public, max-age=31536000, immutable");
    res.end(body);
  }

  static String type(String path) {
    String ext = path.substring(path.lastIndexOf('.') + 1);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }

  /** The files of {@code webroot/}, read once from the classpath (a folder or the jar). */
  record Assets(String hash, String etag, Buffer index, Map<String, Buffer> files) {}

  static Assets load() {
    URL url = WebClientRoutes.class.getClassLoader().getResource(ROOT + "/index.html");
    if (url == null) {
      throw new IllegalStateException("webroot/index.html is not on the classpath");
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        return read(fs.getPath("/" + ROOT));
      }
      return read(Path.of(uri).getParent());
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException("cannot read the web client: " + e.getMessage(), e);
    }
  }

  static Assets read(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile)
          .forEach(
              p -> {
                String rel = root.relativize(p).toString().replace('\\', '/');
                try {
                  files.put(rel, Files.readAllBytes(p));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    byte[] index = files.remove("index.html");
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (var f : files.entrySet()) {
      sha.update(f.getKey().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(f.getValue());
    }
    String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    byte[] page =
        new String(index, StandardCharsets.UTF_8)
            .replace(ASSETS_PLACEHOLDER, "/assets/" + hash)
            .getBytes(StandardCharsets.UTF_8);
    String etag = "\"" + HexFormat.of().formatHex(sha.digest(page)).substring(0, 16) + "\"";
    Map<String, Buffer> buffers = new TreeMap<>();
    files.forEach((k, v) -> buffers.put(k, Buffer.buffer(v)));
    return new Assets(hash, etag, Buffer.buffer(page), Map.copyOf(buffers));
  }
}
