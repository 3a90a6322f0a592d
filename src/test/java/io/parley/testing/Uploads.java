package io.parley.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Attachment helpers for tests: sample files and plain HTTP clients for upload URLs. */
public final class Uploads {
  private Uploads() {}

  private static final java.net.http.HttpClient PLAIN =
      java.net.http.HttpClient.newBuilder()
          .followRedirects(java.net.http.HttpClient.Redirect.NEVER)
          .build();

  /** A response as a plain client sees it; {@code status} 0 when the connection broke first. */
  public record Answer(int status, MultiMap headers, Buffer body, String failure) {
    public String errorCode() {
      try {
        JsonObject e = new JsonObject(body).getJsonObject("error");
        return e == null ? null : e.getString("code");
      } catch (RuntimeException ex) {
        return null;
      }
    }
  }

  /** A PNG signature followed by {@code size - 8} pseudo-random bytes. */
  public static byte[] png(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    System.arraycopy(sig, 0, b, 0, sig.length);
    return b;
  }

  /** {@code POST /api/uploads} body. */
  public static JsonObject createBody(
      String conversationId, String filename, String contentType, long size) {
    return new JsonObject()
        .put("conversationId", conversationId)
        .put("filename", filename)
        .put("contentType", contentType)
        .put("size", size);
  }

  /** The headers an upload's create answer says its PUT must carry (a new, changeable map). */
  public static Map<String, String> headers(JsonObject upload) {
    Map<String, String> h = new java.util.HashMap<>();
    upload.getJsonObject("headers").forEach(e -> h.put(e.getKey(), String.valueOf(e.getValue())));
    return h;
  }

  /** PUTs {@code bytes} to an upload's URL with the headers its create answer gave. */
  public static Answer put(Http http, JsonObject upload, byte[] bytes) {
    return send(
        http,
        HttpMethod.PUT,
        upload.getString("url"),
        headers(upload),
        false,
        List.of(Buffer.buffer(bytes)));
  }

  /**
   * Sends {@code chunks} with Vert.x's HTTP client: chunked transfer when {@code chunked}, else
   * with the given headers as they are (a Content-Length among them is sent as is).
   */
  public static Answer send(
      Http http,
      HttpMethod method,
      String absoluteUrl,
      Map<String, String> headers,
      boolean chunked,
      List<Buffer> chunks) {
    HttpClient client = http.vertx().createHttpClient(new HttpClientOptions().setKeepAlive(false));
    URI uri = URI.create(absoluteUrl);
    RequestOptions opts =
        new RequestOptions()
            .setMethod(method)
            .setHost(uri.getHost())
            .setPort(uri.getPort())
            .setURI(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    headers.forEach(opts::addHeader);
    if (!chunked
        && headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-length"))) {
      opts.addHeader(
          "Content-Length", String.valueOf(chunks.stream().mapToInt(Buffer::length).sum()));
    }
    try {
      return client
          .request(opts)
          .compose(
              req -> {
                req.setChunked(chunked);
                // a server that cuts a body off closes the connection: the answer is what counts
                req.exceptionHandler(err -> {});
                var response = req.response();
                for (Buffer c : chunks) {
                  req.write(c);
                }
                req.end();
                return response.compose(
                    res ->
                        res.body().map(b -> new Answer(res.statusCode(), res.headers(), b, null)));
              })
          .otherwise(
              err ->
                  new Answer(
                      0, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(), err.toString()))
          .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + absoluteUrl + " failed", e);
    } finally {
      client.close();
    }
  }

  /** PUT through the JDK's own HTTP client: nothing Parley- or Vert.x-specific in the way. */
  public static HttpResponse<byte[]> plainPut(
      String url, Map<String, String> headers, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(
        (k, v) -> {
          // the JDK client sets these itself (Content-Length from the body)
          if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("host")) {
            b.header(k, v);
          }
        });
    return plain(b.build());
  }

  /** GET through the JDK's HTTP client (no redirects followed). */
  public static HttpResponse<byte[]> plainGet(String url) {
    return plain(HttpRequest.newBuilder(URI.create(url)).GET().build());
  }

  private static HttpResponse<byte[]> plain(HttpRequest req) {
    try {
      return PLAIN.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Names of the files in a folder and its subfolders (empty when it does not exist). */
  public static List<String> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
